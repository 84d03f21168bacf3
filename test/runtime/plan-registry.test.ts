// The worker's plan registry answers the account workflow's local activity: the deployed set and
// the plan bodies the workflow lacks, as JSON bytes encoded once per set and held versions.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodePlans } from "../../engine/messages/account-messages.js";
import { loadPlaybooks } from "../../engine/runtime/load-plans.js";
import { PlanRegistry } from "../../engine/runtime/plan-registry.js";
import { ROOT } from "../helpers.js";

const folder = loadPlaybooks(join(ROOT, "playbooks"));

describe("PlanRegistry.resolveEncoded", () => {
  it("answers what resolve answers, as bytes decodePlans reads", () => {
    const registry = new PlanRegistry(folder.plans, folder.policy, 1000);
    const have = [folder.plans[0]?.version ?? ""];
    const encoded = registry.resolveEncoded({ have });
    expect(ArrayBuffer.isView(encoded)).toBe(true);
    expect(decodePlans(encoded)).toEqual(JSON.parse(JSON.stringify(registry.resolve({ have }))));
    expect(decodePlans(encoded).plans.map((p) => p.version)).not.toContain(have[0]);
  });

  it("encodes once per list of held versions, in any order", () => {
    const registry = new PlanRegistry(folder.plans, folder.policy, 1000);
    const [a, b] = folder.plans.map((p) => p.version);
    expect(registry.resolveEncoded({ have: [] })).toBe(registry.resolveEncoded({ have: [] }));
    expect(registry.resolveEncoded({ have: [a ?? "", b ?? ""] })).toBe(
      registry.resolveEncoded({ have: [b ?? "", a ?? ""] }),
    );
    expect(registry.resolveEncoded({ have: [a ?? ""] })).not.toBe(registry.resolveEncoded({ have: [] }));
  });

  it("answers with the new set once another is deployed", () => {
    const registry = new PlanRegistry(folder.plans, folder.policy, 1000);
    const before = decodePlans(registry.resolveEncoded({ have: [] }));
    const fewer = folder.plans.slice(1);
    registry.deploy(fewer, folder.policy, 2000);
    const after = decodePlans(registry.resolveEncoded({ have: [] }));
    expect(after.set.id).not.toBe(before.set.id);
    expect(after.set.loadedAt).toBe(2000);
    expect(after.plans.map((p) => p.id).sort()).toEqual(fewer.map((p) => p.id).sort());
  });

  it("reads an answer recorded as an object by earlier workflow code", () => {
    const registry = new PlanRegistry(folder.plans, folder.policy, 1000);
    const answer = registry.resolve({ have: [] });
    expect(decodePlans(answer)).toBe(answer);
  });
});
