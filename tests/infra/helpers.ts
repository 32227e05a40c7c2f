// Shared by the infra tests: a valid config to start from, and helpers to read IAM policies out of
// a synthesized template.
import type { Template } from 'aws-cdk-lib/assertions';
import { parseConfig, type MlshipConfig } from '../../infra/config.ts';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const OWNER = 'acme';
export const REPO = 'models';

/** A minimal valid raw config (before defaults), as a team would write it. */
export function rawConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    account: ACCOUNT,
    region: REGION,
    github: { owner: OWNER, repo: REPO },
    ...overrides,
  };
}

export function testConfig(overrides: Record<string, unknown> = {}): MlshipConfig {
  return parseConfig(rawConfig(overrides), 'test');
}

export const DIGEST = 'a'.repeat(64);
export const IMAGE = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/mlship-serving@sha256:${DIGEST}`;

export interface Statement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
  readonly Sid?: string;
}

export interface PolicyOf {
  /** Logical id of the role (or roles) the policy is attached to. */
  readonly roles: string[];
  readonly statements: Statement[];
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export const actionsOf = (s: Statement): string[] => asArray(s.Action);
export const resourcesOf = (s: Statement): unknown[] => asArray(s.Resource as unknown);

/** Every identity policy in the template: AWS::IAM::Policy, managed policies and roles' inline policies. */
export function identityPolicies(template: Template): PolicyOf[] {
  const out: PolicyOf[] = [];
  const refs = (v: unknown): string[] => asArray(v as unknown[]).map((r) => (r as { Ref: string }).Ref);
  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
    for (const resource of Object.values(template.findResources(type))) {
      const props = resource.Properties as { PolicyDocument: { Statement: Statement[] }; Roles?: unknown };
      out.push({ roles: refs(props.Roles), statements: props.PolicyDocument.Statement });
    }
  }
  for (const [id, resource] of Object.entries(template.findResources('AWS::IAM::Role'))) {
    const inline = (resource.Properties as { Policies?: { PolicyDocument: { Statement: Statement[] } }[] }).Policies ?? [];
    for (const policy of inline) out.push({ roles: [id], statements: policy.PolicyDocument.Statement });
  }
  return out;
}

/** Allow statements of the identity policies attached to the role with this logical id. */
export function statementsOfRole(template: Template, roleLogicalId: string): Statement[] {
  return identityPolicies(template)
    .filter((p) => p.roles.includes(roleLogicalId))
    .flatMap((p) => p.statements);
}

/** Logical id of the single resource of `type` whose logical id starts with `prefix`. */
export function logicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`expected one ${type} with id ${prefix}*, found ${ids.join(', ') || 'none'}`);
  return ids[0] as string;
}

/**
 * IAM access level by action name, as in the Service Authorization Reference: Get/Describe/List/
 * BatchGet/BatchCheck actions read, everything else may change something ("write").
 */
export function isReadAction(action: string): boolean {
  const name = action.split(':')[1] ?? '';
  return /^(Get|Describe|List|BatchGet|BatchCheck)/.test(name);
}

/** The trust policy statements of the role with this logical id. */
export function trustOf(template: Template, roleLogicalId: string): Statement[] {
  const role = template.findResources('AWS::IAM::Role')[roleLogicalId];
  if (!role) throw new Error(`no role ${roleLogicalId}`);
  return role.Properties.AssumeRolePolicyDocument.Statement as Statement[];
}

// IAM's StringLike: `*` is any run of characters (also none, also '/'), `?` one character.
const likeToRegExp = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);

/**
 * Whether a statement's conditions hold for a token with these claims: each operator's every key
 * must match one of its values (StringEquals exactly, StringLike as a pattern), as IAM evaluates them.
 */
export function conditionsHold(statement: Statement, claims: Record<string, string>): boolean {
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => {
      const value = claims[key];
      if (value === undefined) return false;
      return asArray(expected as string | string[]).some((e) => {
        if (operator === 'StringEquals') return e === value;
        if (operator === 'StringLike') return likeToRegExp(e).test(value);
        throw new Error(`conditionsHold does not model ${operator}`);
      });
    }),
  );
}
