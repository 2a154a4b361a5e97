// Warns when no worker polls the task queue: a started workflow would otherwise wait silently.
import type { Client } from '@temporalio/client';

export async function warnIfNoWorker(client: Client, taskQueue: string): Promise<void> {
  try {
    const res = await client.workflowService.describeTaskQueue({
      namespace: client.options.namespace,
      taskQueue: { name: taskQueue },
      taskQueueType: 1, // workflow task queue
    });
    if ((res.pollers ?? []).length === 0) {
      console.error(
        `warning: no worker is polling task queue '${taskQueue}'; the run waits until one starts (\`npx freshet worker\` or \`npm start\`).`,
      );
    }
  } catch {
    // Informational only: the run itself reports real errors.
  }
}
