/**
 * Running an action's `run()` as the runner would: inputs in `INPUT_*` variables, the context in
 * `GITHUB_*` variables, the event payload in a file, outputs and the job summary in files the
 * step owns; what the step printed (its workflow commands: annotations, masks) is captured.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { WebhookDefinition } from '@octokit/webhooks-examples';
import { vi } from 'vitest';

export interface StepOptions {
  inputs: Record<string, string>;
  event: { name: string; payload: unknown };
  repository: string;
  apiUrl: string;
  workspace: string;
  /** Other variables (store endpoint, AWS credentials); `undefined` removes one. */
  env?: Record<string, string | undefined>;
}

export interface StepResult<T> {
  value: T;
  outputs: Record<string, string>;
  summary: string;
  /** What the step printed to stdout: workflow commands (`::error file=…::…`) and logs. */
  log: string;
  /** Whether the step failed (`core.setFailed`). */
  failed: boolean;
}

// GitHub's own example payloads (a JSON file, loaded as the package's main)
const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as WebhookDefinition[];

const AMBIENT = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE', 'MLSHIP_S3_ENDPOINT', 'MLSHIP_STORE', 'MLSHIP_COMMIT'];

export async function runStep<T>(run: () => Promise<T>, options: StepOptions): Promise<StepResult<T>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mlship-step-'));
  const files = { output: path.join(dir, 'output'), summary: path.join(dir, 'summary'), event: path.join(dir, 'event.json') };
  writeFileSync(files.output, '');
  writeFileSync(files.summary, '');
  writeFileSync(files.event, JSON.stringify(options.event.payload));
  const env: Record<string, string | undefined> = {
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: options.event.name,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_REPOSITORY: options.repository,
    GITHUB_API_URL: options.apiUrl,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '4242',
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    // nothing of the machine's own credentials or settings leaks into a step
    ...Object.fromEntries(AMBIENT.map((name) => [name, undefined])),
    ...options.env,
  };
  for (const [name, value] of Object.entries(options.inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  let log = '';
  const write = process.stdout.write.bind(process.stdout);
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    log += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  });
  const exitCode = process.exitCode;
  process.exitCode = undefined;
  try {
    const value = await run();
    return { value, outputs: readOutputs(files.output), summary: readFileSync(files.summary, 'utf8'), log, failed: process.exitCode === 1 };
  } finally {
    process.exitCode = exitCode;
    spy.mockRestore();
    void write;
    vi.unstubAllEnvs();
  }
}

/** `name<<delimiter\nvalue\ndelimiter` entries, as `core.setOutput` writes them. */
function readOutputs(file: string): Record<string, string> {
  const text = readFileSync(file, 'utf8');
  const outputs: Record<string, string> = {};
  const entry = /^([^<\n]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const m of text.matchAll(entry)) outputs[m[1]!] = m[3]!;
  return outputs;
}

type PullRequestPayload = { pull_request: Record<string, unknown> & { head: Record<string, unknown>; base: Record<string, unknown> }; repository: Record<string, unknown>; number: number };

/** A `pull_request` `synchronize` payload from GitHub's examples, about this pull request. */
export function pullRequestEvent(pull: { number: number; base: { ref: string; sha: string; repository: string }; head: { ref: string; sha: string; repository: string } }): { name: string; payload: unknown } {
  const example = structuredClone(examples.find((e) => e.name === 'pull_request')!.examples.find((e) => (e as { action: string }).action === 'synchronize')) as unknown as PullRequestPayload;
  const repo = (fullName: string, base: Record<string, unknown>) => ({ ...base, full_name: fullName, name: fullName.split('/')[1], owner: { ...(base.owner as object), login: fullName.split('/')[0] }, fork: fullName !== pull.base.repository });
  example.number = pull.number;
  example.pull_request.number = pull.number;
  example.pull_request.head = { ...example.pull_request.head, ref: pull.head.ref, sha: pull.head.sha, repo: repo(pull.head.repository, example.pull_request.head.repo as Record<string, unknown>) };
  example.pull_request.base = { ...example.pull_request.base, ref: pull.base.ref, sha: pull.base.sha, repo: repo(pull.base.repository, example.pull_request.base.repo as Record<string, unknown>) };
  example.repository = repo(pull.base.repository, example.repository);
  return { name: 'pull_request', payload: example };
}

/** A `workflow_run` `completed` payload from GitHub's examples, about this run. */
export function workflowRunEvent(run: { id: number; headSha: string; repository: string; headRepository: string }): { name: string; payload: unknown } {
  const example = structuredClone(examples.find((e) => e.name === 'workflow_run')!.examples.find((e) => (e as { action: string }).action === 'completed')) as unknown as { workflow_run: Record<string, unknown>; repository: Record<string, unknown> };
  example.workflow_run = { ...example.workflow_run, id: run.id, head_sha: run.headSha, event: 'pull_request', pull_requests: [], head_repository: { ...(example.workflow_run.head_repository as object), full_name: run.headRepository } };
  example.repository = { ...example.repository, full_name: run.repository };
  return { name: 'workflow_run', payload: example };
}
