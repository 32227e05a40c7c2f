/**
 * Why the tasks of a deployment stopped: ListTasks (desiredStatus STOPPED, the service's tasks)
 * and DescribeTasks, keeping the tasks that deployment started (`startedBy` is the deployment id;
 * the tasks an older deployment stopped while draining are someone else's story). ECS keeps
 * stopped tasks for about an hour, which is enough right after a rollout.
 */
import { DescribeTasksCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import type { ECSClient, Task } from '@aws-sdk/client-ecs';
import type { ServiceTarget } from './current.ts';
import type { Reason } from './outcome.ts';
import type { Send } from './retry.ts';

const MAX_PAGES = 5;

export async function stoppedTasksOf(ecs: ECSClient, send: Send, target: ServiceTarget, deploymentId: string, taskDefinitionArn: string): Promise<Task[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const token = nextToken;
    const answer = await send('ListTasks', () => ecs.send(new ListTasksCommand({ cluster: target.cluster, serviceName: target.service, desiredStatus: 'STOPPED', nextToken: token })));
    arns.push(...(answer.taskArns ?? []));
    nextToken = answer.nextToken;
    if (!nextToken) break;
  }
  const tasks: Task[] = [];
  for (let i = 0; i < arns.length; i += 100) {
    const batch = arns.slice(i, i + 100);
    const answer = await send('DescribeTasks', () => ecs.send(new DescribeTasksCommand({ cluster: target.cluster, tasks: batch })));
    tasks.push(...(answer.tasks ?? []));
  }
  return tasks.filter((t) => (t.startedBy !== undefined ? t.startedBy === deploymentId : t.taskDefinitionArn === taskDefinitionArn));
}

/** One reason per stopped task: its stoppedReason, and each container's exit code or reason. */
export function stopReasons(tasks: Task[]): Reason[] {
  return tasks.map((task) => {
    // A container's reason often repeats the task's (a pull error): said once.
    const containers = (task.containers ?? [])
      .filter((c) => c.exitCode !== undefined || (c.reason && c.reason !== task.stoppedReason))
      .map((c) => `${c.name}: ${c.reason && c.reason !== task.stoppedReason ? c.reason : `exit code ${c.exitCode}`}`);
    const detail = containers.length > 0 ? ` (${containers.join('; ')})` : '';
    return { kind: 'task', taskArn: task.taskArn, message: `${task.stoppedReason ?? task.stopCode ?? 'stopped'}${detail}` };
  });
}
