/** Raw HTTP/1.1 over a socket, for what fetch and node's client will not send (or send so slowly). */
import type { Socket } from 'node:net';
import { connect } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Parses the first answer out of everything the server sent. */
export function parseAnswer(text: string): RawAnswer {
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: end < 0 ? '' : text.slice(end + 4) };
}

/** Everything the server sends until it closes the connection (or, with `giveUpMs`, until then: a test's safety net, not an assertion). */
export function readUntilClosed(socket: Socket, giveUpMs?: number): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const timer = giveUpMs === undefined ? undefined : setTimeout(() => socket.destroy(), giveUpMs);
    socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
  });
}

/** Sends `request` as is and gives the server's answer (it must close the connection after). */
export async function rawRequest(port: number, request: string | Buffer, giveUpMs?: number): Promise<RawAnswer> {
  const socket = await openSocket(port);
  const done = readUntilClosed(socket, giveUpMs);
  socket.write(request);
  return parseAnswer(await done);
}
