// GET /v1/queue on Temporal: the running account workflows that visibility lists with a score band,
// the highest `ExpansionScore` first (sorted here: SQL visibility has no ORDER BY on custom
// attributes), each asked for its standing (the `standing` query) and weighed with the plans this
// process serves, until the queue has its `limit` of accounts. Bounded: at most MAX_LISTED rows
// listed and MAX_WEIGHED accounts queried per request.
import type { Client, WorkflowExecutionInfo } from "@temporalio/client";
import { SCORE_BANDS } from "../ast/scorecard.js";
import type { CompiledPlan } from "../compile/plan.js";
import { ACCOUNT_WORKFLOW, standingQuery } from "../messages/account-messages.js";
import { SEARCH_ATTRIBUTES } from "../messages/search-attributes.js";
import {
  QUEUE_LIMIT,
  QueueRefused,
  queueReport,
  queueWeigher,
  type QueueFilters,
  type QueueReport,
  type UnrankedRow,
} from "../queue/rank-queue.js";
import type { AccountPolicy } from "../validate/validate-policy.js";

/** At most this many account workflows are read from visibility for one queue. */
export const MAX_LISTED = 10_000;
/** At most this many accounts are asked for their standing for one queue. */
export const MAX_WEIGHED = 2_000;
/** Queries in flight at once. */
const CONCURRENCY = 16;

/** A queue from Temporal, with how many accounts were listed and how many asked. */
export interface TemporalQueueReport extends QueueReport {
  /** Running account workflows with a score that visibility listed (at most MAX_LISTED). */
  readonly listed: number;
  /** Of them, those asked for their standing, highest score first. */
  readonly weighed: number;
}

/** A listed account workflow and the score it last published. */
interface Listed {
  readonly workflowId: string;
  readonly score: number;
}

/** The visibility query for the accounts of a task queue with a score (in one band when asked). */
export function queueVisibilityQuery(taskQueue: string, band: QueueFilters["band"]): string {
  const quote = (text: string): string => `'${text.replace(/'/g, "\\'")}'`;
  const bands =
    band === undefined
      ? `${SEARCH_ATTRIBUTES.ScoreBand.name} IN (${SCORE_BANDS.map(quote).join(", ")})`
      : `${SEARCH_ATTRIBUTES.ScoreBand.name} = ${quote(band)}`;
  return `WorkflowType = ${quote(ACCOUNT_WORKFLOW)} AND ExecutionStatus = 'Running' AND TaskQueue = ${quote(taskQueue)} AND ${bands}`;
}

function listedScore(info: WorkflowExecutionInfo): number {
  const score = info.typedSearchAttributes.get(SEARCH_ATTRIBUTES.ExpansionScore);
  return typeof score === "number" ? score : Number.NEGATIVE_INFINITY;
}

/** Ranks the accounts a Temporal namespace runs on one task queue. */
export class AccountQueue {
  /** `served` gives the plans and policy this process serves, undefined until it has loaded them. */
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    private readonly served: () => { plans: readonly CompiledPlan[]; policy: AccountPolicy } | undefined,
  ) {}

  /** The queue now; throws QueueRefused without a scorecard or for a filter naming nothing. */
  async rank(filters: QueueFilters, now = Date.now()): Promise<TemporalQueueReport> {
    const set = this.served();
    if (set === undefined)
      throw new QueueRefused("this process has not loaded the deployed plan set yet: try again", "not_ready");
    const weigh = queueWeigher(set.plans, set.policy, filters);
    const limit = filters.limit ?? QUEUE_LIMIT;
    const listed: Listed[] = [];
    for await (const info of this.client.workflow.list({
      query: queueVisibilityQuery(this.taskQueue, filters.band),
    })) {
      listed.push({ workflowId: info.workflowId, score: listedScore(info) });
      if (listed.length >= MAX_LISTED) break;
    }
    listed.sort((a, b) => b.score - a.score || a.workflowId.localeCompare(b.workflowId));
    const rows: UnrankedRow[] = [];
    let weighed = 0;
    while (rows.length < limit && weighed < Math.min(listed.length, MAX_WEIGHED)) {
      const batch = listed.slice(weighed, Math.min(weighed + CONCURRENCY, MAX_WEIGHED));
      weighed += batch.length;
      const standings = await Promise.all(
        batch.map((entry) =>
          this.client.workflow
            .getHandle(entry.workflowId)
            .query(standingQuery)
            // Closed between the listing and the query, or not answering: left out of this queue.
            .catch(() => null),
        ),
      );
      for (const standing of standings) {
        if (standing === null) continue;
        const row = weigh({ account: standing.account, standing }, now);
        if (row !== undefined) rows.push(row);
      }
    }
    return { ...queueReport(set.policy, now, filters, weighed, rows), listed: listed.length, weighed };
  }
}
