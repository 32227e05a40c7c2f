/**
 * A local fake of AWS STS `AssumeRoleWithWebIdentity` (the query protocol: a form-encoded
 * `Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=…&RoleSessionName=…&
 * WebIdentityToken=…&DurationSeconds=…`, answered in XML) that the unmodified
 * @aws-sdk/client-sts talks to through its `endpoint` option.
 *
 * It checks the web identity token as STS checks a GitHub one against the IAM OIDC provider and
 * the role's trust policy: an RS256 signature by the test's issuer, the issuer, `aud`
 * (`sts.amazonaws.com`), one of the trusted `sub` claims, and `exp`. The credentials it issues
 * last `credentialLifetimeMs` (short, so tests exercise a refresh), and `keyCheck` tells the ECS
 * fake whether a request's access key is one it issued and still valid.
 */
import { randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { listen, readBody } from '../ecr/http.ts';
import type { LocalServer } from '../ecr/http.ts';
import type { KeyCheck } from '../ecs/api.ts';
import { GITHUB_ISSUER, verifyToken } from './oidc-token.ts';

export interface Issued {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiresAt: number;
  roleSessionName: string;
  subject: string;
}

export interface FakeSts extends LocalServer {
  /** Every set of credentials issued, in order. */
  issued: Issued[];
  /** Refusals, in order: the error code answered. */
  refused: string[];
  keyCheck: KeyCheck;
}

export interface StsFakeOptions {
  publicKey: KeyObject;
  roleArn: string;
  /** The `sub` claims the role trusts. */
  subjects: string[];
  audience?: string;
  issuer?: string;
  /** The role's MaxSessionDuration (default 3600, as the deploy role in infra/). */
  maxSessionDurationSeconds?: number;
  /** How long issued credentials last, whatever DurationSeconds asks (default: DurationSeconds). */
  credentialLifetimeMs?: number;
  clock?: () => number;
}

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startStsFake(options: StsFakeOptions): Promise<FakeSts> {
  const clock = options.clock ?? Date.now;
  const issued: Issued[] = [];
  const refused: string[] = [];
  const server = await listen(async (req, res) => {
    const body = (await readBody(req)).toString('utf8');
    const requestId = crypto.randomUUID();
    const fail = (status: number, code: string, message: string) => {
      refused.push(code);
      res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
      res.end(
        `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
    };
    if (req.method !== 'POST' || req.url !== '/') return fail(404, 'InvalidAction', `${req.method} ${req.url}`);
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return fail(400, 'InvalidParameterValue', 'the body must be form-encoded');
    const form = new URLSearchParams(body);
    const known = new Set(['Action', 'Version', 'RoleArn', 'RoleSessionName', 'WebIdentityToken', 'ProviderId', 'PolicyArns', 'Policy', 'DurationSeconds']);
    const unknown = [...form.keys()].filter((k) => !known.has(k.split('.')[0]!));
    if (unknown.length > 0) return fail(400, 'InvalidParameterValue', `unknown parameters: ${unknown.join(', ')}`);
    if (form.get('Action') !== 'AssumeRoleWithWebIdentity') return fail(400, 'InvalidAction', `Could not find operation ${form.get('Action') ?? ''} for version ${form.get('Version') ?? ''}`);
    if (form.get('Version') !== '2011-06-15') return fail(400, 'InvalidAction', `unknown version ${form.get('Version') ?? ''}`);
    for (const required of ['RoleArn', 'RoleSessionName', 'WebIdentityToken']) {
      if (!form.get(required)) return fail(400, 'MissingParameter', `The request must contain the parameter ${required}`);
    }
    const session = form.get('RoleSessionName')!;
    if (!/^[\w+=,.@-]{2,64}$/.test(session)) return fail(400, 'ValidationError', `1 validation error detected: Value '${session}' at 'roleSessionName' failed to satisfy constraint`);
    const duration = Number(form.get('DurationSeconds') ?? '3600');
    if (!Number.isInteger(duration) || duration < 900 || duration > 43200) return fail(400, 'ValidationError', `1 validation error detected: Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`);
    if (duration > (options.maxSessionDurationSeconds ?? 3600)) return fail(400, 'ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    if (form.get('RoleArn') !== options.roleArn) return fail(403, 'AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity');
    const claims = verifyToken(form.get('WebIdentityToken')!, options.publicKey);
    if (typeof claims === 'string') return fail(400, 'InvalidIdentityToken', claims);
    if (claims.iss !== (options.issuer ?? GITHUB_ISSUER)) return fail(400, 'InvalidIdentityToken', `No OpenIDConnect provider found in your account for ${String(claims.iss)}`);
    if (claims.exp * 1000 <= clock()) return fail(400, 'ExpiredTokenException', 'Token expired');
    if (claims.aud !== (options.audience ?? 'sts.amazonaws.com')) return fail(400, 'InvalidIdentityToken', `Incorrect token audience`);
    if (!options.subjects.includes(claims.sub)) return fail(403, 'AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity');

    const credentials: Issued = {
      accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(48).toString('base64'),
      expiresAt: clock() + (options.credentialLifetimeMs ?? duration * 1000),
      roleSessionName: session,
      subject: claims.sub,
    };
    issued.push(credentials);
    const role = options.roleArn.split('/').at(-1)!;
    const account = options.roleArn.split(':')[4]!;
    res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
    res.end(`<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>${escapeXml(claims.sub)}</SubjectFromWebIdentityToken>
    <Audience>${escapeXml(claims.aud)}</Audience>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::${account}:assumed-role/${role}/${session}</Arn>
      <AssumedRoleId>AROA${randomBytes(8).toString('hex').toUpperCase()}:${session}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>${credentials.sessionToken}</SessionToken>
      <SecretAccessKey>${credentials.secretAccessKey}</SecretAccessKey>
      <Expiration>${new Date(credentials.expiresAt).toISOString()}</Expiration>
      <AccessKeyId>${credentials.accessKeyId}</AccessKeyId>
    </Credentials>
    <Provider>${escapeXml(claims.iss)}</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata>
    <RequestId>${requestId}</RequestId>
  </ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>`);
  });

  const keyCheck: KeyCheck = (accessKeyId, sessionToken) => {
    const found = issued.find((c) => c.accessKeyId === accessKeyId);
    if (!found || found.sessionToken !== sessionToken) return { status: 'unknown' };
    return found.expiresAt <= clock() ? { status: 'expired' } : { status: 'valid', secretAccessKey: found.secretAccessKey };
  };
  return { ...server, issued, refused, keyCheck };
}
