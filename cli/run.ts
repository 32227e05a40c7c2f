/** Dispatches `mlship <command>`; bad input becomes one line on stderr and exit code 2, never a stack trace. */
import { MlshipError, describeError } from '../training/errors.ts';
import type { CommandIO } from './io.ts';
import { EXIT, isFileSystemError } from './io.ts';
import { DEPLOY_USAGE, IMAGE_USAGE, INIT_USAGE, PUBLISH_USAGE, REPORT_USAGE, SERVE_USAGE, TRAIN_USAGE, VERIFY_USAGE, WORKER_USAGE } from './commands/usage.ts';

type Command = (args: string[], io: CommandIO) => Promise<number>;

// Each command is imported when it runs, not all at start-up: importing every one (the AWS SDK
// among them) took 0.15–0.3 s of each `mlship` call, e.g. of `mlship train`'s wall time.
const COMMANDS: Record<string, { load: () => Promise<Command>; help: string }> = {
  train: { load: async () => (await import('./commands/train.ts')).trainCommand, help: TRAIN_USAGE },
  serve: { load: async () => (await import('./commands/serve.ts')).serveCommand, help: SERVE_USAGE },
  publish: { load: async () => (await import('./commands/publish.ts')).publishCommand, help: PUBLISH_USAGE },
  verify: { load: async () => (await import('./commands/verify.ts')).verifyCommand, help: VERIFY_USAGE },
  report: { load: async () => (await import('./commands/report.ts')).reportCommand, help: REPORT_USAGE },
  deploy: { load: async () => (await import('./commands/deploy.ts')).deployCommand, help: DEPLOY_USAGE },
  init: { load: async () => (await import('./commands/init.ts')).initCommand, help: INIT_USAGE },
  image: { load: async () => (await import('./commands/image.ts')).imageCommand, help: IMAGE_USAGE },
  worker: { load: async () => (await import('./commands/worker.ts')).workerCommand, help: WORKER_USAGE },
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
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.stderr.write(`mlship: unknown command "${name}"\n${USAGE}`);
    return EXIT.badInput;
  }
  try {
    return await (await command.load())(args, io);
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
