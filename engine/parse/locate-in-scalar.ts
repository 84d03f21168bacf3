// Points at a character inside a YAML string: the value a condition or a template parser sees is
// the scalar after YAML took its quotes, escapes, folded line breaks and block indentation away,
// so an index into it is walked back to the text it came from.
import { isScalar, Scalar } from "yaml";
import { locateValue, type DataPath, type Span } from "./locate.js";
import type { ParsedYaml } from "./parse-yaml.js";

/** The length of a double-quoted escape starting at `at` (`\n`, `\"`, `\x41`, `\u00e9`, `\U0001F600`). */
function escapeLength(text: string, at: number): number {
  const kind = text[at + 1];
  return kind === "x" ? 4 : kind === "u" ? 6 : kind === "U" ? 10 : 2;
}

/** Past a line break and the indentation after it: all of it, or a block scalar's `indent` columns. */
function afterLineBreak(text: string, at: number, indent: number | undefined): number {
  let p = at + (text[at] === "\r" && text[at + 1] === "\n" ? 2 : 1);
  for (let skipped = 0; (text[p] === " " || text[p] === "\t") && (indent === undefined || skipped < indent); skipped++)
    p++;
  return p;
}

/**
 * The source offset of each character of a scalar's value, and one past its end. Characters the
 * value does not hold (quotes, indentation, a folded break's spaces) are stepped over; a character
 * that stands for several in the text (an escape, `''`) maps to where they start.
 */
function valueOffsets(text: string, node: Scalar, value: string): number[] {
  const [start, end] = node.range ?? [0, 0];
  const type = node.type;
  const block = type === Scalar.BLOCK_LITERAL || type === Scalar.BLOCK_FOLDED;
  let p = start;
  let indent: number | undefined;
  if (type === Scalar.QUOTE_DOUBLE || type === Scalar.QUOTE_SINGLE) p++;
  if (block) {
    const header = text.indexOf("\n", p);
    p = header === -1 || header >= end ? end : header + 1;
    indent = /^ */.exec(text.slice(p, end))?.[0].length ?? 0;
    p += indent;
  }
  const breakAt = (at: number): boolean => text[at] === "\n" || text[at] === "\r";
  const offsets: number[] = [];
  for (const char of value) {
    for (;;) {
      if (p >= end) break;
      const s = text[p];
      if (type === Scalar.QUOTE_DOUBLE && s === "\\") {
        if (!breakAt(p + 1)) break;
        p = afterLineBreak(text, p + 1, undefined); // an escaped line break: no character in the value
        continue;
      }
      if (text.startsWith(char, p) || (type === Scalar.QUOTE_SINGLE && s === "'" && text[p + 1] === "'")) break;
      if ((char === " " || char === "\n") && breakAt(p)) break;
      p++;
    }
    offsets.push(Math.min(p, end));
    for (let unit = 1; unit < char.length; unit++) offsets.push(Math.min(p + unit, end));
    if (p >= end) continue;
    if (type === Scalar.QUOTE_DOUBLE && text[p] === "\\") p += escapeLength(text, p);
    else if (type === Scalar.QUOTE_SINGLE && text[p] === "'" && text[p + 1] === "'") p += 2;
    else if (breakAt(p)) p = afterLineBreak(text, p, indent);
    else p += char.length;
  }
  offsets.push(Math.min(p, end));
  return offsets;
}

/**
 * Maps a character index (and length) inside the string value at `path` to a span in the file, for
 * plain, quoted and block scalars. Falls back to the value's start when the path is not a scalar.
 */
export function locateInScalar(parsed: ParsedYaml, path: DataPath): (index: number, length: number) => Span {
  const node = parsed.document.getIn(path, true);
  const text = parsed.source.text;
  if (!isScalar(node) || typeof node.value !== "string") {
    const start = locateValue(parsed, path);
    return (index, length) => {
      const offset = start.offset + index;
      return { ...parsed.lineCounter.linePos(offset), offset, length };
    };
  }
  const offsets = valueOffsets(text, node, node.value);
  const at = (index: number): number => offsets[Math.max(0, Math.min(index, offsets.length - 1))] ?? 0;
  return (index, length) => {
    const offset = at(index);
    const lineEnd = text.indexOf("\n", offset);
    const last = Math.max(offset + 1, at(index + length));
    return {
      ...parsed.lineCounter.linePos(offset),
      offset,
      length: Math.max(1, Math.min(last, lineEnd === -1 ? last : lineEnd) - offset),
    };
  };
}
