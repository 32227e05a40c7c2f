/**
 * `mlship publish <artifact.json>... [--store URI] [--lock models.lock.json] [--json]`
 * Publishes each artifact to the model store (immutably: an existing version with the same bytes is
 * "already published", with other bytes an error) and pins it in the lock. The store defaults to
 * `MLSHIP_STORE`, else `file://.mlship/store`; `MLSHIP_S3_ENDPOINT` points s3:// at an
 * S3-compatible server. Exit 0 when all are published, 1 when the store refused or failed, 2 for
 * an invalid artifact or bad usage.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_LOCK } from '../../registry/lock.ts';
import type { PublishFailure, PublishInput, PublishOutcome } from '../../registry/publish.ts';
import { isFailure, publishArtifacts } from '../../registry/publish.ts';
import { checkCommitId } from '../git.ts';
import { storeFor } from '../store.ts';
import type { CommandIO } from '../io.ts';
import { EXIT, UsageError } from '../io.ts';
import { PUBLISH_USAGE } from './usage.ts';

export async function publishCommand(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      store: { type: 'string' },
      lock: { type: 'string', default: DEFAULT_LOCK },
      json: { type: 'boolean', default: false },
      commit: { type: 'string' },
    },
  });
  if (positionals.length === 0) throw new UsageError(`usage: mlship ${PUBLISH_USAGE}`);
  const given = values.commit ?? (io.env.MLSHIP_COMMIT || null); // an empty MLSHIP_COMMIT is unset, as for train
  const commit = given === null ? null : checkCommitId(given, '--commit');
  const store = storeFor(values.store, io);
  const lockFile = path.resolve(io.cwd, values.lock);

  const inputs: PublishInput[] = [];
  const unreadable = new Map<number, PublishFailure>();
  for (const [i, file] of positionals.entries()) {
    try {
      inputs.push({ bytes: await readFile(path.resolve(io.cwd, file)), source: file, commit });
    } catch (err) {
      unreadable.set(i, { source: file, kind: 'invalid', error: `${file}: cannot read the artifact (${(err as NodeJS.ErrnoException).code ?? String(err)})` });
    }
  }
  const report = await publishArtifacts(inputs, { store, lockFile });
  const published = [...report.outcomes];
  const outcomes: PublishOutcome[] = positionals.map((_, i) => unreadable.get(i) ?? published.shift()!);

  for (const o of outcomes) {
    if (values.json) {
      io.stdout.write(`${JSON.stringify(isFailure(o) ? o : { name: o.name, version: o.version, status: o.status, uri: o.uri, sha256: o.sha256, size: o.size, source: o.source })}\n`);
    } else if (!isFailure(o)) {
      io.stdout.write(`${o.status === 'published' ? 'published' : 'already published'} ${o.name} ${o.version} → ${o.uri}\n`);
    }
    if (isFailure(o)) io.stderr.write(`✗ ${o.error}\n`);
  }
  if (!values.json) {
    const where = path.relative(io.cwd, lockFile) || lockFile;
    io.stdout.write(report.lockChanged ? `${where}: updated\n` : `${where}: unchanged\n`);
  }
  return outcomes.reduce((code, o) => Math.max(code, !isFailure(o) ? EXIT.ok : o.kind === 'invalid' ? EXIT.badInput : EXIT.failed), EXIT.ok as number);
}
