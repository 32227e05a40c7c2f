/** A workflow file read for the policy checks: its triggers, permissions, jobs and steps, as data. */
import { parse } from 'yaml';

export type Permissions = string | Record<string, string> | undefined;

export interface Step {
  readonly name: string;
  readonly if?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with: Record<string, unknown>;
  readonly env: Record<string, unknown>;
}

export interface Job {
  readonly id: string;
  readonly name: string;
  readonly if?: string;
  readonly permissions: Permissions;
  readonly environment?: unknown;
  readonly concurrency?: unknown;
  readonly steps: readonly Step[];
  /** The job as YAML data, for checks that look at all of it (e.g. for `secrets.`). */
  readonly raw: Record<string, unknown>;
}

export interface Workflow {
  readonly file: string;
  readonly text: string;
  readonly name?: string;
  /** Event name → its configuration (`{}` when it has none). */
  readonly on: Record<string, Record<string, unknown>>;
  readonly permissions: Permissions;
  readonly concurrency?: unknown;
  readonly jobs: readonly Job[];
}

const record = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const text = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));

export function readWorkflow(source: string, file: string): Workflow {
  const doc = record(parse(source));
  const on = doc.on;
  const events: Record<string, Record<string, unknown>> = {};
  if (typeof on === 'string') events[on] = {};
  else if (Array.isArray(on)) for (const e of on) events[String(e)] = {};
  else for (const [e, config] of Object.entries(record(on))) events[e] = record(config);

  const jobs = Object.entries(record(doc.jobs)).map(([id, value]): Job => {
    const job = record(value);
    const steps = (Array.isArray(job.steps) ? job.steps : []).map((s: unknown, n: number): Step => {
      const step = record(s);
      return {
        name: text(step.name) ?? text(step.uses) ?? `step ${n + 1}`,
        if: text(step.if),
        uses: text(step.uses),
        run: text(step.run),
        with: record(step.with),
        env: record(step.env),
      };
    });
    return {
      id,
      name: text(job.name) ?? id,
      if: text(job.if),
      permissions: job.permissions as Permissions,
      environment: job.environment,
      concurrency: job.concurrency,
      steps,
      raw: job,
    };
  });
  return { file, text: source, name: text(doc.name), on: events, permissions: doc.permissions as Permissions, concurrency: doc.concurrency, jobs };
}

/** The permissions a job's token gets: its own, else the workflow's. */
export function effectivePermissions(workflow: Workflow, job: Job): Permissions {
  return job.permissions ?? workflow.permissions;
}

/** The scopes a permissions block grants write on (`write-all` counts as every scope). */
export function writeScopes(permissions: Permissions): string[] {
  if (permissions === undefined) return ['(default token permissions, possibly write)'];
  if (typeof permissions === 'string') return permissions === 'write-all' ? ['write-all'] : [];
  return Object.entries(permissions)
    .filter(([, level]) => level === 'write')
    .map(([scope]) => scope);
}

/** `owner/repo[/path]` of a `uses:` (without the ref), or undefined for a local or docker action. */
export function actionOf(uses: string | undefined): string | undefined {
  if (!uses || uses.startsWith('./') || uses.startsWith('docker://')) return undefined;
  return uses.split('@')[0];
}

/** Whether a step uses mlship's action `name` (locally or from mlship's repository). */
export function usesMlshipAction(step: Step, name: string): boolean {
  if (!step.uses) return false;
  const local = step.uses === `./actions/${name}`;
  const remote = new RegExp(`^[^/@]+/[^/@]+/actions/${name}@`).test(step.uses);
  return local || remote;
}
