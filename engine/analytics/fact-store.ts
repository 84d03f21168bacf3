// The embedded analytics database: facts in DuckDB (a file in the data folder by default), with
// the SQL macros of reports/*.sql that define every metric. One process writes (the worker); a
// report reads through that process's API or, when nothing has the file open, opens it itself.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance, timestampValue, type DuckDBConnection } from "@duckdb/node-api";
import type { Fact } from "../journey/account-facts.js";
import { projectRoot } from "../runtime/project-root.js";

/** The folder of the SQL that defines the facts table and every metric. */
export const REPORTS_DIR = join(projectRoot(), "reports");

/** The SQL files in the order they run: the table first, then the macros built on it. */
export function reportSql(dir = REPORTS_DIR): { file: string; sql: string }[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith(".sql"))
    .sort()
    .map((file) => ({ file, sql: readFileSync(join(dir, file), "utf8") }));
}

/** A row as DuckDB returns it as JSON-safe values: numbers as numbers, times as ISO strings. */
export type Row = Record<string, string | number | boolean | null>;

const ISO_PARAM = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** The facts table and the metric macros in one DuckDB database. */
export class FactStore {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    readonly path: string,
  ) {}

  /**
   * Opens (creating when absent) the database at `path` (`:memory:` for one in memory) and
   * defines the table and macros. Read-only opens leave the file as it is and fail when another
   * process has it open for writing.
   */
  static async open(path: string, options: { readOnly?: boolean } = {}): Promise<FactStore> {
    const instance = await DuckDBInstance.create(path, {
      ...(options.readOnly === true ? { access_mode: "READ_ONLY" } : {}),
      // Nothing is fetched from the network: the JSON functions are built in.
      autoinstall_known_extensions: "false",
    });
    const connection = await instance.connect();
    const store = new FactStore(instance, connection, path);
    for (const { file, sql } of reportSql()) {
      // Macros are temporary in a read-only database; the table is already there.
      const text =
        options.readOnly === true ? sql.replace(/CREATE OR REPLACE MACRO/g, "CREATE OR REPLACE TEMP MACRO") : sql;
      if (options.readOnly === true && /CREATE TABLE/.test(text)) continue;
      try {
        await connection.run(text);
      } catch (error) {
        connection.closeSync();
        throw new Error(`reports/${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    }
    return store;
  }

  /** Calls on the one connection, one after another (a transaction at a time). */
  private queue: Promise<unknown> = Promise.resolve();
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Facts handed to `record` that wait for the next transaction, each call with its promise. */
  private pending: { facts: readonly Fact[]; resolve: (stored: number) => void; reject: (error: unknown) => void }[] =
    [];

  /**
   * Stores facts not stored yet (by id); returns how many were new once they are committed. Calls
   * that arrive while a transaction runs share the next one (a group commit): a worker storing the
   * facts of many accounts at once pays one commit for all of them, not one each.
   */
  record(facts: readonly Fact[]): Promise<number> {
    if (facts.length === 0) return Promise.resolve(0);
    return new Promise((resolve, reject) => {
      this.pending.push({ facts, resolve, reject });
      if (this.pending.length === 1) void this.serial(() => this.flush());
    });
  }

  /** Commits every waiting call's facts in one transaction; when it fails, each call alone, so one bad call fails alone. */
  private async flush(): Promise<void> {
    const calls = this.pending.splice(0);
    try {
      const stored = await this.insert(calls.map((call) => call.facts));
      calls.forEach((call, index) => call.resolve(stored[index] ?? 0));
    } catch (error) {
      if (calls.length === 1) return calls[0]?.reject(error);
      for (const call of calls)
        await this.insert([call.facts]).then(([stored]) => call.resolve(stored ?? 0), call.reject);
    }
  }

  /** Inserts the groups in one transaction; how many of each group's facts were new. */
  private async insert(groups: readonly (readonly Fact[])[]): Promise<number[]> {
    const insert = await this.connection.prepare(
      "INSERT INTO facts VALUES ($1, $2, $3, make_timestamp($4::BIGINT * 1000), $5, $6, $7, $8::JSON) ON CONFLICT DO NOTHING",
    );
    await this.connection.run("BEGIN TRANSACTION");
    try {
      const stored: number[] = [];
      for (const facts of groups) {
        let count = 0;
        for (const fact of facts) {
          const at = Date.parse(fact.at);
          if (!Number.isFinite(at)) throw new Error(`fact ${fact.id}: "at" is not a time: ${String(fact.at)}`);
          insert.bindVarchar(1, fact.id);
          insert.bindVarchar(2, fact.type);
          insert.bindVarchar(3, fact.account);
          insert.bindBigInt(4, BigInt(at));
          if (fact.playbook === undefined) insert.bindNull(5);
          else insert.bindVarchar(5, fact.playbook);
          if (fact.run === undefined) insert.bindNull(6);
          else insert.bindInteger(6, fact.run);
          if (fact.holdout === undefined) insert.bindNull(7);
          else insert.bindBoolean(7, fact.holdout);
          insert.bindVarchar(8, JSON.stringify(fact.data));
          count += (await insert.run()).rowsChanged;
        }
        stored.push(count);
      }
      await this.connection.run("COMMIT");
      return stored;
    } catch (error) {
      await this.connection.run("ROLLBACK");
      throw error;
    }
  }

  /** How many facts are stored. */
  count(): Promise<number> {
    return this.serial(() => this.countNow());
  }

  private async countNow(): Promise<number> {
    const [row] = await this.run("SELECT count(*) AS n FROM facts", []);
    return Number(row?.n ?? 0);
  }

  /**
   * Runs a query with positional parameters ($1, ...); an ISO time string parameter is passed as
   * a TIMESTAMP. Rows come back as plain JSON values.
   */
  query(sql: string, params: readonly (string | number | boolean)[] = []): Promise<Row[]> {
    return this.serial(() => this.run(sql, params));
  }

  private async run(sql: string, params: readonly (string | number | boolean)[]): Promise<Row[]> {
    const statement = await this.connection.prepare(sql);
    params.forEach((param, index) => {
      if (typeof param === "string" && ISO_PARAM.test(param))
        statement.bindTimestamp(index + 1, timestampValue(BigInt(Date.parse(param)) * 1000n));
      else if (typeof param === "number") statement.bindDouble(index + 1, param);
      else if (typeof param === "boolean") statement.bindBoolean(index + 1, param);
      else statement.bindVarchar(index + 1, param);
    });
    const reader = await statement.runAndReadAll();
    return reader.getRowObjectsJson() as Row[];
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
