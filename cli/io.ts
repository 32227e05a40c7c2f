import { MlshipError } from '../training/errors.ts';

/** What a command needs from the process, passed in so tests can run commands in-process. */
export interface CommandIO {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

/**
 * Exit codes: 0 done, 1 a check failed (gate, verification), 2 bad input or usage, 3 a bug in
 * mlship (an unexpected error, printed with its stack): never 1, so a crash is not read as a gate.
 */
export const EXIT = { ok: 0, failed: 1, badInput: 2, internal: 3 } as const;

/** The command line was used wrongly (a missing argument, a bad flag). */
export class UsageError extends MlshipError {}

export { isFileSystemError } from '../training/errors.ts';
