/**
 * `mlship init DIR --owner OWNER --commit SHA [--repo mlship]`
 * Scaffolds a team's model repository in DIR (new or empty): an example model, an empty lock, and
 * the workflows, which use `OWNER/REPO/actions/<name>@SHA` (mlship's actions at one commit).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { remoteSource } from '../init/options.ts';
import { scaffold } from '../init/scaffold.ts';
import type { CommandIO } from '../io.ts';
import { EXIT, UsageError } from '../io.ts';
import { INIT_USAGE } from './usage.ts';

export async function initCommand(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      owner: { type: 'string' },
      commit: { type: 'string' },
      repo: { type: 'string', default: 'mlship' },
    },
  });
  if (positionals.length !== 1 || !values.owner || !values.commit) throw new UsageError(`usage: mlship ${INIT_USAGE}`);
  const source = remoteSource(values.owner, values.repo, values.commit);
  const dir = path.resolve(io.cwd, positionals[0]!);
  const files = await scaffold(dir, source);
  const where = path.relative(io.cwd, dir) || '.';
  io.stdout.write(files.map((f) => `  ${path.join(where, f)}\n`).join(''));
  io.stdout.write(`${where}: a model repository using ${source.owner}/${source.repo} at ${source.commit}; set its repository variables (README.md), then push it\n`);
  return EXIT.ok;
}
