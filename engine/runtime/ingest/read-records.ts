import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { parse } from "csv-parse";

/** One line of an export: its record, or why it could not be read. */
export type RawRecord =
  | { readonly line: number; readonly record: Record<string, unknown> }
  | { readonly line: number; readonly error: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads an NDJSON export line by line; a line that is not a JSON object is reported, not thrown. */
export async function* readNdjson(file: string): AsyncGenerator<RawRecord> {
  const lines = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === "") continue;
    try {
      const value: unknown = JSON.parse(text);
      yield isRecord(value) ? { line, record: value } : { line, error: "not a JSON object" };
    } catch (error) {
      yield { line, error: `not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
}

/** Reads a CSV export with a header row; a malformed row is reported with its line and the rest go on. */
export async function* readCsv(file: string): AsyncGenerator<RawRecord> {
  const skipped: RawRecord[] = [];
  const source = createReadStream(file);
  const parser = source.pipe(
    parse({
      columns: true,
      bom: true,
      trim: true,
      skip_empty_lines: true,
      info: true,
      skip_records_with_error: true,
      on_skip: (error, raw) => {
        skipped.push({ line: Number(error?.lines ?? 0), error: error?.message ?? `malformed row: ${raw ?? ""}` });
        return undefined;
      },
    }),
  );
  // `pipe` does not pass on the file's errors (a missing file): the parser must end with them.
  source.on("error", (error) => parser.destroy(error));
  for await (const entry of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    while (skipped.length > 0) {
      const skip = skipped.shift();
      if (skip !== undefined) yield skip;
    }
    yield { line: entry.info.lines, record: entry.record };
  }
  yield* skipped;
}

/** Reads NDJSON (`.ndjson`, `.jsonl`, `.json`) or CSV (`.csv`) by the file's extension. */
export function readRecords(file: string): AsyncGenerator<RawRecord> {
  if (/\.csv$/i.test(file)) return readCsv(file);
  if (/\.(nd)?jsonl?$/i.test(file) || /\.ndjson$/i.test(file)) return readNdjson(file);
  throw new Error(`${file}: unknown format; use .ndjson, .jsonl or .csv`);
}

/** Counts a file's lines, for the progress bar. */
export async function countLines(file: string): Promise<number> {
  let count = 0;
  for await (const chunk of createReadStream(file)) {
    const buffer = chunk as Buffer;
    for (let i = 0; i < buffer.length; i++) if (buffer[i] === 10) count++;
  }
  return count;
}
