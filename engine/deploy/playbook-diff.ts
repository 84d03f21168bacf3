// What a deploy changes, per playbook, in the words a marketer wrote: the YAML of the deployed
// version against the folder's, compared as data (comments and formatting do not count).
import { parse } from "yaml";
import { canonicalJson } from "../compile/canonical-json.js";
import type { PlaybookSource } from "../messages/deployment-messages.js";

/** One playbook's fate in a deploy. */
export interface PlaybookChange {
  readonly playbook: string;
  readonly kind: "added" | "removed" | "changed" | "unchanged";
  readonly before?: string;
  readonly after?: string;
  /** Lines such as `trigger capacity, when: "a >= 0.8" -> "a >= 0.85"`, `orchestrate: step 3 added: email.send`. */
  readonly changes: readonly string[];
}

type Path = readonly (string | number)[];
interface Difference {
  readonly path: Path;
  readonly kind: "added" | "removed" | "changed";
  readonly before?: unknown;
  readonly after?: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const same = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);

/** A step's name: its action or step kind (`email.send`, `wait`, `loop`). */
const stepName = (step: unknown): string => (isObject(step) ? (Object.keys(step)[0] ?? "step") : String(step));

/** Pairs the items of two lists by a longest common subsequence of their names, so an insertion shows as one. */
function alignLists(before: readonly unknown[], after: readonly unknown[]): [number | undefined, number | undefined][] {
  const n = before.length;
  const m = after.length;
  const lcs = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i]![j] =
        stepName(before[i]) === stepName(after[j])
          ? lcs[i + 1]![j + 1]! + 1
          : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const pairs: [number | undefined, number | undefined][] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && stepName(before[i]) === stepName(after[j])) pairs.push([i++, j++]);
    else if (j < m && (i >= n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) pairs.push([undefined, j++]);
    else pairs.push([i++, undefined]);
  }
  return pairs;
}

function differences(before: unknown, after: unknown, path: Path = []): Difference[] {
  if (same(before, after)) return [];
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => {
      if (!(key in before)) return [{ path: [...path, key], kind: "added" as const, after: after[key] }];
      if (!(key in after)) return [{ path: [...path, key], kind: "removed" as const, before: before[key] }];
      return differences(before[key], after[key], [...path, key]);
    });
  }
  if (Array.isArray(before) && Array.isArray(after) && path[0] === "journey") {
    return alignLists(before, after).flatMap(([i, j]) => {
      if (i === undefined) return [{ path: [...path, j ?? 0], kind: "added" as const, after: after[j ?? 0] }];
      if (j === undefined) return [{ path: [...path, i], kind: "removed" as const, before: before[i] }];
      return differences(before[i], after[j], [...path, j]);
    });
  }
  return [{ path, kind: "changed", before, after }];
}

/** A value on one line: strings quoted, objects as compact YAML-ish JSON, long ones cut. */
function show(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value ?? null);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The place a difference is at, in the playbook's own words. */
function place(path: Path, yaml: Record<string, unknown>): string {
  const [section, name, ...rest] = path;
  const tail = (parts: readonly (string | number)[]): string => (parts.length === 0 ? "" : `, ${parts.join(".")}`);
  switch (section) {
    case "triggers":
      return `trigger ${String(name)}${tail(rest)}`;
    case "segments":
      return `segment ${String(name)}${tail(rest)}`;
    case "discounts":
      return `discount fence${tail(path.slice(1))}`;
    case "eligibility":
      return `eligibility${tail(path.slice(1))}`;
    case "journey": {
      if (rest.length === 0) return `stage ${String(name)}`;
      const [index, ...inner] = rest;
      const steps = (yaml.journey as Record<string, unknown[]> | undefined)?.[String(name)];
      const step = typeof index === "number" ? steps?.[index] : undefined;
      const label =
        typeof index === "number"
          ? `step ${index + 1}${step === undefined ? "" : ` (${stepName(step)})`}`
          : String(index);
      return `${String(name)}: ${label}${tail(inner.slice(1))}`;
    }
    default:
      return path.join(".");
  }
}

function describe(difference: Difference, before: Record<string, unknown>, after: Record<string, unknown>): string {
  const where = place(difference.path, difference.kind === "removed" ? before : after);
  const isStep =
    difference.path[0] === "journey" && typeof difference.path[2] === "number" && difference.path.length === 3;
  switch (difference.kind) {
    case "added": {
      if (!isStep) return `${where} added: ${show(difference.after)}`;
      const body = isObject(difference.after) ? Object.values(difference.after)[0] : undefined;
      return `${where} added${body === undefined || body === null ? "" : `: ${show(body)}`}`;
    }
    case "removed":
      return isStep ? `${where} removed` : `${where} removed (was ${show(difference.before)})`;
    case "changed":
      return `${where}: ${show(difference.before)} -> ${show(difference.after)}`;
  }
}

function parsed(source: PlaybookSource | undefined): Record<string, unknown> {
  if (source === undefined) return {};
  const value: unknown = parse(source.text);
  return isObject(value) ? value : {};
}

/** Compares the deployed playbooks with the folder's, playbook by playbook, sorted by id. */
export function diffPlaybooks(
  deployed: readonly PlaybookSource[],
  folder: readonly PlaybookSource[],
): PlaybookChange[] {
  const before = new Map(deployed.map((s) => [s.id, s]));
  const after = new Map(folder.map((s) => [s.id, s]));
  const ids = [...new Set([...before.keys(), ...after.keys()])].sort();
  return ids.map((playbook): PlaybookChange => {
    const old = before.get(playbook);
    const next = after.get(playbook);
    if (old === undefined) return { playbook, kind: "added", after: next?.version, changes: [] };
    if (next === undefined) return { playbook, kind: "removed", before: old.version, changes: [] };
    if (old.version === next.version)
      return { playbook, kind: "unchanged", before: old.version, after: next.version, changes: [] };
    const a = parsed(old);
    const b = parsed(next);
    const changes = differences(a, b).map((d) => describe(d, a, b));
    return { playbook, kind: "changed", before: old.version, after: next.version, changes };
  });
}
