/** Opening the model store an action names, with the S3 endpoint and region the environment gives. */
import type { ModelStore } from '../../../registry/store/index.ts';
import { openStore } from '../../../registry/store/index.ts';

export function storeFromInput(uri: string, options: { cwd: string; env: NodeJS.ProcessEnv }): ModelStore {
  return openStore(uri, {
    cwd: options.cwd,
    endpoint: options.env.MLSHIP_S3_ENDPOINT || undefined,
    region: options.env.AWS_REGION || options.env.AWS_DEFAULT_REGION || undefined,
  });
}
