import type { Client } from "@temporalio/client";
import proto from "@temporalio/proto";

const { TaskQueueType } = proto.temporal.api.enums.v1;

/** The identities of the workers polling the task queue for workflow tasks (SDK workers always send one), sorted. */
export async function taskQueuePollers(client: Client, namespace: string, taskQueue: string): Promise<string[]> {
  const response = await client.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue },
    taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  return [...new Set((response.pollers ?? []).flatMap((p) => (p.identity ? [p.identity] : [])))].sort();
}

/** True when some worker polls the task queue for workflow tasks. */
export async function taskQueueHasPollers(client: Client, namespace: string, taskQueue: string): Promise<boolean> {
  return (await taskQueuePollers(client, namespace, taskQueue)).length > 0;
}
