/** Signals for a serving process: the primary, the whole server, or a cluster worker. */
import type { CommandIO } from './io.ts';

/**
 * SIGTERM or SIGINT: `close()` (drain, then stop). A second signal exits at once with code 1.
 * The handlers are removed once `closed` resolves.
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
  });
}
