/** Keep-alive HTTP requests for benchmark clients (node:http; undici is not a dependency of Polku). */
import http from 'node:http';

export interface JsonResponse {
  status: number;
  body: string;
}

/** One request on a keep-alive agent; resolves when the whole response body has arrived. */
export function request(
  agent: http.Agent,
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer | readonly Buffer[] } = {},
): Promise<JsonResponse> {
  return new Promise((resolve, reject) => {
    const body = options.body;
    const parts = body === undefined ? [] : typeof body === 'string' ? [Buffer.from(body)] : Buffer.isBuffer(body) ? [body] : body;
    const length = parts.reduce((n, b) => n + b.length, 0);
    const req = http.request(
      url,
      {
        agent,
        method: options.method ?? 'GET',
        headers: { ...(parts.length ? { 'content-length': String(length) } : {}), ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    for (const part of parts) req.write(part);
    req.end();
  });
}

export const keepAliveAgent = (maxSockets = 1) => new http.Agent({ keepAlive: true, maxSockets });
