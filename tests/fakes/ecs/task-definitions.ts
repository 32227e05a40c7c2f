/**
 * Task definition families of the ECS fake: RegisterTaskDefinition adds the next revision with
 * the fields only the service sets (ARN, revision, status, compatibilities, requiresAttributes,
 * registeredAt/By), DescribeTaskDefinition finds one by family, `family:revision` or ARN and
 * returns its tags only when asked (`include: ['TAGS']`), as ECS does.
 */
import { clientError, invalidParameter } from './faults.ts';

export type Json = Record<string, unknown>;

export interface Tag {
  key: string;
  value: string;
}

interface Stored {
  definition: Json;
  tags: Tag[];
}

export class TaskDefinitions {
  private readonly families = new Map<string, Stored[]>();
  private readonly region: string;
  private readonly account: string;
  private readonly clock: () => number;

  constructor(region: string, account: string, clock: () => number) {
    this.region = region;
    this.account = account;
    this.clock = clock;
  }

  /** `systemTags`: CloudFormation may set `aws:` tags; a caller of the API may not. */
  register(input: Json, registeredBy: string, systemTags = false): { taskDefinition: Json; tags: Tag[] } {
    const family = input.family as string;
    const reserved = ((input.tags as Tag[] | undefined) ?? []).find((t) => t.key.toLowerCase().startsWith('aws:'));
    if (reserved && !systemTags) throw invalidParameter(`Tag key '${reserved.key}' is invalid: tag keys beginning with 'aws:' are reserved for system use.`);
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(family)) throw clientError('Family contains invalid characters or is too long.');
    const containers = input.containerDefinitions as Json[];
    if (containers.length === 0) throw clientError('Container list cannot be empty.');
    for (const c of containers) {
      if (typeof c.name !== 'string' || c.name === '') throw clientError('Container.name should not be null or empty.');
      if (typeof c.image !== 'string' || c.image === '') throw clientError('Container.image should not be null or empty.');
    }
    const fargate = ((input.requiresCompatibilities as string[] | undefined) ?? []).includes('FARGATE');
    if (fargate && (input.cpu === undefined || input.memory === undefined)) throw clientError("Fargate requires that 'cpu' and 'memory' be defined at the task level.");
    if (fargate && input.networkMode !== 'awsvpc') throw clientError('Fargate only supports network mode ‘awsvpc’.');
    const revisions = this.families.get(family) ?? [];
    const revision = revisions.length + 1;
    const { tags = [], ...rest } = input as Json & { tags?: Tag[] };
    const definition: Json = {
      ...rest,
      taskDefinitionArn: `arn:aws:ecs:${this.region}:${this.account}:task-definition/${family}:${revision}`,
      revision,
      status: 'ACTIVE',
      requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' }, { name: 'ecs.capability.task-eni' }],
      compatibilities: ['EC2', 'FARGATE'],
      registeredAt: this.clock() / 1000,
      registeredBy,
    };
    // ECS answers every list member a container may have, even empty (what a client must strip).
    definition.containerDefinitions = containers.map((c) => ({ environment: [], mountPoints: [], volumesFrom: [], systemControls: [], ...c }));
    definition.volumes ??= [];
    definition.placementConstraints ??= [];
    revisions.push({ definition, tags: structuredClone(tags) });
    this.families.set(family, revisions);
    return { taskDefinition: structuredClone(definition), tags: structuredClone(tags) };
  }

  /** By family (latest ACTIVE revision), `family:revision` or ARN. */
  find(reference: string): Stored {
    const name = reference.startsWith('arn:') ? (reference.split(':task-definition/')[1] ?? '') : reference;
    const [family, rev] = name.split(':');
    const revisions = this.families.get(family ?? '') ?? [];
    const found = rev === undefined ? revisions.filter((r) => r.definition.status === 'ACTIVE').at(-1) : revisions[Number(rev) - 1];
    if (!found || (reference.startsWith('arn:') && found.definition.taskDefinitionArn !== reference)) throw clientError('Unable to describe task definition.');
    return found;
  }

  describe(reference: string, include: string[] | undefined): Json {
    const found = this.find(reference);
    const answer: Json = { taskDefinition: structuredClone(found.definition) };
    if (include?.includes('TAGS')) answer.tags = structuredClone(found.tags);
    return answer;
  }

  arnOf(reference: string): string {
    return this.find(reference).definition.taskDefinitionArn as string;
  }
}
