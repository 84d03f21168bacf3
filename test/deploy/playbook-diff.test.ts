// What `playloop deploy` says a deploy changes, in the playbook's own words: golden lines for the
// edits marketers make (a threshold, a template, a fence, a step added or removed).
import { describe, expect, it } from "vitest";
import { diffPlaybooks } from "../../engine/deploy/playbook-diff.js";
import type { PlaybookSource } from "../../engine/messages/deployment-messages.js";
import { readRepoFile } from "../helpers.js";

const seatUpsell = readRepoFile("playbooks/seat-upsell.yaml");
const source = (id: string, version: string, text: string): PlaybookSource => ({
  id,
  version,
  file: `${id}.yaml`,
  text,
});

describe("diffPlaybooks", () => {
  it("says what changed in a playbook: a trigger's condition, a template, a fence, a step added", () => {
    const edited = seatUpsell
      .replace("usage.seat_utilization >= 0.8", "usage.seat_utilization >= 0.85")
      .replace("template: capacity-insight", "template: capacity-insight-v2")
      .replace("max: 15%", "max: 20%")
      .replace(
        '    - crm.task:\n        owner: csm\n        title: "Capacity',
        '    - email.send: { template: roi-story }\n    - crm.task:\n        owner: csm\n        title: "Capacity',
      );
    const [change] = diffPlaybooks([source("seat-upsell", "v1", seatUpsell)], [source("seat-upsell", "v2", edited)]);
    expect(change).toEqual({
      playbook: "seat-upsell",
      kind: "changed",
      before: "v1",
      after: "v2",
      changes: [
        'trigger capacity, when: "usage.seat_utilization >= 0.8" -> "usage.seat_utilization >= 0.85"',
        'discount fence, max: "15%" -> "20%"',
        'orchestrate: step 2 (inapp.prompt), template: "capacity-insight" -> "capacity-insight-v2"',
        'orchestrate: step 4 (email.send) added: {"template":"roi-story"}',
      ],
    });
  });

  it("names a removed step by its stage, number and kind", () => {
    // The capacity review: `- crm.task:` and its indented fields, up to its SLA.
    const edited = seatUpsell.replace(
      /\n {4}- crm\.task:\n {8}owner: csm\n {8}title: "Capacity[\s\S]*?\n {8}sla: 2d/,
      "",
    );
    expect(edited).not.toContain("Capacity review");
    const [change] = diffPlaybooks([source("seat-upsell", "v1", seatUpsell)], [source("seat-upsell", "v2", edited)]);
    expect(change?.changes).toEqual(["orchestrate: step 4 (crm.task) removed"]);
  });

  it("ignores comments and formatting, and lists added, removed and unchanged playbooks by id", () => {
    const reformatted = `# a comment\n${seatUpsell}`;
    const changes = diffPlaybooks(
      [source("seat-upsell", "v1", seatUpsell), source("old-play", "o1", "playbook: old-play\n")],
      [source("seat-upsell", "v1", reformatted), source("new-play", "n1", "playbook: new-play\n")],
    );
    expect(changes.map((c) => [c.playbook, c.kind])).toEqual([
      ["new-play", "added"],
      ["old-play", "removed"],
      ["seat-upsell", "unchanged"],
    ]);
  });
});
