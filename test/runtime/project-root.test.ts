// Where playloop looks for playbooks and keeps its data when neither variable says: the folder it
// runs in, which is the repository in development and the user's project once installed.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  defaultDataDir,
  defaultPlaybooksDir,
  hasLocalPlaybooks,
  projectRoot,
} from "../../engine/runtime/project-root.js";

describe("default folders", () => {
  const made: string[] = [];
  const folder = (): string => {
    const dir = mkdtempSync(join(tmpdir(), "playloop-cwd-"));
    made.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("keeps data in .playloop/data of the working directory, not of the package", () => {
    const cwd = folder();
    expect(defaultDataDir(cwd)).toBe(join(cwd, ".playloop", "data"));
  });

  it("runs the working directory's playbooks folder when there is one", () => {
    const cwd = folder();
    mkdirSync(join(cwd, "playbooks"));
    expect(defaultPlaybooksDir(cwd)).toBe(join(cwd, "playbooks"));
    expect(hasLocalPlaybooks(cwd)).toBe(true);
  });

  it("falls back to the playbooks bundled with the package", () => {
    const cwd = folder();
    expect(defaultPlaybooksDir(cwd)).toBe(join(projectRoot(), "playbooks"));
    // Which a worker never deploys: it was not given them.
    expect(hasLocalPlaybooks(cwd)).toBe(false);
  });
});
