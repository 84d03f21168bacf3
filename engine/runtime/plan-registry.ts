// The plans a worker serves: the playbooks folder compiled, content-addressed by version. Every
// version the process has loaded stays available, so plays pinned to an older one keep running.
import { watch, type FSWatcher } from "node:fs";
import { createHash } from "node:crypto";
import type { CompiledPlan } from "../compile/plan.js";
import { canonicalJson } from "../compile/canonical-json.js";
import type { PlanSetRef, ResolvePlansRequest, ResolvePlansResult } from "../messages/account-messages.js";
import type { AccountPolicy } from "../validate/validate-policy.js";
import { loadPlaybooks } from "./load-plans.js";

/** Distinct `have` lists whose encoded answer is kept (they are few: [] and pinned leftovers). */
const MAX_CACHED_ANSWERS = 32;

/** Content-hashed plans and the set deployed now. */
export class PlanRegistry {
  private readonly byVersion = new Map<string, CompiledPlan>();
  private current!: PlanSetRef;
  private watcher: FSWatcher | undefined;
  /** Encoded answers for the deployed set, by the versions the asking workflow already holds. */
  private readonly answers = new Map<string, Uint8Array>();

  constructor(plans: readonly CompiledPlan[], policy: AccountPolicy, loadedAt: number = Date.now()) {
    this.deploy(plans, policy, loadedAt);
  }

  /** A registry holding a playbooks folder; throws PlaybookLoadError when it does not validate. */
  static fromFolder(dir: string): PlanRegistry {
    const { plans, policy } = loadPlaybooks(dir);
    return new PlanRegistry(plans, policy);
  }

  /** Makes a plan set the deployed one. */
  deploy(plans: readonly CompiledPlan[], policy: AccountPolicy, loadedAt: number = Date.now()): PlanSetRef {
    for (const plan of plans) this.byVersion.set(plan.version, plan);
    const versions = Object.fromEntries(
      [...plans].sort((a, b) => a.id.localeCompare(b.id)).map((p) => [p.id, p.version]),
    );
    const id = `set:${createHash("sha256").update(canonicalJson({ versions, policy })).digest("hex").slice(0, 16)}`;
    if (this.current?.id !== id) {
      this.current = { id, loadedAt, versions, policy };
      this.answers.clear();
    }
    return this.current;
  }

  /** The deployed set. */
  get set(): PlanSetRef {
    return this.current;
  }

  /** The deployed plans. */
  get plans(): CompiledPlan[] {
    return Object.values(this.current.versions).flatMap((version) => this.plan(version) ?? []);
  }

  /** A plan by version, if this process has loaded it. */
  plan(version: string): CompiledPlan | undefined {
    return this.byVersion.get(version);
  }

  /** The local activity's answer: the deployed set, and the bodies the workflow lacks. */
  resolve(request: ResolvePlansRequest): ResolvePlansResult {
    const have = new Set(request.have);
    const plans = Object.values(this.current.versions)
      .filter((version) => !have.has(version))
      .flatMap((version) => this.plan(version) ?? []);
    return { set: this.current, plans };
  }

  /**
   * The same answer as JSON bytes, encoded once per set and list of held versions: every account
   * that starts asks the same question, and the bytes go into its history as they are (a binary
   * payload), not through the JSON converter's encoder each time.
   */
  resolveEncoded(request: ResolvePlansRequest): Uint8Array {
    const key = [...request.have].sort().join(" ");
    let answer = this.answers.get(key);
    if (answer === undefined) {
      if (this.answers.size >= MAX_CACHED_ANSWERS) this.answers.clear();
      answer = Buffer.from(JSON.stringify(this.resolve(request)));
      this.answers.set(key, answer);
    }
    return answer;
  }

  /**
   * Reloads the folder when a file in it changes (debounced). A folder that no longer validates
   * keeps the set deployed before, and `onError` says why.
   */
  watchFolder(dir: string, onChange: (set: PlanSetRef) => void, onError: (error: unknown) => void): void {
    let timer: NodeJS.Timeout | undefined;
    this.watcher = watch(dir, { recursive: true }, () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        try {
          const before = this.current.id;
          const { plans, policy } = loadPlaybooks(dir);
          const set = this.deploy(plans, policy);
          if (set.id !== before) onChange(set);
        } catch (error) {
          onError(error);
        }
      }, 300);
    });
  }

  /** Stops watching the folder. */
  close(): void {
    this.watcher?.close();
  }
}

/**
 * The playbooks folder as a registry when this process can read it: an API or ingest beside no
 * worker may not have it, and then sends no plan hints.
 */
export function optionalPlans(
  config: { readonly playbooksDir: string },
  logger: { warn: (message: string) => void },
): PlanRegistry | undefined {
  try {
    return PlanRegistry.fromFolder(config.playbooksDir);
  } catch (error) {
    logger.warn(
      `no playbooks at ${config.playbooksDir} (${error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error)}): accounts learn of new plan sets from the workers' announcements only`,
    );
    return undefined;
  }
}
