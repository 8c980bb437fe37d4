import { watch, type FSWatcher } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { request, type IncomingMessage } from 'node:http';

/**
 * A multipart upload written by hand over node:http, so a test controls exactly how much of the body
 * is sent before it waits for the server: an upload that must be refused before its body is read is
 * sent with only its first bytes, and the test waits for the answer with the rest held back.
 */
export interface RawUpload {
  path: string;
  cookie?: string;
  fields?: Record<string, string>;
  fileField: string;
  fileName: string;
  /** Bytes of the file part the body would carry in full (declared in Content-Length unless chunked). */
  fileBytes: number;
  /** Send this many file bytes, then wait for the answer (default: all of them). */
  sendBytes?: number;
  /** Transfer-Encoding: chunked, no Content-Length (a client that does not say how much is coming). */
  chunked?: boolean;
  /** A Content-Length to claim instead of the true one. */
  declaredLength?: number;
  /** The file part this many times (default 1), each of `fileBytes`. */
  copies?: number;
}

export interface RawAnswer {
  status: number;
  body: unknown;
  /** File bytes written to the socket before the answer came. */
  sent: number;
}

const BOUNDARY = '----polku-raw-upload';
const CHUNK = Buffer.alloc(64 * 1024, 0x61);

export function rawUpload(baseUrl: string, upload: RawUpload): Promise<RawAnswer> {
  const copies = upload.copies ?? 1;
  const fields = Object.entries(upload.fields ?? {})
    .map(([name, value]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
    .join('');
  const fileHead = (i: number) =>
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${upload.fileField}"; filename="${i === 0 ? upload.fileName : `${i}-${upload.fileName}`}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
  const segments: Array<Buffer | number> = [Buffer.from(fields)];
  for (let i = 0; i < copies; i++) segments.push(fileHead(i), upload.fileBytes, Buffer.from('\r\n'));
  segments.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  const total = segments.reduce<number>((n, s) => n + (typeof s === 'number' ? s : s.length), 0);
  const length = upload.declaredLength ?? total;
  const limit = upload.sendBytes ?? Infinity;
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request(baseUrl + upload.path, {
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
        ...(upload.chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(length) }),
        ...(upload.cookie ? { cookie: upload.cookie } : {}),
      },
    });
    // The server may close the connection while we still write: that is the point, not a failure.
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    req.on('response', (res: IncomingMessage) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, body, sent });
        req.destroy();
      });
    });
    // Segments are written in order; a number is that many file bytes, written in chunks.
    let index = 0;
    let inSegment = 0;
    const pump = () => {
      while (!answered && !req.destroyed && index < segments.length) {
        const segment = segments[index] ?? 0;
        if (typeof segment !== 'number') {
          index++;
          if (!req.write(segment)) return void req.once('drain', pump);
          continue;
        }
        if (sent >= limit) return; // held back: wait for the answer
        const n = Math.min(CHUNK.length, segment - inSegment, limit - sent);
        inSegment += n;
        sent += n;
        if (inSegment >= segment) {
          index++;
          inSegment = 0;
        }
        if (!req.write(CHUNK.subarray(0, n))) return void req.once('drain', pump);
      }
      if (index >= segments.length && !answered && !req.destroyed) req.end();
    };
    pump();
  });
}

/** Records every name that appears in `dir` while watched (a temp file that came and went is still seen). */
export async function watchFolder(dir: string): Promise<{ seen: Set<string>; close(): void }> {
  await mkdir(dir, { recursive: true });
  const seen = new Set<string>();
  const watcher: FSWatcher = watch(dir, (_event, name) => {
    if (name) seen.add(name.toString());
  });
  return { seen, close: () => watcher.close() };
}
