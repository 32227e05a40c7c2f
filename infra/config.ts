// The infra app's configuration: one JSON file (infra/mlship.config.json by default) plus CDK
// context overrides. Everything is validated up front; a bad or missing field fails with the
// field's dotted path and what is wrong, never with a CloudFormation error half-way through a deploy.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { z } from 'zod';

/** The file the app reads when no `mlship:config` context value names another one. */
export const DEFAULT_CONFIG_FILE = join(import.meta.dirname, 'mlship.config.json');
/** The example shipped with the repository: what `npm run infra:synth` uses when there is no real config. */
export const EXAMPLE_CONFIG_FILE = join(import.meta.dirname, 'mlship.config.example.json');

/** Context key naming the config file (`-c mlship:config=path/to/file.json`). */
export const CONFIG_FILE_CONTEXT_KEY = 'mlship:config';
/** Prefix of context keys that override single fields: `-c mlship:service.maxTasks=4`. */
export const CONTEXT_PREFIX = 'mlship:';

/**
 * The `service.image` value that means "no serving image exists yet": the task definition runs a
 * tiny placeholder HTTP server (see serving-service.ts). Only valid for the first deploy.
 */
export const PLACEHOLDER = 'placeholder';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

// Values coming from `-c key=value` are strings; JSON files give numbers. String fields accept both.
const str = (schema: z.ZodString = z.string()) =>
  z.preprocess((v) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : v), schema);

// Fargate's valid task sizes (vCPU units -> allowed memory in MiB).
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
const FARGATE_MEMORY: Record<number, readonly number[]> = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192],
  2048: Array.from({ length: 13 }, (_, i) => 4096 + i * 1024),
  4096: Array.from({ length: 23 }, (_, i) => 8192 + i * 1024),
};

// CloudWatch Logs accepts only these retention periods.
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const DIGEST_IMAGE = /^(?<registry>[a-z0-9.-]+(?::\d+)?)\/(?<repository>[a-z0-9._/-]+)@sha256:[a-f0-9]{64}$/;

const githubSchema = z.strictObject({
  /** GitHub user or organisation that owns the model repository. */
  owner: str(z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, 'must be a GitHub user or organisation name')),
  /** The model repository's name (without the owner). */
  repo: str(z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be a GitHub repository name (letters, digits, . _ -)')),
  /**
   * ARN of an existing `token.actions.githubusercontent.com` OIDC provider. An account can hold only
   * one provider per URL: set this if one exists already, otherwise the stack creates it.
   */
  oidcProviderArn: str(
    z
      .string()
      .regex(
        /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/,
        'must be the ARN of the token.actions.githubusercontent.com OIDC provider',
      ),
  ).optional(),
  /**
   * The `sub` claim format GitHub issues for the repository: 'name' (`repo:owner/repo:…`) or 'id'
   * (`repo:owner@<ownerId>/repo@<repositoryId>:…`, GitHub's immutable subject claims, the default for
   * repositories created or renamed since mid-2026). The roles trust this one format only.
   */
  subjectFormat: z.enum(['name', 'id']).default('name'),
  /** GitHub's numeric id of the owner; required with subjectFormat 'id'. */
  ownerId: z.number().int().positive().optional(),
  /** GitHub's numeric id of the repository; required with subjectFormat 'id'. */
  repositoryId: z.number().int().positive().optional(),
  /**
   * The GitHub environment the deploy job runs in: the only subject the deploy role trusts (restrict
   * its deployment branches to main). Not nullable: the branch subject is shared by every job on main.
   */
  deployEnvironment: str(
    z
      .string({ error: (issue) => (issue.input === null ? 'must name a GitHub environment: the deploy role trusts only its subject' : undefined) })
      .regex(/^[A-Za-z0-9._ -]+$/, 'must be a GitHub environment name'),
  ).default('production'),
});

const networkSchema = z.strictObject({
  /** CIDR of the new VPC (public subnets only, one /24 per availability zone). */
  cidr: str(z.string().regex(/^10\.(?:25[0-5]|2[0-4]\d|1?\d?\d)\.0\.0\/16$/, 'must be a /16 in 10.0.0.0/8, e.g. 10.42.0.0/16')).default(
    '10.42.0.0/16',
  ),
  /**
   * Availability zones (2 or 3) of the VPC. Default: the first two zones of the region for the
   * account (CloudFormation Fn::GetAZs, no lookup at synthesis). Name them if those lack Fargate.
   */
  availabilityZones: z
    .array(str(z.string().regex(/^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d[a-z]$/, 'must be an availability zone name')))
    .min(2)
    .max(3)
    .optional(),
});

const bucketSchema = z.strictObject({
  /** Bucket name; default: generated by CloudFormation (globally unique). */
  name: str(
    z.string().regex(/^(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name'),
  ).optional(),
  /** Key prefix model artifacts are written under: the training role may write only there. */
  modelsPrefix: str(
    z.string().regex(/^[A-Za-z0-9!_.*'()-]+(?:\/[A-Za-z0-9!_.*'()-]+)*\/$/, "must be a key prefix ending with '/', e.g. models/"),
  ).default('models/'),
  /** Days after which a noncurrent (overwritten or deleted) object version is expired. */
  noncurrentVersionExpirationDays: z.number().int().min(1).max(3650).default(90),
  /**
   * S3 Object Lock (WORM) default retention for new model objects. Object Lock can only be turned
   * on when the bucket is created: decide before the first deploy.
   */
  objectLock: z
    .strictObject({
      mode: z.enum(['GOVERNANCE', 'COMPLIANCE']).default('GOVERNANCE'),
      days: z.number().int().min(1).max(36500),
    })
    .optional(),
});

const logsSchema = z.strictObject({
  /** Retention of the serving container's CloudWatch log group. */
  retentionDays: z
    .number()
    .int()
    .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
      message: `must be one of CloudWatch Logs' retention periods: ${LOG_RETENTION_DAYS.join(', ')}`,
    })
    .default(30),
  /** Days the access-log bucket keeps S3 server access logs, ALB access logs and VPC flow logs. */
  accessLogExpirationDays: z.number().int().min(1).max(3650).default(90),
});

const ecrSchema = z.strictObject({
  repositoryName: str(
    z.string().regex(/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/, 'must be a valid ECR repository name'),
  ).default('mlship-serving'),
  /**
   * How many images the lifecycle policy keeps (the most recently pushed ones). Images are only ever
   * expired by count, never by age: see image-repository.ts for why.
   */
  keepImages: z.number().int().min(10).max(10000).default(100),
});

const httpsSchema = z.strictObject({
  /** ACM certificate (same region) for `domainName`. */
  certificateArn: str(
    z.string().regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/, 'must be an ACM certificate ARN'),
  ),
  /** DNS name that points at the load balancer (you create the record). Used in MLSHIP_SERVICE_URL. */
  domainName: str(
    z.string().regex(/^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a DNS name'),
  ),
});

const serviceSchema = z.strictObject({
  clusterName: str(z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, 'must be a valid ECS cluster name')).default('mlship'),
  serviceName: str(z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, 'must be a valid ECS service name')).default('mlship-serving'),
  /** Fargate task size: vCPU units (256 = 0.25 vCPU) and memory in MiB; must be a valid Fargate pair. */
  cpu: z.union([z.literal(256), z.literal(512), z.literal(1024), z.literal(2048), z.literal(4096)]).default(256),
  memoryMiB: z.number().int().default(512),
  /** CPU architecture of the serving image (Graviton ARM64 is ~20% cheaper; the image must match). */
  architecture: z.enum(['X86_64', 'ARM64']).default('X86_64'),
  minTasks: z.number().int().min(1).max(100).default(1),
  maxTasks: z.number().int().min(1).max(100).default(3),
  /** Target average CPU utilisation for target-tracking autoscaling. */
  targetCpuPercent: z.number().int().min(10).max(90).default(60),
  /** Seconds ECS ignores failing load-balancer health checks after a task starts. */
  healthCheckGracePeriodSeconds: z.number().int().min(0).max(600).default(60),
  /** Seconds the target group waits for in-flight requests before a task is stopped. */
  deregistrationDelaySeconds: z.number().int().min(0).max(300).default(15),
  /** CloudWatch Container Insights (per-task metrics; billed as custom metrics). */
  containerInsights: z.boolean().default(false),
  /**
   * The serving image currently deployed, pinned by digest
   * (`<account>.dkr.ecr.<region>.amazonaws.com/<repositoryName>@sha256:<64 hex>`), or `placeholder`
   * before the pipeline has deployed anything. After the first pipeline deploy the image belongs to the
   * pipeline: every later `cdk deploy` must pass the image that is running (see README, "Who owns the
   * task definition").
   */
  image: str()
    .refine((v) => v === PLACEHOLDER || DIGEST_IMAGE.test(v), {
      message: `must be '${PLACEHOLDER}' or an image pinned by digest: <registry>/<repository>@sha256:<64 hex>`,
    })
    .default(PLACEHOLDER),
  /** Serve HTTPS on 443 (and redirect 80 to it). Without it the load balancer listens on HTTP 80. */
  https: httpsSchema.optional(),
});

const jobsSchema = z.strictObject({
  /** Batch jobs (DESIGN.md, "Batch jobs"): a PostgreSQL for the queue and a job-worker service. Off by default. */
  enabled: z.boolean().default(false),
  /**
   * Days a job's input and results (and its record) are kept: the S3 lifecycle rule on `jobs/`
   * and the servers' `--job-retention` (MLSHIP_JOB_RETENTION) both follow it.
   */
  retentionDays: z.number().int().min(1).max(3650).default(7),
  database: z
    .strictObject({
      /** RDS instance class without the `db.` prefix; Graviton burstable `t4g.micro` is the cheapest that runs PostgreSQL 17. */
      instanceClass: str(z.string().regex(/^[a-z][a-z0-9]*\.[a-z0-9]+$/, 'must be an RDS instance class such as t4g.micro')).default('t4g.micro'),
      /** gp3 storage in GiB (20 is RDS's minimum for gp3). */
      allocatedStorageGiB: z.number().int().min(20).max(65536).default(20),
      /** A standby in a second zone (doubles the instance price). */
      multiAz: z.boolean().default(false),
      /** Refuse to delete the instance (also with the stack) until this is turned off. */
      deletionProtection: z.boolean().default(true),
      /** Days of automated backups (point-in-time restore); 1 to 35. */
      backupRetentionDays: z.number().int().min(1).max(35).default(7),
    })
    .prefault({}),
  worker: z
    .strictObject({
      serviceName: str(z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, 'must be a valid ECS service name')).default('mlship-jobs-worker'),
      cpu: z.union([z.literal(256), z.literal(512), z.literal(1024), z.literal(2048), z.literal(4096)]).default(256),
      memoryMiB: z.number().int().default(512),
      /** Worker tasks when the queue is empty (0 scales to nothing, once the queue-depth metric is published). */
      minTasks: z.number().int().min(0).max(100).default(1),
      maxTasks: z.number().int().min(1).max(100).default(2),
      /** Jobs one worker task runs at once (MLSHIP_JOB_CONCURRENCY). */
      concurrency: z.number().int().min(1).max(16).default(1),
    })
    .prefault({}),
});

export const configSchema = z
  .strictObject({
    /** AWS account the stack deploys into (explicit, so synthesis never needs credentials). */
    account: str(z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id')),
    region: str(z.string().regex(/^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d$/, 'must be an AWS region such as us-east-1')),
    stackName: str(z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'must be a CloudFormation stack name')).default('Mlship'),
    github: githubSchema,
    network: networkSchema.prefault({}),
    bucket: bucketSchema.prefault({}),
    logs: logsSchema.prefault({}),
    ecr: ecrSchema.prefault({}),
    service: serviceSchema.prefault({}),
    jobs: jobsSchema.prefault({}),
  })
  .superRefine((c, ctx) => {
    const allowed = FARGATE_MEMORY[c.service.cpu] ?? [];
    if (!allowed.includes(c.service.memoryMiB)) {
      ctx.addIssue({
        code: 'custom',
        path: ['service', 'memoryMiB'],
        message: `${c.service.memoryMiB} MiB is not a valid Fargate memory size for cpu ${c.service.cpu}; use one of ${allowed.join(', ')}`,
      });
    }
    const workerAllowed = FARGATE_MEMORY[c.jobs.worker.cpu] ?? [];
    if (!workerAllowed.includes(c.jobs.worker.memoryMiB)) {
      ctx.addIssue({
        code: 'custom',
        path: ['jobs', 'worker', 'memoryMiB'],
        message: `${c.jobs.worker.memoryMiB} MiB is not a valid Fargate memory size for cpu ${c.jobs.worker.cpu}; use one of ${workerAllowed.join(', ')}`,
      });
    }
    if (c.jobs.worker.maxTasks < c.jobs.worker.minTasks) {
      ctx.addIssue({ code: 'custom', path: ['jobs', 'worker', 'maxTasks'], message: `must be >= jobs.worker.minTasks (${c.jobs.worker.minTasks})` });
    }
    if (c.service.maxTasks < c.service.minTasks) {
      ctx.addIssue({
        code: 'custom',
        path: ['service', 'maxTasks'],
        message: `must be >= service.minTasks (${c.service.minTasks})`,
      });
    }
    const image = DIGEST_IMAGE.exec(c.service.image)?.groups;
    if (image) {
      // The execution role may pull only from this stack's repository, so any other image could not start.
      const registry = `${c.account}.dkr.ecr.${c.region}.amazonaws.com`;
      if (image.registry !== registry || image.repository !== c.ecr.repositoryName) {
        ctx.addIssue({
          code: 'custom',
          path: ['service', 'image'],
          message: `must be an image in this stack's repository ${registry}/${c.ecr.repositoryName}, got ${image.registry}/${image.repository}`,
        });
      }
    }
    for (const [i, az] of (c.network.availabilityZones ?? []).entries()) {
      if (!az.startsWith(c.region)) {
        ctx.addIssue({ code: 'custom', path: ['network', 'availabilityZones', i], message: `${az} is not in region ${c.region}` });
      }
    }
    const { subjectFormat, ownerId, repositoryId } = c.github;
    for (const [field, value] of [['ownerId', ownerId], ['repositoryId', repositoryId]] as const) {
      if (subjectFormat === 'id' && value === undefined) {
        ctx.addIssue({ code: 'custom', path: ['github', field], message: "is required with github.subjectFormat 'id'" });
      }
      if (subjectFormat === 'name' && value !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['github', field], message: "is only used with github.subjectFormat 'id'" });
      }
    }
    const oidcAccount = /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(c.github.oidcProviderArn ?? '')?.[1];
    if (oidcAccount && oidcAccount !== c.account) {
      ctx.addIssue({
        code: 'custom',
        path: ['github', 'oidcProviderArn'],
        message: `belongs to account ${oidcAccount}, not to the configured account ${c.account}`,
      });
    }
  });

export type MlshipConfig = z.output<typeof configSchema>;
export type MlshipConfigInput = z.input<typeof configSchema>;

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
      return `  - ${path}: ${issue.message}`;
    })
    .join('\n');
}

// Fields earlier versions accepted: a config that still sets one is told why it went.
const REMOVED_FIELDS: Record<string, string> = {
  deployBranch: ' (removed: the deploy role trusts only github.deployEnvironment; restrict that environment to the branch)',
};

/** Validates a raw config object; throws ConfigError naming every bad or missing field. */
export function parseConfig(raw: unknown, source = 'config'): MlshipConfig {
  const result = configSchema.safeParse(raw, {
    error: (issue) => {
      if (issue.code === 'invalid_type' && issue.input === undefined) return 'is required but missing';
      if (issue.code === 'unrecognized_keys') return `unknown field(s): ${issue.keys.map((k) => k + (REMOVED_FIELDS[k] ?? '')).join(', ')}`;
      return undefined;
    },
  });
  if (!result.success) {
    throw new ConfigError(`Invalid mlship infra config (${source}):\n${describeIssues(result.error)}`);
  }
  return result.data;
}

// A context value from the command line is a string; numbers, booleans, null and JSON objects are
// decoded so that `-c mlship:service.maxTasks=4` means the number 4. A string with a leading zero
// (an account id such as 012345678901) stays a string.
function decodeContextValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const v = value.trim();
  if (/^(?:true|false|null)$/.test(v) || /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/.test(v) || /^[[{]/.test(v)) {
    try {
      return JSON.parse(v);
    } catch {
      return value;
    }
  }
  return value;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const [i, key] of path.entries()) {
    if (i === path.length - 1) {
      node[key] = value;
      return;
    }
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      const created: Record<string, unknown> = {};
      node[key] = created;
      node = created;
    } else {
      node = next as Record<string, unknown>;
    }
  }
}

export interface LoadConfigOptions {
  /** The CDK context (e.g. `app.node.getAllContext()`); keys `mlship:<dotted.path>` override fields. */
  readonly context?: Record<string, unknown>;
  /** The file used when the context names none. Default: infra/mlship.config.json. */
  readonly defaultFile?: string;
}

export interface LoadedConfig {
  readonly config: MlshipConfig;
  /** Absolute path of the file read. */
  readonly file: string;
  /** Context keys that overrode fields of the file. */
  readonly overrides: readonly string[];
}

/** Reads the config file, applies `mlship:*` context overrides and validates the result. */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const context = options.context ?? {};
  const named = context[CONFIG_FILE_CONTEXT_KEY];
  if (named !== undefined && (typeof named !== 'string' || named.trim() === '')) {
    throw new ConfigError(`Context value ${CONFIG_FILE_CONTEXT_KEY} must be the path of a JSON config file`);
  }
  const file = named === undefined ? (options.defaultFile ?? DEFAULT_CONFIG_FILE) : resolve(named);
  const shown = isAbsolute(file) ? relative(process.cwd(), file) || file : file;
  if (!existsSync(file)) {
    throw new ConfigError(
      `mlship infra config file not found: ${shown}\n` +
        `  Copy infra/mlship.config.example.json to infra/mlship.config.json and fill in account, region and github.owner/repo,\n` +
        `  or name another file with -c ${CONFIG_FILE_CONTEXT_KEY}=<path>.`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`mlship infra config ${shown} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`mlship infra config ${shown} must hold a JSON object`);
  }
  const merged = structuredClone(raw) as Record<string, unknown>;
  const overrides: string[] = [];
  for (const [key, value] of Object.entries(context).sort(([a], [b]) => a.localeCompare(b))) {
    if (!key.startsWith(CONTEXT_PREFIX) || key === CONFIG_FILE_CONTEXT_KEY) continue;
    const path = key.slice(CONTEXT_PREFIX.length).split('.');
    if (path.some((p) => p === '' || p === '__proto__' || p === 'constructor' || p === 'prototype')) {
      throw new ConfigError(`Context key ${key} does not name a config field (expected ${CONTEXT_PREFIX}<field.path>)`);
    }
    setPath(merged, path, decodeContextValue(value));
    overrides.push(key);
  }
  const source = overrides.length > 0 ? `${shown} with context ${overrides.join(', ')}` : shown;
  return { config: parseConfig(merged, source), file, overrides };
}
