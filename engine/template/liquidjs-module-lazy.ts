// The workflow bundle's liquidjs-module.ts: liquidjs is evaluated when a workflow first renders a
// template, not when the workflow starts. Only webpack runs this file (it turns `require` into
// its own loader); Node runs liquidjs-module.ts.
import type * as liquidjs from "liquidjs";

let loaded: typeof liquidjs | undefined;

/** The liquidjs module, loaded on first use. */
export function liquidjsModule(): typeof liquidjs {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load is the point of this file
  loaded ??= require("liquidjs") as typeof liquidjs;
  return loaded;
}
