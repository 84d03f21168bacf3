import type { FrequencyCap } from "../ast/playbook.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { parsePlaybook } from "../parse/parse-playbook.js";
import { durationMs } from "../parse/units.js";
import policySchema from "../../schemas/policy.schema.json" with { type: "json" };
import { schemaDiagnostics } from "./schema-diagnostics.js";
import { createSchemaValidator } from "./schema-issues.js";

/** Rules across all playbooks for one account (playbooks/policy.yaml). */
export interface AccountPolicy {
  readonly name: string;
  readonly frequency?: FrequencyCap;
  readonly equalPriority: "first_come" | "latest";
}

/** The policy when a project has no policy file: one play at a time, no global offer cap. */
export const DEFAULT_POLICY: AccountPolicy = { name: "default", equalPriority: "first_come" };

interface PolicyDocument {
  policy: string;
  frequency?: { max_offers?: number; per?: string; cooldown_after_decline?: string };
  arbitration?: { equal_priority?: "first_come" | "latest" };
}

const validateDocument = createSchemaValidator<PolicyDocument>(policySchema);

/** Validates a policy file; the policy when valid, and every diagnostic. */
export function validatePolicy(
  input: string | Uint8Array,
  file = "policy.yaml",
): { policy?: AccountPolicy; diagnostics: Diagnostic[] } {
  const { parsed, diagnostics } = parsePlaybook(input, file);
  if (parsed === undefined) return { diagnostics };
  const { value, issues } = validateDocument(parsed.value);
  if (value === undefined) return { diagnostics: schemaDiagnostics(parsed, issues) };
  const f = value.frequency;
  return {
    policy: {
      name: value.policy,
      frequency:
        f === undefined
          ? undefined
          : {
              maxOffers: f.max_offers,
              perMs: f.per === undefined ? undefined : durationMs(f.per),
              cooldownAfterDeclineMs:
                f.cooldown_after_decline === undefined ? undefined : durationMs(f.cooldown_after_decline),
            },
      equalPriority: value.arbitration?.equal_priority ?? "first_come",
    },
    diagnostics: [],
  };
}

/** True for the file name that holds the policy rather than a playbook. */
export function isPolicyFile(file: string): boolean {
  return /(^|[\\/])policy\.ya?ml$/.test(file);
}
