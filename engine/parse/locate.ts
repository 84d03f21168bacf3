import { isMap, isNode, isPair, isScalar, isSeq, type Node } from "yaml";
import type { SourcePosition } from "../diagnostics/diagnostic.js";
import type { ParsedYaml } from "./parse-yaml.js";

/** A path into the playbook data: map keys and sequence indexes. */
export type DataPath = readonly (string | number)[];

/** A located span: where it starts and how many characters it covers on its first line. */
export interface Span extends SourcePosition {
  readonly offset: number;
  readonly length: number;
}

function nodeAt(parsed: ParsedYaml, path: DataPath): { node?: Node; keyNode?: Node; depth: number } {
  let node: unknown = parsed.document.contents;
  let keyNode: Node | undefined;
  let depth = 0;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (pair === undefined) break;
      keyNode = isNode(pair.key) ? pair.key : undefined;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment];
      if (item === undefined) break;
      keyNode = undefined;
      node = item;
    } else break;
    depth++;
  }
  return { node: isNode(node) ? node : undefined, keyNode, depth };
}

function spanOf(parsed: ParsedYaml, node: Node | undefined): Span {
  const [start, end] = node?.range ?? [0, 1];
  const pos = parsed.lineCounter.linePos(start);
  const lineEnd = parsed.source.text.indexOf("\n", start);
  const limit = lineEnd === -1 ? end : Math.min(end, lineEnd);
  return { ...pos, offset: start, length: Math.max(1, limit - start) };
}

/** Where the value at `path` is written; the nearest written ancestor when the path is absent. */
export function locateValue(parsed: ParsedYaml, path: DataPath): Span {
  return spanOf(parsed, nodeAt(parsed, path).node);
}

/** Where the key at the end of `path` is written; falls back to the value's position. */
export function locateKey(parsed: ParsedYaml, path: DataPath): Span {
  const found = nodeAt(parsed, path);
  if (found.depth === path.length && found.keyNode !== undefined) return spanOf(parsed, found.keyNode);
  return spanOf(parsed, found.node);
}

/** Converts an ajv instancePath (a JSON Pointer) into a data path. */
export function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((part) => (/^(0|[1-9]\d*)$/.test(part) ? Number(part) : part));
}
