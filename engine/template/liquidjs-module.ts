// liquidjs, for the template engine. The workflow bundle replaces this file with
// liquidjs-module-lazy.ts (engine/runtime/workflow-bundle.ts): every account workflow evaluates
// its modules afresh, and liquidjs would cost each one a millisecond whether it renders or not.
import * as liquidjs from "liquidjs";

/** The liquidjs module. */
export function liquidjsModule(): typeof liquidjs {
  return liquidjs;
}
