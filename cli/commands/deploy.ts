/**
 * `mlship deploy --cluster C --service S --container NAME --image REF [--timeout MIN] [--lock FILE] [--region R] [--json]`
 * Rolls an image (pinned by digest) out on an ECS service from outside GitHub, as the deploy
 * action does, with the standard AWS credential chain and region (`MLSHIP_ECS_ENDPOINT` points
 * it at an ECS-compatible endpoint). The lock is read for the report only: which model versions
 * the image serves. Exit 0 rolled out (or already running), 1 failed, timed out or ECS refused a
 * call (credentials, a missing cluster), 2 bad input.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ecsClient } from '../../actions/lib/deploy/ecs-client.ts';
import { pinnedModels } from '../../actions/lib/deploy/pinned.ts';
import { timeoutMsFrom } from '../../actions/lib/deploy/timeout.ts';
import { deployImage } from '../../actions/lib/ecs/deploy.ts';
import { EcsCallError } from '../../actions/lib/ecs/errors.ts';
import { DEFAULT_LOCK, readLock } from '../../registry/lock.ts';
import type { CommandIO } from '../io.ts';
import { EXIT, UsageError } from '../io.ts';
import { deployJson, deployText } from '../render/deploy.ts';
import { DEPLOY_USAGE } from './usage.ts';

export async function deployCommand(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      cluster: { type: 'string' },
      service: { type: 'string' },
      container: { type: 'string' },
      image: { type: 'string' },
      timeout: { type: 'string' },
      lock: { type: 'string' },
      region: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length > 0) throw new UsageError(`usage: mlship ${DEPLOY_USAGE}`);
  const missing = (['cluster', 'service', 'container', 'image'] as const).filter((flag) => !values[flag]);
  if (missing.length > 0) throw new UsageError(`${missing.map((f) => `--${f}`).join(', ')} ${missing.length === 1 ? 'is' : 'are'} required: mlship ${DEPLOY_USAGE}`);
  const target = { cluster: values.cluster!, service: values.service! };
  const timeoutMs = timeoutMsFrom(values.timeout, '--timeout');
  // The default lock may be absent (a deploy from elsewhere than the models' repository); a named one must exist.
  const lock = await readLock(path.resolve(io.cwd, values.lock ?? DEFAULT_LOCK), { allowMissing: values.lock === undefined });
  const models = pinnedModels(lock);

  const ecs = ecsClient({ region: values.region || io.env.AWS_REGION || io.env.AWS_DEFAULT_REGION || undefined, endpoint: io.env.MLSHIP_ECS_ENDPOINT || undefined });
  let result;
  try {
    result = await deployImage(ecs, { ...target, container: values.container!, image: values.image!, timeoutMs });
  } catch (err) {
    // ECS refusing a call is a failed deploy, not bad input: the command line was fine.
    if (!(err instanceof EcsCallError)) throw err;
    io.stderr.write(`mlship deploy: ${err.message}\n`);
    return EXIT.failed;
  }
  io.stdout.write(values.json ? deployJson(result, models) : deployText(result, target, models));
  return result.status === 'succeeded' || result.status === 'skipped' ? EXIT.ok : EXIT.failed;
}
