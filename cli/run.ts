/** Dispatches `mlship <command>`; bad input becomes one line on stderr and exit code 2, never a stack trace. */
import { MlshipError } from '../training/errors.ts';
import { trainCommand } from './commands/train.ts';
import type { CommandIO } from './io.ts';
import { EXIT, UsageError } from './io.ts';

const COMMANDS: Record<string, { run: (args: string[], io: CommandIO) => Promise<number>; help: string }> = {
  train: { run: trainCommand, help: 'train <modelDir>... [--out DIR] [--json] [--champion model.json]   train, evaluate, gate, write artifacts' },
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
    if (err instanceof UsageError || err instanceof MlshipError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`mlship ${name}: ${(err as Error).message}\n`);
      return EXIT.badInput;
    }
    throw err;
  }
}
