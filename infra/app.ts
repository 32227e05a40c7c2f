// The CDK app entry point, run by the CDK CLI (infra/cdk.json: "app": "node app.ts"):
//   cd infra && npx --no -- cdk deploy -c mlship:service.image=<the running image, or 'placeholder' the first time>
import { CONTEXT_PREFIX, ConfigError, PLACEHOLDER, loadConfig } from './config.ts';
import { addMlshipStack, createApp } from './build-app.ts';

const IMAGE_CONTEXT_KEY = `${CONTEXT_PREFIX}service.image`;

try {
  const app = createApp();
  const context = app.node.getAllContext() as Record<string, unknown>;
  // After the pipeline's first deploy it owns the image; CloudFormation would roll the service back
  // to whatever image the template names. So every CLI run must say which image is running.
  if (context[IMAGE_CONTEXT_KEY] === undefined) {
    throw new ConfigError(
      `Missing context ${IMAGE_CONTEXT_KEY}: the image the service runs now.\n` +
        `  First deploy (nothing deployed yet):  -c ${IMAGE_CONTEXT_KEY}=${PLACEHOLDER}\n` +
        `  Any later deploy: the image of the running task definition, e.g.\n` +
        `    -c ${IMAGE_CONTEXT_KEY}=$(aws ecs describe-task-definition --query "taskDefinition.containerDefinitions[?name=='serving'].image | [0]" --output text \\\n` +
        `         --task-definition "$(aws ecs describe-services --cluster <cluster> --services <service> --query 'services[0].taskDefinition' --output text)")\n` +
        `  (see infra/README.md, "Who owns the task definition").`,
    );
  }
  const { config } = loadConfig({ context });
  addMlshipStack(app, config);
  app.synth();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
