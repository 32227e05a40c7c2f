/**
 * A local fake of the Amazon ECS API (awsJson1_1) on 127.0.0.1 that the unmodified
 * @aws-sdk/client-ecs talks to through its `endpoint` option: `POST /` with
 * `X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Operation>`, signed with SigV4 for `ecs`
 * (the signature is checked with the key's secret: ./sigv4.ts), errors as `{"__type", "message"}`
 * with their HTTP status.
 *
 * Every request body is checked against the SDK's own schema of the operation's input
 * (./schema.ts) before it is handled; the access key must be one the caller accepts (e.g. issued
 * by the STS fake and not expired: `ExpiredTokenException` otherwise). Tests choose how
 * deployments play out (`planRollouts`) and how many calls are throttled first (`throttle`).
 */
import { listen, readBody } from '../ecr/http.ts';
import type { LocalServer } from '../ecr/http.ts';
import { EcsFault } from './faults.ts';
import { validateInput, validateOutput } from './schema.ts';
import { parseAuthorization, signatureMatches } from './sigv4.ts';
import { Services } from './services.ts';
import type { RolloutPlan } from './services.ts';
import { TaskDefinitions } from './task-definitions.ts';
import type { Json } from './task-definitions.ts';

export type { RolloutPlan } from './services.ts';

const PREFIX = 'AmazonEC2ContainerServiceV20141113.';

/**
 * The verdict on a request's access key (and session token), with the secret to check the
 * signature by when it is valid: AWS answers an unknown and an expired key differently.
 */
export type KeyVerdict = { status: 'valid'; secretAccessKey: string } | { status: 'expired' | 'unknown' };
export type KeyCheck = (accessKeyId: string, sessionToken: string | undefined) => KeyVerdict;

/** Long-term keys (`AKID…`), which never expire. */
export function staticKeys(keys: Record<string, string>): KeyCheck {
  return (accessKeyId, sessionToken) => {
    const secretAccessKey = keys[accessKeyId];
    return secretAccessKey !== undefined && sessionToken === undefined ? { status: 'valid', secretAccessKey } : { status: 'unknown' };
  };
}

export interface Call {
  operation: string;
  input: Json;
  /** The error type answered, if any. */
  error?: string;
}

export interface FakeEcs extends LocalServer {
  region: string;
  account: string;
  calls: Call[];
  taskDefinitions: TaskDefinitions;
  services: Services;
  /** Registers a task definition as CloudFormation would (the API's checks, but `aws:` tags allowed). */
  registerTaskDefinition(input: Json): string;
  createService(options: { cluster: string; name: string; taskDefinition: string; desiredCount?: number }): string;
  planRollouts(cluster: string, service: string, ...plans: RolloutPlan[]): void;
  /** The next `count` calls (of these operations, or any) answer ThrottlingException. */
  throttle(count: number, operations?: string[]): void;
  callsOf(operation: string): Call[];
}

const SUPPORTED = ['DescribeServices', 'DescribeTaskDefinition', 'RegisterTaskDefinition', 'UpdateService', 'ListServiceDeployments', 'DescribeServiceDeployments', 'ListTasks', 'DescribeTasks'];

export async function startEcsFake(options: { region?: string; account?: string; keys?: KeyCheck; clock?: () => number } = {}): Promise<FakeEcs> {
  const region = options.region ?? 'eu-west-1';
  const account = options.account ?? '111122223333';
  const clock = options.clock ?? Date.now;
  const keys: KeyCheck = options.keys ?? staticKeys({ AKIDTEST: 'secret' });
  const taskDefinitions = new TaskDefinitions(region, account, clock);
  const services = new Services(region, account, clock, taskDefinitions);
  const calls: Call[] = [];
  const throttling = { remaining: 0, operations: undefined as string[] | undefined };

  const handle = (operation: string, input: Json, principal: string): Json => {
    switch (operation) {
      case 'DescribeServices':
        return services.describeServices(input as { cluster?: string; services: string[] });
      case 'DescribeTaskDefinition':
        return taskDefinitions.describe(input.taskDefinition as string, input.include as string[] | undefined);
      case 'RegisterTaskDefinition':
        return taskDefinitions.register(input, principal);
      case 'UpdateService':
        return services.updateService(input as { service: string });
      case 'ListServiceDeployments':
        return services.listServiceDeployments(input as { service: string });
      case 'DescribeServiceDeployments':
        return services.describeServiceDeployments(input as { serviceDeploymentArns: string[] });
      case 'ListTasks':
        return services.listTasks(input);
      case 'DescribeTasks':
        return services.describeTasks(input as { tasks: string[] });
      default:
        throw new EcsFault('UnknownOperationException', `${operation} is not supported by the ECS fake`);
    }
  };

  const server = await listen(async (req, res) => {
    const answer = (status: number, body: Json, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': crypto.randomUUID(), ...headers });
      res.end(JSON.stringify(body));
    };
    const fail = (fault: EcsFault) => answer(fault.status, { __type: fault.type, message: fault.message }, { 'x-amzn-errortype': fault.type });
    const body = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(PREFIX) ? target.slice(PREFIX.length) : target;
    const call: Call = { operation, input: {} };
    calls.push(call);
    const refuse = (fault: EcsFault) => {
      call.error = fault.type;
      fail(fault);
    };
    if (req.method !== 'POST' || req.url !== '/') return refuse(new EcsFault('UnknownOperationException', `${req.method} ${req.url}`, 404));
    const auth = parseAuthorization(req.headers.authorization);
    if (!auth) return refuse(new EcsFault('MissingAuthenticationTokenException', 'Missing Authentication Token', 403));
    if (auth.service !== 'ecs') return refuse(new EcsFault('InvalidSignatureException', `Credential should be scoped to correct service: 'ecs'.`, 403));
    if (auth.region !== region) return refuse(new EcsFault('InvalidSignatureException', `Credential should be scoped to a valid region, not '${auth.region}'.`, 403));
    const verdict = keys(auth.accessKeyId, req.headers['x-amz-security-token'] as string | undefined);
    if (verdict.status !== 'valid') {
      return refuse(
        verdict.status === 'expired'
          ? new EcsFault('ExpiredTokenException', 'The security token included in the request is expired')
          : new EcsFault('UnrecognizedClientException', 'The security token included in the request is invalid.'),
      );
    }
    if (!auth.signedHeaders.includes('host') || (req.headers['x-amz-security-token'] !== undefined && !auth.signedHeaders.includes('x-amz-security-token'))) {
      return refuse(new EcsFault('InvalidSignatureException', 'The host header and the security token must be signed.', 403));
    }
    if (!signatureMatches({ method: req.method, url: req.url, headers: req.headers, body }, auth, verdict.secretAccessKey)) {
      return refuse(new EcsFault('InvalidSignatureException', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.', 403));
    }
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-amz-json-1.1')) return refuse(new EcsFault('SerializationException', 'content-type must be application/x-amz-json-1.1'));
    if (!target.startsWith(PREFIX) || !SUPPORTED.includes(operation)) return refuse(new EcsFault('UnknownOperationException', `unknown operation ${target}`));
    let input: Json;
    try {
      input = JSON.parse(body.toString('utf8') || '{}') as Json;
    } catch {
      return refuse(new EcsFault('SerializationException', 'the body is not JSON'));
    }
    call.input = input;
    if (throttling.remaining > 0 && (!throttling.operations || throttling.operations.includes(operation))) {
      throttling.remaining--;
      return refuse(new EcsFault('ThrottlingException', 'Rate exceeded'));
    }
    const refusal = validateInput(operation, input);
    if (refusal) return refuse(new EcsFault(refusal.type, refusal.message));
    try {
      const output = handle(operation, input, `arn:aws:sts::${account}:assumed-role/mlship-deploy/${auth.accessKeyId}`);
      const wrong = validateOutput(operation, output);
      if (wrong) throw new Error(`the ECS fake answered ${operation} outside the SDK's shape: ${wrong.message}`);
      answer(200, output);
    } catch (err) {
      if (!(err instanceof EcsFault)) return refuse(new EcsFault('ServerException', String(err), 500));
      refuse(err);
    }
  });

  return {
    ...server,
    region,
    account,
    calls,
    taskDefinitions,
    services,
    registerTaskDefinition(input) {
      const refusal = validateInput('RegisterTaskDefinition', input);
      if (refusal) throw new Error(refusal.message);
      return taskDefinitions.register(input, `arn:aws:sts::${account}:assumed-role/cdk-cfn-exec-role/AWSCloudFormation`, true).taskDefinition.taskDefinitionArn as string;
    },
    createService: (o) => services.createService(o),
    planRollouts: (cluster, service, ...plans) => services.planRollouts(cluster, service, ...plans),
    throttle(count, operations) {
      throttling.remaining = count;
      throttling.operations = operations;
    },
    callsOf: (operation) => calls.filter((c) => c.operation === operation),
  };
}
