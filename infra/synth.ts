// `npm run infra:synth`: synthesizes the CloudFormation template offline (no AWS credentials, no
// network) into infra/cdk.out, with cdk-nag's AwsSolutionsChecks enforced, and prints the path(s).
// Uses infra/mlship.config.json when it exists, else the example config (placeholder account).
import { existsSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DEFAULT_CONFIG_FILE, EXAMPLE_CONFIG_FILE, ConfigError, loadConfig } from './config.ts';
import { buildApp } from './build-app.ts';

const outdir = join(import.meta.dirname, 'cdk.out');
const file = existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : EXAMPLE_CONFIG_FILE;

try {
  const { config } = loadConfig({ defaultFile: file });
  rmSync(outdir, { recursive: true, force: true });
  const { app } = buildApp(config, { outdir });
  const assembly = app.synth();
  const show = (p: string) => relative(process.cwd(), p) || p;
  console.log(`config: ${show(file)}${file === EXAMPLE_CONFIG_FILE ? ' (example: copy it to infra/mlship.config.json to deploy)' : ''}`);
  console.log(`image: ${config.service.image}`);
  for (const stack of assembly.stacks) {
    console.log(`${stack.stackName} (${stack.environment.account}/${stack.environment.region}): ${show(join(assembly.directory, stack.templateFile))}`);
  }
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
