// The workflow bundle the global setup made with bundleJourneyWorkflows: liquidjs is in it as its
// browser build (no file system), evaluated when a workflow first renders a template rather than
// when each account workflow starts.
import { readFileSync } from "node:fs";
import { describe, expect, inject, it } from "vitest";

describe("the workflow bundle", () => {
  const code = readFileSync(inject("workflowBundlePath"), "utf8");

  it("holds liquidjs's browser build, required only inside the lazy loader", () => {
    expect(code).toContain("liquidjs/dist/liquid.browser.mjs");
    expect(code).not.toContain("liquidjs/dist/liquid.node");
    expect(code).toMatch(/"\.\/(dist\/)?engine\/template\/liquidjs-module-lazy\.[jt]s"/);
    expect(code).not.toMatch(/"\.\/(dist\/)?engine\/template\/liquidjs-module\.[jt]s"/);
    const requires = [...code.matchAll(/__webpack_require__\(\/\*! liquidjs \*\//g)];
    expect(requires).toHaveLength(1);
    const loader = code.slice(code.indexOf("function liquidjsModule()"));
    expect(loader.slice(0, loader.indexOf("return loaded;"))).toContain("__webpack_require__(/*! liquidjs */");
  });
});
