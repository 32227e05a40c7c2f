/**
 * `mlship verify [--lock models.lock.json] [--store URI] [--json]`
 * Checks that every artifact the lock pins is in the store, has the pinned sha256, parses, and
 * carries the entry's name and version. Exit 0 when all do, 1 with a per-model report otherwise,
 * 2 when the lock itself is missing or invalid.
 *
 * `mlship verify --reproduce [--lock models.lock.json] [--json]` retrains every pinned model from
 * the working tree instead (no store needed) and exits 1 when one drifted, is missing or fails.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_LOCK, readLock } from '../../registry/lock.ts';
import { reproduceLock } from '../../registry/reproduce.ts';
import { verifyLock } from '../../registry/verify.ts';
import type { CommandIO } from '../io.ts';
import { EXIT, UsageError } from '../io.ts';
import { reproductionText } from '../render/verify.ts';
import { storeFor } from '../store.ts';
import { VERIFY_USAGE } from './usage.ts';

export async function verifyCommand(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      lock: { type: 'string', default: DEFAULT_LOCK },
      store: { type: 'string' },
      json: { type: 'boolean', default: false },
      reproduce: { type: 'boolean', default: false },
    },
  });
  if (positionals.length > 0) throw new UsageError(`usage: mlship ${VERIFY_USAGE}`);
  if (values.reproduce && values.store) throw new UsageError('--reproduce rebuilds from the working tree and reads no store: drop --store');
  const lockFile = path.resolve(io.cwd, values.lock);
  const lock = await readLock(lockFile);
  const where = path.relative(io.cwd, lockFile) || lockFile;
  const count = (n: number) => `${n} model${n === 1 ? '' : 's'}`;

  if (values.reproduce) {
    const result = await reproduceLock(lock, path.dirname(lockFile));
    for (const m of result.models) io.stdout.write(values.json ? `${JSON.stringify(m)}\n` : reproductionText(m));
    if (!values.json) {
      const failed = result.models.filter((m) => m.status !== 'reproduced').length;
      io.stdout.write(
        result.models.length === 0
          ? `${where}: no models pinned\n`
          : failed === 0
            ? `${where}: ${count(result.models.length)} reproduced byte for byte from the working tree\n`
            : `${where}: ${failed} of ${count(result.models.length)} not reproduced from the working tree\n`,
      );
    }
    return result.ok ? EXIT.ok : EXIT.failed;
  }

  const store = storeFor(values.store, io);
  const result = await verifyLock(lock, store);
  for (const m of result.models) {
    if (values.json) io.stdout.write(`${JSON.stringify(m)}\n`);
    else if (m.ok) io.stdout.write(`✓ ${m.name} ${m.version}  ${m.uri}\n`);
    else io.stdout.write(`✗ ${m.name} ${m.version}\n${m.problems.map((p) => `    ${p}\n`).join('')}`);
  }
  if (!values.json) {
    const failed = result.models.filter((m) => !m.ok).length;
    io.stdout.write(
      result.models.length === 0
        ? `${where}: no models pinned\n`
        : failed === 0
          ? `${where}: ${count(result.models.length)} verified against ${store.uri}\n`
          : `${where}: ${failed} of ${count(result.models.length)} failed verification against ${store.uri}\n`,
    );
  }
  return result.ok ? EXIT.ok : EXIT.failed;
}
