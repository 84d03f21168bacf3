// The baseline of the scenario bench: a workflow that only sleeps a year, on the same server.
import { sleep } from "@temporalio/workflow";

/** Sleeps for `days` days and returns. */
export async function sleeper(days: number): Promise<number> {
  await sleep(days * 86_400_000);
  return days;
}
