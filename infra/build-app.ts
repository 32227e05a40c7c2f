// Builds the CDK app: shared by the CDK entry point (app.ts), the offline synth (synth.ts) and the tests.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { MlshipConfig } from './config.ts';
import { MlshipStack } from './stack.ts';

/**
 * Feature flags this app relies on. A new `cdk init` project sets these in cdk.json; they are set
 * here so that the tests, the offline synth and `cdk deploy` all build the same template.
 */
export const FEATURE_FLAGS: Record<string, boolean> = {
  // Grant S3 server access log delivery with a bucket policy instead of the legacy ACL.
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  // Do not add an empty deployment-alarms block to the ECS service.
  '@aws-cdk/aws-ecs:removeDefaultDeploymentAlarm': true,
  // The execution role gets CloudWatch Logs permissions on its own log group only.
  '@aws-cdk/aws-ecs:reduceEc2FargateCloudWatchPermissions': true,
};

export interface CreateAppOptions {
  /** Cloud assembly directory. Default: CDK's (CDK_OUTDIR when run by the CLI, else a temporary directory). */
  readonly outdir?: string;
  /** Extra context; the CLI's context (`-c`, cdk.json) still takes precedence. */
  readonly context?: Record<string, unknown>;
}

export function createApp(options: CreateAppOptions = {}): App {
  return new App({ outdir: options.outdir, context: { ...FEATURE_FLAGS, ...options.context } });
}

export interface AddStackOptions {
  /**
   * Register cdk-nag's AwsSolutionsChecks as a policy-validation plugin: synthesis then fails on any
   * unacknowledged finding. Default true. The tests turn it off to inspect the findings themselves.
   */
  readonly nag?: boolean;
}

export function addMlshipStack(app: App, config: MlshipConfig, options: AddStackOptions = {}): MlshipStack {
  const stack = new MlshipStack(app, 'Mlship', { config });
  if (options.nag ?? true) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  }
  return stack;
}

export function buildApp(config: MlshipConfig, options: CreateAppOptions & AddStackOptions = {}): { app: App; stack: MlshipStack } {
  const app = createApp(options);
  return { app, stack: addMlshipStack(app, config, options) };
}
