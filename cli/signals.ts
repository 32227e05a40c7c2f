/** Signals for a serving process: the primary, the whole server, or a cluster worker. */
import type { CommandIO } from './io.ts';

/** How long a stopped server's process may take to exit by itself before it is made to. */
export const EXIT_AFTER_STOP_MS = 1_000;

/**
 * SIGTERM or SIGINT: `close()` (drain, then stop), and once stopped the process exits whatever is
 * still pending (a model read that hangs would otherwise keep it alive after "stopped"). A second
 * signal exits at once with code 1. The handlers are removed once `closed` resolves.
 */
export function closeOnSignals(server: { close(): unknown; closed: Promise<unknown> }, stderr: CommandIO['stderr'] = process.stderr): void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      stderr.write(`mlship serve: second ${signal}, exiting now\n`);
      process.exit(1);
    }
    signalled = true;
    void server.close();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  void server.closed.then(() => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    // Unref'd: a process with nothing left pending exits by itself first, with the caller's code.
    if (signalled) setTimeout(() => process.exit(), EXIT_AFTER_STOP_MS).unref();
  });
}
