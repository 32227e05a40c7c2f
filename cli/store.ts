/** The model store a command works with: `--store`, else MLSHIP_STORE, else the local default. */
import type { ModelStore, OpenStoreOptions } from '../registry/store/index.ts';
import { openStore, storeOptionsFromEnv, storeUriFrom } from '../registry/store/index.ts';
import type { CommandIO } from './io.ts';

/** How a command opens stores: relative file paths from its cwd, S3 endpoint and region from its env. */
export function storeOptions(io: CommandIO): OpenStoreOptions {
  return { cwd: io.cwd, ...storeOptionsFromEnv(io.env) };
}

export function storeFor(flag: string | undefined, io: CommandIO): ModelStore {
  return openStore(storeUriFrom(flag, io.env), storeOptions(io));
}
