import accountSchema from "../../schemas/account.schema.json" with { type: "json" };
import type { DataPath } from "../parse/locate.js";
import { createSchemaValidator } from "./schema-issues.js";

/** An account snapshot in the canonical shape (schemas/account.schema.json); extra fields allowed. */
export interface Account {
  readonly id: string;
  readonly [field: string]: unknown;
}

/** One problem with an account snapshot, with the JSON path of the offending value. */
export interface AccountIssue {
  readonly path: DataPath;
  readonly message: string;
}

const validate = createSchemaValidator<Account>(accountSchema);

/** Validates an account snapshot; returns the account when valid, else every issue. */
export function validateAccount(value: unknown): { account?: Account; issues: AccountIssue[] } {
  const { value: account, issues } = validate(value);
  return { account, issues: issues.map((issue) => ({ path: issue.path, message: issue.message })) };
}
