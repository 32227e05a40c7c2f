/**
 * A keep-alive HTTP/1.1 client on a raw socket that sends one request after another, and knows
 * exactly which requests were written and never answered (node's client cannot tell a request
 * reset on a reused socket from one never sent).
 */
import type { Socket } from 'node:net';
import { connect } from 'node:net';

export interface KeepAliveTally {
  /** Requests written to a socket. */
  sent: number;
  /** Requests answered, by status. */
  statuses: Map<number, number>;
  /** Requests written on a kept-alive connection (one that had answered before) that closed or failed before a whole answer came. */
  lost: number;
  /**
   * First requests on a new connection that got no answer: the connection sat in the listening
   * socket's backlog (or the cluster primary's queue) when the server stopped listening, so the
   * server never accepted it; a client cannot tell this from a refused connection it retries.
   */
  resetOnNew: number;
  /** 503s from readiness on a connection that had answered before (a kept-alive one). */
  notReadyKeptAlive: number;
  /** Answers carrying `Connection: close`. */
  closing: number;
}

interface Answer {
  status: number;
  close: boolean;
}

/** One connection: `ask` writes a request and resolves with its answer, or undefined if the connection ended first. */
function connection(socket: Socket) {
  let buffer = Buffer.alloc(0);
  let waiting: ((a: Answer | undefined) => void) | undefined;
  let ended = false;
  const settle = (a: Answer | undefined) => {
    const w = waiting;
    waiting = undefined;
    w?.(a);
  };
  const parse = () => {
    const end = buffer.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = buffer.subarray(0, end).toString('latin1');
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1]);
    if (!Number.isFinite(length)) throw new Error(`an answer without Content-Length: ${head}`);
    if (buffer.length < end + 4 + length) return;
    buffer = buffer.subarray(end + 4 + length);
    settle({ status: Number(head.split(' ')[1]), close: /\r\nconnection: *close/i.test(head) });
  };
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    parse();
  });
  const onEnd = () => {
    ended = true;
    settle(undefined);
  };
  socket.on('close', onEnd);
  socket.on('error', onEnd);
  return {
    ask(request: string): Promise<Answer | undefined> {
      if (ended) return Promise.resolve(undefined);
      return new Promise((resolve) => {
        waiting = resolve;
        socket.write(request);
      });
    },
  };
}

function open(port: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket));
    socket.once('error', () => resolve(undefined)); // refused: nothing was sent
  });
}

/**
 * Sends `requests[i % n]` one after another on a kept-alive connection, reconnecting when an
 * answer says `Connection: close`, until a connection is refused (the server stopped accepting)
 * or `stop()` says so.
 */
export async function keepSending(port: number, requests: { text: string; ready?: boolean }[], stop: () => boolean, tally: KeepAliveTally): Promise<void> {
  for (let n = 0; !stop(); ) {
    const socket = await open(port);
    if (!socket) return;
    const conn = connection(socket);
    for (let onThis = 0; ; onThis++, n++) {
      const request = requests[n % requests.length]!;
      tally.sent++;
      const answer = await conn.ask(request.text);
      if (!answer) {
        if (onThis > 0) tally.lost++;
        else tally.resetOnNew++;
        break;
      }
      tally.statuses.set(answer.status, (tally.statuses.get(answer.status) ?? 0) + 1);
      if (request.ready && answer.status === 503 && onThis > 0) tally.notReadyKeptAlive++;
      if (answer.close) {
        tally.closing++;
        break;
      }
      if (stop()) break;
    }
    socket.destroy();
  }
}

export function emptyTally(): KeepAliveTally {
  return { sent: 0, statuses: new Map(), lost: 0, resetOnNew: 0, notReadyKeptAlive: 0, closing: 0 };
}
