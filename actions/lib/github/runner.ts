/**
 * What the Actions runner tells a step through its environment (`GITHUB_*`), read once by an
 * action's run module and passed on as data.
 */
import { readFile } from 'node:fs/promises';
import { MlshipError } from '../../../training/errors.ts';

export class RunnerError extends MlshipError {}

export interface RunnerContext {
  eventName: string;
  eventPath: string;
  /** `owner/name` of the repository the workflow runs in. */
  repository: string;
  apiUrl: string;
  serverUrl: string;
  runId: string | undefined;
  workspace: string;
  stepSummary: string | undefined;
}

export function runnerContext(env: NodeJS.ProcessEnv, cwd: string): RunnerContext {
  const need = (name: string) => {
    const value = env[name];
    if (!value) throw new RunnerError(`${name} is not set: run this as a step of a GitHub Actions workflow`);
    return value;
  };
  return {
    eventName: need('GITHUB_EVENT_NAME'),
    eventPath: need('GITHUB_EVENT_PATH'),
    repository: need('GITHUB_REPOSITORY'),
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
    runId: env.GITHUB_RUN_ID || undefined,
    workspace: env.GITHUB_WORKSPACE || cwd,
    stepSummary: env.GITHUB_STEP_SUMMARY || undefined,
  };
}

export async function readEvent(context: RunnerContext): Promise<unknown> {
  try {
    return JSON.parse(await readFile(context.eventPath, 'utf8'));
  } catch (err) {
    throw new RunnerError(`cannot read the event payload (${(err as Error).message})`, { file: context.eventPath }, { cause: err });
  }
}

/** The workflow run's page, where its job summary is. */
export function runUrl(context: RunnerContext): string | undefined {
  return context.runId ? `${context.serverUrl}/${context.repository}/actions/runs/${context.runId}` : undefined;
}
