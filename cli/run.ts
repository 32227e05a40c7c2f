/** Dispatches `mlship <command>`; bad input becomes one line on stderr and exit code 2, never a stack trace. */
import { MlshipError, describeError } from '../training/errors.ts';
import { DEPLOY_USAGE, deployCommand } from './commands/deploy.ts';
import { IMAGE_USAGE, imageCommand } from './commands/image.ts';
import { INIT_USAGE, initCommand } from './commands/init.ts';
import { PUBLISH_USAGE, publishCommand } from './commands/publish.ts';
import { REPORT_USAGE, reportCommand } from './commands/report.ts';
import { serveCommand, SERVE_USAGE } from './commands/serve.ts';
import { TRAIN_USAGE, trainCommand } from './commands/train.ts';
import { VERIFY_USAGE, verifyCommand } from './commands/verify.ts';
import { WORKER_USAGE, workerCommand } from './commands/worker.ts';
import type { CommandIO } from './io.ts';
import { EXIT, isFileSystemError } from './io.ts';

const COMMANDS: Record<string, { run: (args: string[], io: CommandIO) => Promise<number>; help: string }> = {
  train: { run: trainCommand, help: TRAIN_USAGE },
  serve: { run: serveCommand, help: SERVE_USAGE },
  publish: { run: publishCommand, help: PUBLISH_USAGE },
  verify: { run: verifyCommand, help: VERIFY_USAGE },
  report: { run: reportCommand, help: REPORT_USAGE },
  deploy: { run: deployCommand, help: DEPLOY_USAGE },
  init: { run: initCommand, help: INIT_USAGE },
  image: { run: imageCommand, help: IMAGE_USAGE },
  worker: { run: workerCommand, help: WORKER_USAGE },
};

const USAGE = `usage: mlship <command> [options]\n\ncommands:\n${Object.values(COMMANDS)
  .map((c) => `  ${c.help}`)
  .join('\n')}\n`;

export async function run(argv: string[], io: CommandIO): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(USAGE);
    return name ? EXIT.ok : EXIT.badInput;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`mlship: unknown command "${name}"\n${USAGE}`);
    return EXIT.badInput;
  }
  try {
    return await command.run(args, io);
  } catch (err) {
    if (err instanceof MlshipError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`mlship ${name}: ${describeError(err)}\n`);
      return EXIT.badInput;
    }
    if (isFileSystemError(err)) {
      io.stderr.write(`mlship ${name}: ${err.message}\n`); // e.g. "ENOENT: no such file or directory, open 'x.json'"
      return EXIT.badInput;
    }
    io.stderr.write(`mlship ${name}: internal error (a bug in mlship; please report it): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.internal;
  }
}
