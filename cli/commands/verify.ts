/**
 * `mlship verify [--lock models.lock.json] [--store URI] [--json]`
 * Checks that every artifact the lock pins is in the store, has the pinned sha256, parses, and
 * carries the entry's name and version. Exit 0 when all do, 1 with a per-model report otherwise,
 * 2 when the lock itself is missing or invalid.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_LOCK, readLock } from '../../registry/lock.ts';
import { storeFor } from '../store.ts';
import { verifyLock } from '../../registry/verify.ts';
import type { CommandIO } from '../io.ts';
import { EXIT, UsageError } from '../io.ts';

export async function verifyCommand(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      lock: { type: 'string', default: DEFAULT_LOCK },
      store: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length > 0) throw new UsageError('usage: mlship verify [--lock models.lock.json] [--store URI] [--json]');
  const lockFile = path.resolve(io.cwd, values.lock);
  const lock = await readLock(lockFile);
  const store = storeFor(values.store, io);
  const result = await verifyLock(lock, store);

  for (const m of result.models) {
    if (values.json) {
      io.stdout.write(`${JSON.stringify(m)}\n`);
    } else if (m.ok) {
      io.stdout.write(`✓ ${m.name} ${m.version}  ${m.uri}\n`);
    } else {
      io.stdout.write(`✗ ${m.name} ${m.version}\n${m.problems.map((p) => `    ${p}\n`).join('')}`);
    }
  }
  if (!values.json) {
    const failed = result.models.filter((m) => !m.ok).length;
    const where = path.relative(io.cwd, lockFile) || lockFile;
    io.stdout.write(
      result.models.length === 0
        ? `${where}: no models pinned\n`
        : failed === 0
          ? `${where}: ${result.models.length} model${result.models.length === 1 ? '' : 's'} verified against ${store.uri}\n`
          : `${where}: ${failed} of ${result.models.length} model${result.models.length === 1 ? '' : 's'} failed verification against ${store.uri}\n`,
    );
  }
  return result.ok ? EXIT.ok : EXIT.failed;
}
