// Recorded journey histories must replay against the current workflow code: a change that would
// break running journeys fails here. Record new ones with PLAYLOOP_RECORD_HISTORIES=1 npm test.
// Subfolders keep histories recorded by earlier workflow code (plans-as-json/: the plan set's
// local activity answered with a JSON object, before it answered with encoded bytes).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { historyFromJSON } from "@temporalio/common/lib/proto-utils.js";
import { Worker } from "@temporalio/worker";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers.js";
import { workflowBundle } from "./harness.js";

const dir = join(ROOT, "test/fixtures/histories");
const files = readdirSync(dir, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".json"))
  .sort();

describe("replaying recorded journey histories", () => {
  it("finds the recorded histories", () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
  });

  it.each(files)("%s replays without nondeterminism", async (file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(join(dir, file), "utf8")));
    await expect(Worker.runReplayHistory({ workflowBundle: workflowBundle() }, history, file)).resolves.toBeUndefined();
  });
});
