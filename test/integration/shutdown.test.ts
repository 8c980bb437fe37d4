import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { makeUser } from '../helpers/factories.ts';
import { ownServerReady } from '../helpers/own-server-ready.ts';
import { freePort, startTestApp, type TestApp } from '../helpers/test-app.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Resolves with the error code of a TCP connect: 'connected' when something still listens. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? String(err)));
  });
}

/** Counts requests as the server receives them, to know they are in flight before the server closes. */
function arrivals(app: TestApp, method: string, url: string) {
  let count = 0;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  // Before Express, which rewrites req.url while routing.
  app.polku.server.prependListener('request', (req: IncomingMessage) => {
    if (req.method !== method || req.url !== url) return;
    count++;
    for (const w of waiters.filter((w) => count >= w.n)) w.resolve();
  });
  return { atLeast: (n: number) => new Promise<void>((resolve) => (count >= n ? resolve() : waiters.push({ n, resolve }))) };
}

/** A PATCH whose body is sent in two parts, so the test decides when the request can finish. */
function heldRequest(app: TestApp, path: string, cookie: string, body: string) {
  const half = Math.floor(body.length / 2);
  let req!: ClientRequest;
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req = httpRequest(`${app.url}${path}`, {
      method: 'PATCH',
      headers: { cookie, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.write(body.slice(0, half));
  });
  return { response, finish: () => req.end(body.slice(half)), abort: () => req.destroy() };
}

const sockets: Socket[] = [];
const apps: TestApp[] = [];
afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  await Promise.all(apps.map((app) => app.close()));
});

describe('graceful shutdown', () => {
  it('lets in-flight requests finish, disconnects sockets and stops listening', async () => {
    const app = await startTestApp();
    apps.push(app);
    const port = new URL(app.url).port;
    const pupil = await makeUser(app.database.db, { role: 'pupil' });
    const client = await app.as(pupil.username);

    const socket = io(app.url, { transports: ['websocket'], extraHeaders: { cookie: client.cookieHeader }, reconnection: false, forceNew: true });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));

    // One request the server has started but cannot finish until the test sends the rest of its body…
    const patched = arrivals(app, 'PATCH', '/api/me');
    const held = heldRequest(app, '/api/me', client.cookieHeader, JSON.stringify({ locale: 'sv' }));
    await patched.atLeast(1);
    // …and many ordinary ones, all received by the server before it is told to stop.
    const got = arrivals(app, 'GET', '/api/me');
    const parallel = Array.from({ length: 20 }, () =>
      fetch(`${app.url}/api/me`, { headers: { cookie: client.cookieHeader } }).then(async (res) => ({
        status: res.status,
        body: (await res.json()) as unknown,
      })),
    );
    await got.atLeast(20);

    const closed = app.polku.close();
    held.finish();

    const results = await Promise.all(parallel);
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(results[0]?.body).toMatchObject({ user: { id: pupil.id } });
    const heldResult = await held.response;
    expect(heldResult.status).toBe(200);
    expect(JSON.parse(heldResult.body)).toMatchObject({ user: { id: pupil.id, locale: 'sv' } });
    expect(await disconnected).toMatch(/transport close|io server disconnect/);

    await closed;
    expect(await tryConnect(Number(port))).toBe('ECONNREFUSED');
    // Really applied, not just answered: the database still has it.
    const row = await app.database.db.selectFrom('users').select('locale').where('id', '=', pupil.id).executeTakeFirstOrThrow();
    expect(row.locale).toBe('sv');
  });

  it('finishes closing even when a client never completes its request', async () => {
    const app = await startTestApp();
    apps.push(app);
    const pupil = await makeUser(app.database.db, { role: 'pupil' });
    const client = await app.as(pupil.username);
    const patched = arrivals(app, 'PATCH', '/api/me');
    const stuck = heldRequest(app, '/api/me', client.cookieHeader, JSON.stringify({ locale: 'fi' }));
    const outcome = stuck.response.then(
      (r) => `answered ${r.status}`,
      (err: NodeJS.ErrnoException) => `cut off (${err.code ?? err.message})`,
    );
    await patched.atLeast(1);
    try {
      // server.ts promises to force the remaining connections closed after 10 s; allow twice that.
      const result = await Promise.race([
        app.polku.close().then(() => 'closed'),
        new Promise((resolve) => setTimeout(() => resolve('still open after 20 s'), 20_000).unref()),
      ]);
      expect(result).toBe('closed');
      expect(await outcome).toMatch(/^cut off/);
    } finally {
      stuck.abort();
    }
  }, 60_000);
});

describe('the real entry point', () => {
  /** Spawns `node --import tsx server/main.ts` with only the given environment (plus PATH and HOME). */
  function spawnServer(env: Record<string, string>) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = { stdout: '', stderr: '' };
    child.stdout?.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    return { child, output, exited };
  }

  /** The exit, or 'timeout' when the process is still running after `ms`. */
  function exitWithin(exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>, ms: number) {
    return Promise.race([exited, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms).unref())]);
  }

  function kill(child: ChildProcess) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  /**
   * Starts the entry point on a port that was free a moment ago and waits until THIS process says it runs and
   * answers /readyz. Another test's server may take the port in the seconds before ours listens (its /readyz
   * would answer for ours): ours then fails with EADDRINUSE, and we try again on another port.
   */
  async function startOnFreePort(dataDir: string, env: Record<string, string> = {}) {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const server = spawnServer({
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        ...env,
      });
      // A cold start (migrations, demo seed) can take a minute on a busy machine.
      const deadline = Date.now() + 150_000;
      let ready = false;
      while (!ready && Date.now() < deadline && server.child.exitCode === null) {
        ready = await ownServerReady(`http://127.0.0.1:${port}`, server.output.stdout);
        if (!ready) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      if (!ready && attempt < 3 && /EADDRINUSE/.test(server.output.stderr)) {
        await server.exited;
        continue;
      }
      return { port, server, ready };
    }
  }

  it('starts, becomes ready, and exits with 0 on SIGTERM', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'polku-main-'));
    const { port, server, ready } = await startOnFreePort(dataDir);
    try {
      expect(ready, `not ready within 150 s; stderr: ${server.output.stderr}`).toBe(true);
      // Embedded mode: the database and the generated secret live in the data folder.
      expect((await stat(path.join(dataDir, 'db'))).isDirectory()).toBe(true);
      expect((await stat(path.join(dataDir, 'session-secret'))).isFile()).toBe(true);
      expect(server.output.stdout).toMatch(/Polku is running at http:\/\/127\.0\.0\.1:\d+/);

      server.child.kill('SIGTERM');
      const exit = await exitWithin(server.exited, 15_000);
      expect(exit, `stderr: ${server.output.stderr}`).toEqual({ code: 0, signal: null });
      expect(await tryConnect(port)).toBe('ECONNREFUSED');
    } finally {
      kill(server.child);
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 240_000);

  it('exits with 1 and names every wrong setting on a bad configuration', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'polku-main-'));
    const server = spawnServer({ PORT: 'abc', LOG_LEVEL: 'loud', DATA_DIR: dataDir });
    try {
      const exit = await exitWithin(server.exited, 30_000);
      expect(exit).toEqual({ code: 1, signal: null });
      expect(server.output.stderr).toMatch(/PORT/);
      expect(server.output.stderr).toMatch(/LOG_LEVEL/);
      expect(server.output.stderr).toMatch(/2 problem/);
      // It stopped before touching anything.
      await expect(stat(path.join(dataDir, 'db'))).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      kill(server.child);
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 40_000);
});
