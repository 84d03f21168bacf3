import type { FrequencyCap } from "../ast/playbook.js";
import type { Routing } from "../journey/route-action.js";
import type { Scorecard } from "../compile/scorecard.js";
import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import { locateValue } from "../parse/locate.js";
import { parsePlaybook } from "../parse/parse-playbook.js";
import { durationMs } from "../parse/units.js";
import policySchema from "../../schemas/policy.schema.json" with { type: "json" };
import { schemaDiagnostics } from "./schema-diagnostics.js";
import { createSchemaValidator } from "./schema-issues.js";

/** At most `max` touches on `channel` per `perMs`, across all plays. */
export interface TouchCap {
  readonly channel: string;
  readonly max: number;
  readonly perMs: number;
}

/** Hours of the account's day (`from` to `to`, wrapping past midnight) when `channels` are held. */
export interface QuietHours {
  readonly from: string;
  readonly to: string;
  /** `account`: the account's own time zone. */
  readonly timezone: string;
  readonly channels: readonly string[];
}

/** Rules across all playbooks for one account (playbooks/policy.yaml). */
export interface AccountPolicy {
  readonly name: string;
  readonly frequency?: FrequencyCap;
  readonly equalPriority: "first_come" | "latest";
  readonly touches?: readonly TouchCap[];
  readonly quietHours?: QuietHours;
  /** Where actions go (playbooks/destinations.yaml); every action goes to `default` when absent. */
  readonly routing?: Routing;
  /** The readiness score (playbooks/scorecard.yaml); absent: no account has a score. */
  readonly scorecard?: Scorecard;
}

/** The policy when a project has no policy file: one play at a time, no global offer cap. */
export const DEFAULT_POLICY: AccountPolicy = { name: "default", equalPriority: "first_come" };

interface PolicyDocument {
  policy: string;
  frequency?: { max_offers?: number; per?: string; cooldown_after_decline?: string };
  arbitration?: { equal_priority?: "first_come" | "latest" };
  touches?: Record<string, { max: number; per: string }>;
  quiet_hours?: { from: string; to: string; timezone?: string; channels?: string[] };
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
  const q = value.quiet_hours;
  if (q?.timezone !== undefined && q.timezone !== "account" && !isTimeZone(q.timezone))
    return {
      diagnostics: [
        diagnostic(
          "E_SCHEMA_VALUE",
          `unknown time zone \`${q.timezone}\`: write \`account\` (the account's own) or an IANA zone such as \`Europe/Berlin\``,
          file,
          locateValue(parsed, ["quiet_hours", "timezone"]),
        ),
      ],
    };
  const touches = Object.entries(value.touches ?? {}).map(([channel, cap]) => ({
    channel,
    max: cap.max,
    perMs: durationMs(cap.per),
  }));
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
      ...(touches.length === 0 ? {} : { touches }),
      ...(q === undefined
        ? {}
        : {
            quietHours: {
              from: q.from,
              to: q.to,
              timezone: q.timezone ?? "account",
              channels: q.channels ?? ["email", "in_app"],
            },
          }),
    },
    diagnostics: [],
  };
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** True for the file name that holds the policy rather than a playbook. */
export function isPolicyFile(file: string): boolean {
  return /(^|[\\/])policy\.ya?ml$/.test(file);
}
