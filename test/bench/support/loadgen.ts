/**
 * A closed-loop HTTP/1.1 load generator on plain TCP sockets: each connection sends its own
 * pre-built request, waits for the whole response, records the latency, and sends the next one.
 * Much cheaper per request than node:http, so that on a 2-core machine the generator is not the
 * limit (its CPU use is reported with the results). Responses must carry Content-Length, as
 * Express's res.json does; anything else counts as an error.
 */
import net from 'node:net';

export interface LoadResult {
  /** Responses completed inside the measurement window. */
  completed: number;
  seconds: number;
  /** Latencies (ms) of the completed responses. */
  latencies: number[];
  statuses: Record<string, number>;
  errors: Record<string, number>;
  /** Mean response body size in bytes. */
  meanBytes: number;
}

/** Builds a GET request with the given headers. */
export function getRequest(port: number, path: string, headers: Record<string, string> = {}): Buffer {
  const lines = [`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Connection: keep-alive', 'Accept: application/json'];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * Opens one connection per request buffer, runs them for `warmupMs` unrecorded, then records for
 * `durationMs`, then stops issuing and closes the connections.
 */
export async function runClosedLoop(options: { port: number; requests: readonly Buffer[]; warmupMs: number; durationMs: number }): Promise<LoadResult> {
  const { port, requests, warmupMs, durationMs } = options;
  const result: LoadResult = { completed: 0, seconds: durationMs / 1000, latencies: [], statuses: {}, errors: {}, meanBytes: 0 };
  let bytes = 0;
  let recordFrom = Infinity;
  let recordUntil = Infinity;
  let running = true;
  const count = (bucket: Record<string, number>, key: string) => (bucket[key] = (bucket[key] ?? 0) + 1);

  const sockets: net.Socket[] = [];
  const connections = requests.map(
    (req) =>
      new Promise<void>((resolve) => {
        const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
        sockets.push(socket);
        let buffer: Buffer | null = null;
        let sentAt = 0;
        const send = () => {
          if (!running) {
            socket.end();
            return;
          }
          sentAt = performance.now();
          socket.write(req);
        };
        socket.on('connect', send);
        socket.on('data', (chunk: Buffer) => {
          buffer = buffer ? Buffer.concat([buffer, chunk]) : chunk;
          for (;;) {
            const headerEnd: number = buffer.indexOf(HEADER_END);
            if (headerEnd < 0) return;
            const head = buffer.toString('latin1', 0, headerEnd);
            const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
            if (!length) {
              count(result.errors, 'no content-length');
              socket.destroy();
              return;
            }
            const total: number = headerEnd + 4 + Number(length[1]);
            if (buffer.length < total) return;
            const doneAt = performance.now();
            if (sentAt >= recordFrom && doneAt <= recordUntil) {
              result.completed++;
              result.latencies.push(doneAt - sentAt);
              count(result.statuses, head.slice(9, 12));
              bytes += Number(length[1]);
            }
            buffer = buffer.length > total ? buffer.subarray(total) : null;
            send();
            if (!buffer) return;
          }
        });
        socket.on('error', (err: NodeJS.ErrnoException) => count(result.errors, err.code ?? err.message));
        socket.on('close', () => resolve());
      }),
  );

  await new Promise((r) => setTimeout(r, warmupMs));
  recordFrom = performance.now();
  recordUntil = recordFrom + durationMs;
  await new Promise((r) => setTimeout(r, durationMs));
  running = false;
  // Connections close after their in-flight response; a stuck one is cut after 10 s.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(connections), new Promise((r) => (timer = setTimeout(r, 10_000)))]);
  clearTimeout(timer);
  for (const socket of sockets) socket.destroy();
  result.meanBytes = result.completed ? bytes / result.completed : 0;
  return result;
}
