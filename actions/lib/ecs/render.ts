/**
 * The next task definition revision, rendered from the one the service runs (a pure function).
 *
 * CDK owns everything about the task but the image (infra/constructs/serving-service.ts), so the
 * new revision is the current one with three changes: the named container's image is the pinned
 * digest, its `command` is dropped (only the placeholder image has one), and the MLSHIP_*
 * environment is merged in. Everything else is kept as DescribeTaskDefinition returned it, minus
 * exactly the fields that RegisterTaskDefinition does not accept (they describe a registered
 * revision, not a request) and empty values. Copying by a list of *accepted* fields is how users of
 * other deploy actions lost `runtimePlatform`, `enableFaultInjection` or a container's
 * `restartPolicy` when ECS added them; removing only the read-only ones keeps what ECS adds next.
 */
import type { ContainerDefinition, KeyValuePair, RegisterTaskDefinitionRequest, Tag, TaskDefinition } from '@aws-sdk/client-ecs';
import { DeployError } from './errors.ts';

/**
 * The members of DescribeTaskDefinition's `taskDefinition` that are not members of
 * RegisterTaskDefinition's input (tests/actions/ecs/render.test.ts checks this against the SDK's
 * schemas).
 */
export const READ_ONLY_FIELDS = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'deleteRequestedAt',
] as const satisfies readonly (keyof TaskDefinition)[];

export interface RenderRequest {
  /** DescribeTaskDefinition's `taskDefinition`. */
  current: TaskDefinition;
  /** DescribeTaskDefinition's `tags` (asked for with `include: ['TAGS']`). */
  tags?: Tag[];
  /** The container whose image is replaced. */
  container: string;
  /** `<repository>@sha256:…` (checked by pinnedImage before). */
  image: string;
  /** MLSHIP_* variables for the container; they replace variables of the same name. */
  environment?: Record<string, string>;
}

/** One serving worker per vCPU of the task (1024 CPU units), and at least one. */
export function workersFor(cpu: string | number | undefined): number | undefined {
  const units = typeof cpu === 'number' ? cpu : cpu === undefined ? NaN : Number.parseInt(cpu, 10);
  if (!Number.isFinite(units)) return undefined;
  return Math.max(1, Math.floor(units / 1024));
}

export function renderTaskDefinition(request: RenderRequest): RegisterTaskDefinitionRequest {
  for (const name of Object.keys(request.environment ?? {})) {
    if (!/^MLSHIP_[A-Z0-9_]+$/.test(name)) throw new DeployError(`environment variable "${name}" is not an MLSHIP_* name: a deploy only sets mlship's own settings`, { field: 'environment' });
  }
  const copy = structuredClone(request.current) as Record<string, unknown>;
  for (const field of READ_ONLY_FIELDS) delete copy[field];
  const containers = (copy.containerDefinitions ?? []) as ContainerDefinition[];
  const target = containers.find((c) => c.name === request.container);
  if (!target) {
    throw new DeployError(`task definition ${request.current.taskDefinitionArn ?? request.current.family} has no container "${request.container}" (it has ${containers.map((c) => `"${c.name}"`).join(', ') || 'none'})`, { field: 'container' });
  }
  target.image = request.image;
  delete target.command;
  const workers = workersFor(request.current.cpu ?? target.cpu);
  const variables = { ...(workers === undefined ? {} : { MLSHIP_WORKERS: String(workers) }), ...request.environment };
  target.environment = mergeEnvironment(target.environment ?? [], variables);
  // `aws:` tag keys are reserved: ECS sets them itself and refuses them in a request.
  const tags = (request.tags ?? []).filter((t) => !t.key?.startsWith('aws:'));
  if (tags.length > 0) copy.tags = tags;
  return withoutEmpty(copy) as unknown as RegisterTaskDefinitionRequest;
}

/** `environment` with `variables` set: same names replaced in place, new ones appended. */
export function mergeEnvironment(environment: KeyValuePair[], variables: Record<string, string>): KeyValuePair[] {
  const rest = new Map(Object.entries(variables));
  const merged = environment.map((pair) => {
    if (pair.name === undefined || !rest.has(pair.name)) return pair;
    const value = rest.get(pair.name)!;
    rest.delete(pair.name);
    return { name: pair.name, value };
  });
  for (const [name, value] of rest) merged.push({ name, value });
  return merged;
}

/**
 * Drops null, undefined, empty lists and empty objects at every depth (DescribeTaskDefinition
 * answers `"mountPoints": []` and the like). Strings are kept, even empty: `""` is a value.
 */
function withoutEmpty(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEmpty).filter((v) => v !== undefined);
  if (value instanceof Date || value === null || typeof value !== 'object') return value ?? undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const cleaned = withoutEmpty(v);
    if (cleaned === undefined) continue;
    if (Array.isArray(cleaned) && cleaned.length === 0) continue;
    if (typeof cleaned === 'object' && !Array.isArray(cleaned) && !(cleaned instanceof Date) && Object.keys(cleaned as object).length === 0) continue;
    out[k] = cleaned;
  }
  return out;
}
