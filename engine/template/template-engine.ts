// The one Liquid configuration playloop parses and renders with, so validation and the journey
// core agree on what a template may do. It runs inside Temporal's workflow sandbox: it reads no
// file, no clock and no host time zone, and every render is bounded by counted work (never by
// wall-clock time, which would make a replay differ), so the same inputs always give the same text.
import type { Context, FS, Liquid, TagToken, TopLevelToken } from "liquidjs";
import { formatDate } from "./format-date.js";
import { liquidjsModule } from "./liquidjs-module.js";
import { timeZoneOr } from "./time-zone.js";

/** The longest template text, in characters. */
export const MAX_TEMPLATE_LENGTH = 20_000;
/**
 * The work one render may do, in liquidjs's memory units: characters built by filters and
 * written by outputs, items of ranges, and one per block rendered (a loop's body, a branch), so a
 * template that loops over loops stops within milliseconds instead of holding the core.
 */
export const RENDER_BUDGET = 200_000;

/** What liquidjs binds `this` to in a filter (its own FilterImpl type is not exported). */
interface FilterThis {
  readonly context: Context;
}

/** Thrown when a template uses a tag or filter playloop does not offer. */
export class TemplateFeatureRefused extends Error {
  override readonly name = "TemplateFeatureRefused";
}

/** Tags that read other templates from files: a playbook's templates stand alone. */
const FILE_TAGS = ["include", "render", "layout"] as const;
/** Filters whose output is not a function of their input (`sample` draws a random number). */
export const NONDETERMINISTIC_FILTERS: readonly string[] = ["sample"];
/** liquidjs filters that read the host's time zone; replaced by ones that read the account's. */
const DATE_FORMATS: Readonly<Record<string, string>> = {
  date_to_xmlschema: "%Y-%m-%dT%H:%M:%S%:z",
  date_to_rfc822: "%a, %d %b %Y %H:%M:%S %z",
  date_to_string: "%d %b %Y",
  date_to_long_string: "%d %B %Y",
};
/** liquidjs's default date format, kept so `{{ x | date }}` reads as it does elsewhere. */
const DEFAULT_DATE_FORMAT = "%A, %B %-e, %Y at %-l:%M %P %z";

function refuse(message: string): never {
  throw new TemplateFeatureRefused(message);
}

/** A file system that has no files: nothing a template does can reach the disk or the network. */
const NO_FILES: FS = {
  exists: () => Promise.resolve(false),
  existsSync: () => false,
  readFile: (file) => Promise.reject(new TemplateFeatureRefused(`templates cannot read files (${file})`)),
  readFileSync: (file) => refuse(`templates cannot read files (${file})`),
  resolve: (_dir, file) => file,
};

/** An own property of a plain object, or undefined: scope values never reach prototypes. */
function own(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null && Object.hasOwn(value, key)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The instant a date filter's input means, and the zone it reads in: a date with no time
 * (`2027-12-01`, as account dates are written) is that day everywhere, so it reads in UTC;
 * `now` and `today` are the scope's `now` (the core's clock); numbers are epoch seconds.
 */
function dateInput(value: unknown, context: Context, zone: string): { at: number; zone: string } | undefined {
  let input = value;
  if (input === "now" || input === "today") input = own(context.environments, "now");
  if (typeof input === "number") return Number.isFinite(input) ? { at: input * 1000, zone } : undefined;
  if (typeof input !== "string") return undefined;
  const trimmed = input.trim();
  if (/^\d+$/.test(trimmed)) return { at: Number(trimmed) * 1000, zone };
  const at = Date.parse(trimmed);
  if (!Number.isFinite(at)) return undefined;
  return { at, zone: DATE_ONLY.test(trimmed) ? "UTC" : zone };
}

/** The zone dates render in: the filter's argument, else the account's `timezone`, else UTC. */
function renderZone(context: Context, zone: unknown): string {
  const fallback = timeZoneOr(own(own(context.environments, "account"), "timezone"));
  return zone === undefined ? fallback : timeZoneOr(zone, fallback);
}

/** `date: format, zone`: strftime in the account's time zone (or the zone given). */
function dateFilter(this: FilterThis, value: unknown, format?: unknown, zone?: unknown): unknown {
  const input = dateInput(value, this.context, renderZone(this.context, zone));
  if (input === undefined) return value;
  const pattern = typeof format === "string" && format !== "" ? format : DEFAULT_DATE_FORMAT;
  this.context.memoryLimit.use(pattern.length);
  return formatDate(input.at, pattern, input.zone);
}

/** What an output writes, as liquidjs writes it: nil is empty, a list its items joined. */
function outputText(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return value.map(outputText).join("");
  return typeof value === "string" ? value : String(value);
}

/** Every `{{ ... }}` counts what it writes against the render budget. */
function meteredOutput(this: FilterThis, value: unknown): string {
  const text = outputText(value);
  this.context.memoryLimit.use(text.length);
  return text;
}

function createEngine(): Liquid {
  const { Liquid, Tag } = liquidjsModule();
  class FileTag extends Tag {
    constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
      super(token, remain, liquid);
      refuse(`the \`${token.name}\` tag is not offered: a playbook's templates cannot read other files`);
    }
    render(): string {
      return "";
    }
  }
  const liquid = new Liquid({
    fs: NO_FILES,
    relativeReference: false,
    dynamicPartials: false,
    ownPropertyOnly: true,
    strictVariables: false,
    strictFilters: true,
    locale: "en-US",
    outputEscape: meteredOutput,
    parseLimit: MAX_TEMPLATE_LENGTH,
    memoryLimit: RENDER_BUDGET,
    cache: false,
  });
  for (const tag of FILE_TAGS) liquid.registerTag(tag, FileTag);
  for (const filter of NONDETERMINISTIC_FILTERS) delete liquid.filters[filter];
  // `raw` would skip the metering of outputs; without escaping it has nothing else to do.
  liquid.registerFilter("raw", (value: unknown) => value);
  liquid.registerFilter("date", dateFilter);
  for (const [name, pattern] of Object.entries(DATE_FORMATS))
    liquid.registerFilter(name, function (this: FilterThis, value: unknown) {
      return dateFilter.call(this, value, pattern);
    });
  // Every block rendered (a loop's body, each branch) costs one unit: loops within loops end.
  const renderer = liquid.renderer;
  const renderTemplates = renderer.renderTemplates.bind(renderer);
  renderer.renderTemplates = function* (templates, ctx, emitter) {
    ctx.memoryLimit.use(1);
    return yield* renderTemplates(templates, ctx, emitter);
  };
  return liquid;
}

let engine: Liquid | undefined;

/** The configured Liquid, built on first use (a workflow that renders nothing does not pay for it). */
export function templateEngine(): Liquid {
  engine ??= createEngine();
  return engine;
}
