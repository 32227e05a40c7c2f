/**
 * A local fake of the ECR control-plane JSON API (awsJson1_1), enough for
 * `GetAuthorizationToken`: the real @aws-sdk/client-ecr talks to it unmodified through its
 * `endpoint` option. It checks requests against the SDK's own shape (the target header, a
 * SigV4-signed request, `registryIds` as 1-10 twelve-digit strings) and answers errors as AWS does
 * (`__type` in the body): an unknown target is an `UnknownOperationException`.
 */
import { listen, readBody } from './http.ts';
import type { LocalServer } from './http.ts';

const PREFIX = 'AmazonEC2ContainerRegistry_V20150921.';

export interface FakeEcrApi extends LocalServer {
  /** Targets called, in order. */
  calls: string[];
}

export async function startEcrApi(options: { password: string; proxyEndpoint: string; accountId?: string; validForMs?: number }): Promise<FakeEcrApi> {
  const calls: string[] = [];
  const server = await listen(async (req, res) => {
    const fail = (status: number, type: string, message: string) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type });
      res.end(JSON.stringify({ __type: type, message }));
    };
    const body = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    calls.push(target);
    if (req.method !== 'POST' || req.url !== '/') return fail(404, 'UnknownOperationException', `${req.method} ${req.url}`);
    if (!/^AWS4-HMAC-SHA256 Credential=\S+\/\d{8}\/[a-z0-9-]+\/ecr\/aws4_request/.test(String(req.headers.authorization ?? ''))) {
      return fail(403, 'MissingAuthenticationTokenException', 'the request is not signed with SigV4 for ecr');
    }
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-amz-json-1.1')) return fail(400, 'SerializationException', 'content-type must be application/x-amz-json-1.1');
    if (target !== `${PREFIX}GetAuthorizationToken`) return fail(400, 'UnknownOperationException', `unknown operation ${target}`);
    let input: { registryIds?: unknown };
    try {
      input = JSON.parse(body.toString('utf8') || '{}') as { registryIds?: unknown };
    } catch {
      return fail(400, 'SerializationException', 'the body is not JSON');
    }
    const unknownKeys = Object.keys(input).filter((k) => k !== 'registryIds');
    if (unknownKeys.length > 0) return fail(400, 'SerializationException', `unknown fields ${unknownKeys.join(', ')}`);
    if (input.registryIds !== undefined) {
      const ids = input.registryIds;
      if (!Array.isArray(ids) || ids.length < 1 || ids.length > 10 || !ids.every((id) => typeof id === 'string' && /^[0-9]{12}$/.test(id))) {
        return fail(400, 'InvalidParameterException', "Invalid parameter at 'registryIds' failed to satisfy constraint: 'must satisfy regular expression [0-9]{12}'");
      }
    }
    const expiresAt = (Date.now() + (options.validForMs ?? 12 * 3600_000)) / 1000;
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(
      JSON.stringify({
        authorizationData: [{ authorizationToken: Buffer.from(`AWS:${options.password}`).toString('base64'), expiresAt, proxyEndpoint: options.proxyEndpoint }],
      }),
    );
  });
  return { ...server, calls };
}
