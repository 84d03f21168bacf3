// The plans a worker serves: content-addressed by version. In `playloop dev`, `worker` and `serve`
// the set served is always the current deployment's (a DeploymentFollower adopts it); tests and the
// benchmark load a folder directly. Every version the process has loaded stays available, so plays
// pinned to an older one keep running.
import { watch, type FSWatcher } from "node:fs";
import type { CompiledPlan } from "../compile/plan.js";
import { planSetId } from "../deploy/plan-set-id.js";
import type { PlanSetRef, ResolvePlansRequest, ResolvePlansResult } from "../messages/account-messages.js";
import type { AccountPolicy } from "../validate/validate-policy.js";
import { loadPlaybooks, type LoadedPlaybooks } from "./load-plans.js";

/** Distinct `have` lists whose encoded answer is kept (they are few: [] and pinned leftovers). */
const MAX_CACHED_ANSWERS = 32;

/** Thrown when asked for plans before the process knows the deployed set: the local activity retries. */
export class NoPlanSetYet extends Error {
  override readonly name = "NoPlanSetYet";
  constructor() {
    super("this worker has not loaded the current deployment yet");
  }
}

/** Content-hashed plans and the set served now. */
export class PlanRegistry {
  private readonly byVersion = new Map<string, CompiledPlan>();
  private current: PlanSetRef | undefined;
  private watcher: FSWatcher | undefined;
  /** Encoded answers for the current set, by the versions the asking workflow already holds. */
  private readonly answers = new Map<string, Uint8Array>();

  /** A registry serving `plans` as a set loaded at `loadedAt`; with no plans, one that serves nothing yet. */
  constructor(plans: readonly CompiledPlan[] = [], policy?: AccountPolicy, loadedAt: number = Date.now()) {
    if (plans.length > 0 && policy !== undefined) this.deploy(plans, policy, loadedAt);
  }

  /** A registry holding a playbooks folder; throws PlaybookLoadError when it does not validate. */
  static fromFolder(dir: string): PlanRegistry {
    const { plans, policy } = loadPlaybooks(dir);
    return new PlanRegistry(plans, policy);
  }

  /** Makes a folder's plans the set served (tests and the benchmark; the runtime adopts deployments). */
  deploy(plans: readonly CompiledPlan[], policy: AccountPolicy, loadedAt: number = Date.now()): PlanSetRef {
    const versions = Object.fromEntries(
      [...plans].sort((a, b) => a.id.localeCompare(b.id)).map((p) => [p.id, p.version]),
    );
    const id = planSetId(versions, policy);
    if (this.current?.id === id) return this.current;
    return this.adopt({ id, loadedAt, versions, policy }, plans);
  }

  /** Serves a deployed set; `plans` must hold the bodies of its versions this process lacks. */
  adopt(set: PlanSetRef, plans: readonly CompiledPlan[]): PlanSetRef {
    for (const plan of plans) this.byVersion.set(plan.version, plan);
    const missing = Object.values(set.versions).filter((version) => !this.byVersion.has(version));
    if (missing.length > 0) throw new Error(`cannot serve ${set.id}: no plan body for ${missing.join(", ")}`);
    if (this.current?.id !== set.id || this.current.loadedAt !== set.loadedAt) {
      this.current = set;
      this.answers.clear();
    }
    return set;
  }

  /** The set served; throws NoPlanSetYet before one is loaded. */
  get set(): PlanSetRef {
    if (this.current === undefined) throw new NoPlanSetYet();
    return this.current;
  }

  /** The set served, if any. */
  get setIfLoaded(): PlanSetRef | undefined {
    return this.current;
  }

  /** The plans of the set served. */
  get plans(): CompiledPlan[] {
    return Object.values(this.current?.versions ?? {}).flatMap((version) => this.plan(version) ?? []);
  }

  /** A plan by version, if this process has loaded it. */
  plan(version: string): CompiledPlan | undefined {
    return this.byVersion.get(version);
  }

  /** The versions whose bodies this process holds. */
  has(version: string): boolean {
    return this.byVersion.has(version);
  }

  /** The local activity's answer: the set served, and the bodies the workflow lacks. */
  resolve(request: ResolvePlansRequest): ResolvePlansResult {
    const set = this.set;
    const have = new Set(request.have);
    const plans = Object.values(set.versions)
      .filter((version) => !have.has(version))
      .flatMap((version) => this.plan(version) ?? []);
    return { set, plans };
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
      const result = this.resolve(request);
      if (this.answers.size >= MAX_CACHED_ANSWERS) this.answers.clear();
      answer = Buffer.from(JSON.stringify(result));
      this.answers.set(key, answer);
    }
    return answer;
  }

  /**
   * Calls `onChange` with the folder's playbooks when a file in it changes (debounced). A folder
   * that no longer validates is not passed on, and `onError` says why.
   */
  watchFolder(dir: string, onChange: (loaded: LoadedPlaybooks) => void, onError: (error: unknown) => void): void {
    let timer: NodeJS.Timeout | undefined;
    this.watcher = watch(dir, { recursive: true }, () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        try {
          onChange(loadPlaybooks(dir));
        } catch (error) {
          onError(error);
        }
      }, 300);
    });
  }

  close(): void {
    this.watcher?.close();
  }
}
