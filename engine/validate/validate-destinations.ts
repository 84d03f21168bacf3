import type { PlaybookNode } from "../ast/playbook.js";
import { diagnostic, sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import { didYouMean } from "../diagnostics/suggest.js";
import { DEFAULT_DESTINATION, type Destination, type Routing } from "../journey/route-action.js";
import { locateKey, locateValue, type DataPath } from "../parse/locate.js";
import { parsePlaybook } from "../parse/parse-playbook.js";
import type { ParsedYaml } from "../parse/parse-yaml.js";
import { ACTION_KINDS } from "../parse/playbook-document.js";
import destinationsSchema from "../../schemas/destinations.schema.json" with { type: "json" };
import { schemaDiagnostics } from "./schema-diagnostics.js";
import { createSchemaValidator } from "./schema-issues.js";

type Targets = string | string[];

interface DestinationsDocument {
  destinations: Record<
    string,
    {
      description?: string;
      webhook?: { url_env: string; secret_env: string; timeout?: string };
      ndjson?: { file: string };
    }
  >;
  routes?: {
    steps?: Record<string, Targets>;
    kinds?: Record<string, Targets>;
    channels?: Record<string, Targets>;
    default?: Targets;
  };
}

const validateDocument = createSchemaValidator<DestinationsDocument>(destinationsSchema);

/** A checked destinations file, with what the cross-file check needs to point at its step routes. */
export interface DestinationsResult {
  readonly routing?: Routing;
  readonly diagnostics: Diagnostic[];
  /** Where each `routes.steps` key is written, to report a step no playbook has. */
  readonly stepRoutes?: readonly { readonly key: string; readonly at: ReturnType<typeof locateKey> }[];
}

const list = (targets: Targets): string[] => (typeof targets === "string" ? [targets] : targets);

function destinationOf(name: string, entry: DestinationsDocument["destinations"][string]): Destination {
  if (entry.webhook !== undefined) {
    const { url_env: urlEnv, secret_env: secretEnv, timeout } = entry.webhook;
    const timeoutMs =
      timeout === undefined ? undefined : Number(timeout.slice(0, -1)) * (timeout.endsWith("m") ? 60_000 : 1000);
    return { name, kind: "webhook", urlEnv, secretEnv, ...(timeoutMs === undefined ? {} : { timeoutMs }) };
  }
  return { name, kind: "ndjson", file: entry.ndjson?.file ?? "" };
}

/** Every route's targets name a declared destination or `default`; kinds are action kinds. */
function checkRoutes(parsed: ParsedYaml, value: DestinationsDocument, file: string): Diagnostic[] {
  const names = new Set([DEFAULT_DESTINATION, ...Object.keys(value.destinations)]);
  const found: Diagnostic[] = [];
  const checkTargets = (targets: Targets, path: DataPath): void =>
    list(targets).forEach((name, index) => {
      if (names.has(name)) return;
      found.push(
        diagnostic(
          "E_UNKNOWN_DESTINATION",
          `no destination \`${name}\`${didYouMean(name, names)}: declare it under \`destinations\`, or route to \`default\``,
          file,
          locateValue(parsed, typeof targets === "string" ? path : [...path, index]),
        ),
      );
    });
  const routes = value.routes ?? {};
  for (const table of ["steps", "kinds", "channels"] as const)
    for (const [key, targets] of Object.entries(routes[table] ?? {})) checkTargets(targets, ["routes", table, key]);
  if (routes.default !== undefined) checkTargets(routes.default, ["routes", "default"]);
  for (const kind of Object.keys(routes.kinds ?? {}))
    if (!(ACTION_KINDS as readonly string[]).includes(kind))
      found.push(
        diagnostic(
          "E_UNKNOWN_ROUTE",
          `no action kind \`${kind}\`${didYouMean(kind, ACTION_KINDS)}: kinds are ${ACTION_KINDS.join(", ")}`,
          file,
          locateKey(parsed, ["routes", "kinds", kind]),
        ),
      );
  return found;
}

/** Validates playbooks/destinations.yaml: the routing when valid, and every diagnostic. */
export function validateDestinations(input: string | Uint8Array, file = "destinations.yaml"): DestinationsResult {
  const { parsed, diagnostics } = parsePlaybook(input, file);
  if (parsed === undefined) return { diagnostics };
  const { value, issues } = validateDocument(parsed.value);
  if (value === undefined) return { diagnostics: schemaDiagnostics(parsed, issues) };
  const problems = sortDiagnostics(checkRoutes(parsed, value, file));
  const stepRoutes = Object.keys(value.routes?.steps ?? {}).map((key) => ({
    key,
    at: locateKey(parsed, ["routes", "steps", key]),
  }));
  if (problems.length > 0) return { diagnostics: problems, stepRoutes };
  const table = (entries: Record<string, Targets> | undefined): Record<string, string[]> =>
    Object.fromEntries(Object.entries(entries ?? {}).map(([key, targets]) => [key, list(targets)]));
  const routes = value.routes ?? {};
  return {
    routing: {
      destinations: Object.fromEntries(
        Object.entries(value.destinations).map(([name, entry]) => [name, destinationOf(name, entry)]),
      ),
      steps: table(routes.steps),
      kinds: table(routes.kinds),
      channels: table(routes.channels),
      default: routes.default === undefined ? [DEFAULT_DESTINATION] : list(routes.default),
    },
    diagnostics: [],
    stepRoutes,
  };
}

/** A `routes.steps` key must name a step of a playbook validated with it. */
export function checkStepRoutes(
  result: DestinationsResult,
  playbooks: readonly PlaybookNode[],
  file: string,
): Diagnostic[] {
  const steps = new Set(
    playbooks.flatMap((playbook) =>
      playbook.stages.flatMap((stage) => stage.steps.map((step) => `${playbook.id}/${step.id}`)),
    ),
  );
  return (result.stepRoutes ?? [])
    .filter(({ key }) => !steps.has(key))
    .map(({ key, at }) =>
      diagnostic(
        "E_UNKNOWN_ROUTE",
        `no step \`${key}\` in the playbooks${didYouMean(key, steps)}: write \`<playbook>/<step id>\`, such as \`seat-upsell/orchestrate.2\``,
        file,
        at,
      ),
    );
}

/** True for the file name that holds the destinations rather than a playbook. */
export function isDestinationsFile(file: string): boolean {
  return /(^|[\\/])destinations\.ya?ml$/.test(file);
}
