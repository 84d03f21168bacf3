// playbooks/destinations.yaml: checked against its schema and against the playbooks it routes
// steps of; the routing it yields sends each action where its step, kind or channel says.
import { describe, expect, it } from "vitest";
import { deployChangesSomething, formatDeployPlan } from "../../engine/deploy/deploy-plan.js";
import { routeAction, type Routing } from "../../engine/journey/route-action.js";
import { validateDestinations } from "../../engine/validate/validate-destinations.js";
import { validateFiles } from "../../engine/validate/validate-files.js";
import { checkRouting, routingProblems } from "../../engine/runtime/sinks-from-config.js";
import { ROOT, printDiagnostics, readRepoFile } from "../helpers.js";

const GOOD = "test/fixtures/destinations/destinations.yaml";
const BAD = "test/fixtures/destinations/bad/destinations.yaml";
const PLAY = "test/fixtures/journeys/routed-play.yaml";

function routingOf(text: string): Routing {
  const { routing, diagnostics } = validateDestinations(text, "destinations.yaml");
  expect(diagnostics).toEqual([]);
  if (routing === undefined) throw new Error("no routing");
  return routing;
}

const action = (kind: string, channel: string, step = "orchestrate.1") => ({
  playbookId: "routed-play",
  step,
  kind,
  channel,
});

describe("destinations.yaml", () => {
  it("yields the destinations and routes, with the environment variables' names but no secrets", () => {
    const routing = routingOf(readRepoFile(GOOD));
    expect(routing.destinations).toEqual({
      crm: { name: "crm", kind: "webhook", urlEnv: "TEST_CRM_URL", secretEnv: "TEST_CRM_SECRET" },
      esp: { name: "esp", kind: "webhook", urlEnv: "TEST_ESP_URL", secretEnv: "TEST_ESP_SECRET", timeoutMs: 5000 },
      product: { name: "product", kind: "ndjson", file: "routed/in-app.ndjson" },
    });
    expect(routing.kinds).toEqual({ "crm.task": ["crm", "default"], "email.send": ["esp"] });
    expect(routing.default).toEqual(["default"]);
  });

  it("routes by step, then kind, then channel, then default; `default` alone leaves the action unrouted", () => {
    const routing = routingOf(`
destinations:
  crm: { webhook: { url_env: CRM_URL, secret_env: CRM_SECRET } }
  slack: { webhook: { url_env: SLACK_URL, secret_env: SLACK_SECRET } }
  file: { ndjson: { file: all.ndjson } }
routes:
  steps: { routed-play/orchestrate.2: slack }
  kinds: { crm.task: crm }
  channels: { crm: file, email: default }
`);
    const names = (a: ReturnType<typeof action>) => routeAction(routing, a)?.map((d) => d.name);
    expect(names(action("crm.task", "crm", "orchestrate.2"))).toEqual(["slack"]);
    expect(names(action("crm.task", "crm"))).toEqual(["crm"]);
    expect(names(action("report.roi_snapshot", "crm"))).toEqual(["file"]);
    expect(names(action("email.send", "email"))).toBeUndefined();
    expect(names(action("inapp.prompt", "in_app"))).toBeUndefined();
    expect(routeAction(undefined, action("crm.task", "crm"))).toBeUndefined();
    // Keys are looked up as own properties only: a kind named after Object's prototype routes nowhere new.
    expect(names(action("constructor", "__proto__"))).toBeUndefined();
  });

  it("reports unknown destinations, action kinds and steps at file:line:col, with did-you-mean", async () => {
    const results = validateFiles([`${ROOT}${BAD}`, `${ROOT}${PLAY}`]);
    const bad = results.find((r) => r.file.endsWith(BAD));
    expect(bad?.routing).toBeUndefined();
    const text = readRepoFile(BAD);
    const printed = printDiagnostics(
      (bad?.diagnostics ?? []).map((d) => ({ ...d, file: BAD })),
      text,
    );
    expect(printed).toContain("E_UNKNOWN_DESTINATION");
    expect(printed).toContain("did you mean `product`?");
    expect(printed).toContain("did you mean `crm.task`?");
    expect(printed).toContain("no step `routed-play/orchestrate.9`");
    await expect(printed).toMatchFileSnapshot("../fixtures/destinations/bad/destinations.diagnostics.txt");
  });

  it("refuses a destination named `default`, one with two kinds, and a file outside the data folder", () => {
    const problems = (text: string) =>
      validateDestinations(text, "destinations.yaml").diagnostics.map((d) => `${d.line}:${d.col} ${d.code}`);
    expect(problems("destinations:\n  default: { ndjson: { file: a.ndjson } }\n")).toEqual(["2:3 E_SCHEMA_VALUE"]);
    expect(
      problems("destinations:\n  both:\n    ndjson: { file: a.ndjson }\n    webhook: { url_env: A, secret_env: B }\n")
        .length,
    ).toBeGreaterThan(0);
    expect(problems("destinations:\n  up: { ndjson: { file: ../../etc/passwd } }\n")).toEqual(["2:25 E_SCHEMA_VALUE"]);
    expect(problems("destinations:\n  abs: { ndjson: { file: /tmp/x.ndjson } }\n").length).toBe(1);
  });

  it("names every variable a worker's environment lacks or holds malformed", () => {
    const routing = routingOf(readRepoFile(GOOD));
    const secret = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;
    expect(routingProblems(routing, {})).toEqual([
      "destination crm: TEST_CRM_URL is not set",
      "destination crm: TEST_CRM_SECRET is not set",
      "destination esp: TEST_ESP_URL is not set",
      "destination esp: TEST_ESP_SECRET is not set",
    ]);
    const env = {
      TEST_CRM_URL: "ftp://crm",
      TEST_CRM_SECRET: "hunter2",
      TEST_ESP_URL: "https://esp",
      TEST_ESP_SECRET: secret,
    };
    const problems = routingProblems(routing, env);
    expect(problems[0]).toBe("destination crm: TEST_CRM_URL is a ftp: URL, not http(s)");
    expect(problems[1]).toMatch(/^destination crm: TEST_CRM_SECRET must be "whsec_"/);
    expect(problems.join("\n")).not.toContain("hunter2");
    expect(() => checkRouting(routing, env)).toThrow(
      /destinations this environment cannot reach:\n {2}destination crm/,
    );
    expect(() =>
      checkRouting(routing, { ...env, TEST_CRM_URL: "https://crm.example", TEST_CRM_SECRET: secret }),
    ).not.toThrow();
  });

  it("makes a deploy that only reroutes actions a change `playloop deploy` names", () => {
    const plan = { changes: [], affected: {}, policyChanged: false, destinationsChanged: true };
    expect(deployChangesSomething(plan)).toBe(true);
    expect(formatDeployPlan(plan)).toContain("~ destinations.yaml changed: actions route differently");
    expect(deployChangesSomething({ ...plan, destinationsChanged: false })).toBe(false);
  });
});
