// What an action's templates read, checked against what their scope will hold: the account's
// fields as schemas/account.schema.json declares them, and the names playloop adds (`event`,
// `offer`, `experiments`, `playbook`, `now`). An account may carry fields the schema does not
// declare, so an unknown field is a warning (usually a typo); an undeclared experiment is an
// error, as in conditions.
import type { PlaybookNode, TemplateRead } from "../ast/playbook.js";
import type { DiagnosticCode } from "../diagnostics/codes.js";
import { didYouMean } from "../diagnostics/suggest.js";
import type { Span } from "../parse/locate.js";
import { EVENT_FIELDS, OFFER_FIELDS, PLAYBOOK_FIELDS, SCOPE_ROOTS } from "../template/scope-names.js";
import { undeclaredField } from "./undeclared-field.js";

type Report = (code: DiagnosticCode, message: string, span: Span) => void;

/** The fields each name playloop adds has; undefined: any (`event.data`'s come from the sender). */
const ROOT_FIELDS: Readonly<Record<string, readonly string[]>> = {
  event: EVENT_FIELDS,
  offer: OFFER_FIELDS,
  playbook: PLAYBOOK_FIELDS,
};

/** Properties Liquid offers on any list or string: they are not fields. */
const LIST_PROPERTIES = new Set(["size", "first", "last"]);

const dotted = (path: readonly (string | number)[]): string => path.join(".");

/** Checks one value a template reads. */
function checkRead(read: TemplateRead, field: string, experiments: readonly string[], report: Report): void {
  const [root, next] = read.path;
  if (typeof root !== "string") return;
  const where = `${field} reads \`${read.text}\``;
  if (root === "experiments") {
    if (typeof next === "string" && !experiments.includes(next)) {
      const list = experiments.length > 0 ? `; defined: ${experiments.join(", ")}` : "; the playbook defines none";
      report(
        "E_UNKNOWN_EXPERIMENT",
        `${where}: unknown experiment \`${next}\`${didYouMean(next, experiments) || list}`,
        read.span,
      );
    }
    return;
  }
  const known = ROOT_FIELDS[root];
  if (known !== undefined) {
    if (typeof next === "string" && !known.includes(next) && !LIST_PROPERTIES.has(next))
      report("W_UNKNOWN_FIELD", `${where}: \`${root}\` has no \`${next}\`${didYouMean(next, known)}`, read.span);
    return;
  }
  if (root === "now") return;
  const path = root === "account" ? read.path.slice(1) : read.path;
  const missing = undeclaredField(path);
  if (missing === undefined) return;
  const prefix = path.slice(0, missing.index);
  const candidates = missing.known.map((name) => dotted([...prefix, name]));
  // At the top level, the names playloop adds are what a typo may have meant too.
  if (root !== "account" && missing.index === 0) candidates.push(...SCOPE_ROOTS);
  const name = dotted(path.slice(0, missing.index + 1));
  report(
    "W_UNKNOWN_FIELD",
    `${where}: the account schema has no field \`${name}\`${didYouMean(name, candidates)}`,
    read.span,
  );
}

/** Checks every value the playbook's templates read; see the file's comment. */
export function checkTemplates(playbook: PlaybookNode, report: Report): void {
  const steps = playbook.stages.flatMap((stage) => stage.steps);
  const experiments = steps.flatMap((step) => (step.kind === "experiment" ? [step.name] : []));
  for (const step of steps) {
    if (step.kind !== "action") continue;
    for (const site of step.templates) for (const read of site.reads) checkRead(read, site.field, experiments, report);
  }
}
