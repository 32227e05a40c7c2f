// cdk-nag v3 (installed: 3.0.2) runs as a CDK policy-validation plugin, and a finding is
// acknowledged with CDK's own `Validations.of(construct).acknowledge()` (v3 removed
// `NagSuppressions`). Every acknowledgement in this app goes through here so that each one carries a
// specific reason, and so the tests can list them.
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges a cdk-nag finding on `scope` (and its children). `id` is a rule id
 * (`AwsSolutions-S1`) or a granular finding (`AwsSolutions-IAM5[Resource::*]`).
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  if (reason.trim().length < 20) {
    throw new Error(`nag acknowledgement ${id} on ${scope.node.path} needs a specific reason`);
  }
  Validations.of(scope).acknowledge({ id, reason });
}
