/** The destination every project has: the worker's action log, and PLAYLOOP_WEBHOOK_URL when set. */
export const DEFAULT_DESTINATION = "default";

/**
 * Where one action goes, as a worker needs it to deliver: a name and how to reach it. Secrets
 * are never here, only the names of the environment variables that hold them.
 */
export type Destination =
  | { readonly name: string; readonly kind: "default" }
  | {
      readonly name: string;
      readonly kind: "webhook";
      readonly urlEnv: string;
      readonly secretEnv: string;
      readonly timeoutMs?: number;
    }
  /** `file` is inside the worker's data folder. */
  | { readonly name: string; readonly kind: "ndjson"; readonly file: string };

/** Targets by route key; each list holds destination names. */
type RouteTable = Readonly<Record<string, readonly string[]>>;

/** playbooks/destinations.yaml, checked: the destinations and the routes to them. */
export interface Routing {
  readonly destinations: Readonly<Record<string, Destination>>;
  /** By `<playbook>/<step id>`. */
  readonly steps: RouteTable;
  readonly kinds: RouteTable;
  readonly channels: RouteTable;
  readonly default: readonly string[];
}

const lookup = (table: RouteTable, key: string): readonly string[] | undefined =>
  Object.hasOwn(table, key) ? table[key] : undefined;

/**
 * The destinations of one action: its step's route, else its kind's, else its channel's, else the
 * default. Undefined when that is only `default`, so an unrouted action is delivered exactly as in
 * a project without destinations (and histories recorded before routing replay unchanged).
 */
export function routeAction(
  routing: Routing | undefined,
  action: { readonly playbookId: string; readonly step: string; readonly kind: string; readonly channel: string },
): readonly Destination[] | undefined {
  if (routing === undefined) return undefined;
  const names =
    lookup(routing.steps, `${action.playbookId}/${action.step}`) ??
    lookup(routing.kinds, action.kind) ??
    lookup(routing.channels, action.channel) ??
    routing.default;
  if (names.length === 1 && names[0] === DEFAULT_DESTINATION) return undefined;
  return names.map((name) =>
    Object.hasOwn(routing.destinations, name)
      ? (routing.destinations[name] as Destination)
      : { name: DEFAULT_DESTINATION, kind: "default" as const },
  );
}
