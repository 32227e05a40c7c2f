/** The model store a command works with: `--store`, else MLSHIP_STORE, else the local default. */
import type { ModelStore, OpenStoreOptions } from '../registry/store/index.ts';
import { DEFAULT_STORE_URI, openStore } from '../registry/store/index.ts';
import type { CommandIO } from './io.ts';

/** The store URI to use: the flag, else `MLSHIP_STORE`, else the embedded default. */
export function storeUriFrom(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag || env.MLSHIP_STORE || DEFAULT_STORE_URI;
}

/** How a command opens stores: relative file paths from its cwd; S3 endpoint (MLSHIP_S3_ENDPOINT) and region from its env. */
export function storeOptions(io: CommandIO): OpenStoreOptions {
  return {
    cwd: io.cwd,
    endpoint: io.env.MLSHIP_S3_ENDPOINT || undefined,
    region: io.env.AWS_REGION || io.env.AWS_DEFAULT_REGION || undefined,
  };
}

export function storeFor(flag: string | undefined, io: CommandIO): ModelStore {
  return openStore(storeUriFrom(flag, io.env), storeOptions(io));
}
