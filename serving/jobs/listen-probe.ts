/**
 * Whether LISTEN/NOTIFY works on the database. pglite-socket (the embedded database) accepts
 * LISTEN but never delivers a notification, and pg-boss, trusting the listener, would then poll
 * only every `notifyPollingIntervalSeconds` (30 s by default): each job would wait that long to
 * start. A round trip on a channel of our own, from a second connection as pg-boss's are, tells
 * before pg-boss is configured.
 */
import pg from 'pg';

const CHANNEL = 'mlship_listen_probe';

export async function listenNotifyWorks(databaseUrl: string, waitMs = 1000): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'mlship' });
  const sender = new pg.Client({ connectionString: databaseUrl, application_name: 'mlship' });
  client.on('error', () => {});
  sender.on('error', () => {});
  try {
    await client.connect();
    await sender.connect();
    const heard = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), waitMs);
      client.on('notification', (n) => {
        if (n.channel !== CHANNEL) return;
        clearTimeout(timer);
        resolve(true);
      });
    });
    await client.query(`LISTEN ${CHANNEL}`);
    await sender.query(`NOTIFY ${CHANNEL}`);
    return await heard;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
    await sender.end().catch(() => {});
  }
}
