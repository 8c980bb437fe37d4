import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportJob, ImportJob } from '../../shared/api/portability.ts';
import type { DatabaseHandle } from '../../server/db/database.ts';
import { makeUser } from '../helpers/factories.ts';
import { freePort } from '../helpers/free-port.ts';
import { ownServerReady } from '../helpers/own-server-ready.ts';
import { freshDatabase } from '../helpers/fresh-database.ts';
import { rawUpload } from '../helpers/raw-upload.ts';
import { TestClient } from '../helpers/test-client.ts';
import { testDatabaseKind } from '../helpers/test-db.ts';
import { TEST_PASSWORD } from '../helpers/test-app.ts';

/**
 * Issue 8, B9: the real server (`node --import tsx server/main.ts`) is killed with SIGKILL while it
 * writes an upload, an export and an import; the next start on the same folders and database leaves
 * nothing behind. The child shares the run's PostgreSQL database with this test (factories make the
 * users); with PGlite the database lives inside the child and cannot be opened from here, so the
 * test runs on PostgreSQL only.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUR_TEMP = /^(?:upload|media|import|demo)-(\d+)-/;
// Generous: the machine is shared, and a start with migrations can take a minute or more.
const READY_WITHIN_MS = 180_000;

interface Child {
  process: ChildProcess;
  pid: number;
  output: () => string;
  exited: Promise<unknown>;
}

let database: DatabaseHandle;
let dataDir: string;
let port: number;
let url: string;
const children: Child[] = [];

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the server on the same port, data folder and database, and waits until /readyz says ready. */
async function startChild(databaseUrl: string): Promise<Child> {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      SESSION_SECRET: 'crash-kill-test-secret-of-enough-length',
      LOG_LEVEL: 'warn',
      DEMO: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const started: Child = { process: child, pid: child.pid ?? -1, output: () => output, exited };
  children.push(started);
  const deadline = Date.now() + READY_WITHIN_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the server exited during start-up:\n${output}`);
    if (await ownServerReady(url, output)) return started;
    if (Date.now() > deadline) throw new Error(`the server was not ready within ${READY_WITHIN_MS / 1000} s:\n${output}`);
    await pause(250);
  }
}

async function killHard(child: Child): Promise<void> {
  child.process.kill('SIGKILL');
  await child.exited;
}

/** Polls until `probe` returns something, for at most `ms` (the test's own timeout is the real bound). */
async function until<T>(what: string, probe: () => Promise<T | null | undefined>, ms = 120_000, every = 10): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await probe();
    if (found !== null && found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await pause(every);
  }
}

/** A note in pending_blobs of this process, for a key of this kind: the process is writing it now. */
function noteOf(child: Child, kind: 'media' | 'export') {
  return database.db
    .selectFrom('pendingBlobs')
    .select(['key', 'owner'])
    .where('owner', 'like', `${hostname()}:${child.pid}:%`)
    .where('key', 'like', `${kind}/%`)
    .executeTakeFirst();
}

/** Every file under `dir`, relative to it with '/' separators. */
async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const files: string[] = [];
  for (const entry of entries) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...(await filesUnder(path.join(dir, entry.name), rel)));
    else files.push(rel);
  }
  return files;
}

async function noisyPng(size: number): Promise<Buffer> {
  return sharp(randomBytes(size * size * 3), { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toBuffer();
}

async function signIn(username: string): Promise<TestClient> {
  const client = new TestClient(url);
  await client.login(username, TEST_PASSWORD);
  return client;
}

/** The database of this test alone: the servers here run portability jobs, and in a database shared with
 * other test files they would take those files' jobs (and theirs ours), writing into each other's folders. */
let databaseUrl = '';
let dropDatabase: () => Promise<void> = async () => undefined;

beforeAll(async () => {
  const fresh = await freshDatabase();
  database = fresh.handle;
  databaseUrl = fresh.url ?? '';
  dropDatabase = fresh.drop;
  dataDir = await mkdtemp(path.join(tmpdir(), 'polku-crash-kill-'));
  port = await freePort();
  url = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  for (const child of children) if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
  await Promise.all(children.map((c) => c.exited));
  await dropDatabase();
  await rm(dataDir, { recursive: true, force: true });
});

describe.skipIf(testDatabaseKind === 'pglite')('kill -9 of the real server', () => {
  it('during an upload, an export and an import leaves nothing behind after the next start', async () => {
    const pupil = await makeUser(database.db, { role: 'pupil' });
    // The import goes into a classmate's portfolio: into the exporter's own, every entry would be skipped as already there.
    const classmate = await makeUser(database.db, { role: 'pupil', schoolId: pupil.schoolId });
    const tmp = path.join(dataDir, 'tmp');
    const mediaRoot = path.join(dataDir, 'media');
    const killed: number[] = [];

    // A portfolio with media, and one finished export of it to import later.
    let server = await startChild(databaseUrl);
    let client = await signIn(pupil.username);
    for (let i = 0; i < 6; i++) {
      const form = new FormData();
      form.append('data', JSON.stringify({ title: `Kuva ${i}`, bodyHtml: '<p>Havainto</p>', visibility: 'private' }));
      form.append('files', new Blob([new Uint8Array(await noisyPng(700))], { type: 'image/png' }), `kuva-${i}.png`);
      const res = await client.request<{ id: string }>('POST', '/api/artefacts', form);
      expect(res.status, res.text).toBe(201);
    }
    const first = await client.post<ExportJob>(`/api/pupils/${pupil.id}/exports`, {});
    expect(first.status, first.text).toBe(202);
    await until('the first export', async () => {
      const job = (await client.get<ExportJob>(`/api/exports/${first.body.id}`)).body;
      if (job.status === 'failed') throw new Error(`the export failed: ${JSON.stringify(job)}`);
      return job.status === 'done' ? job : null;
    });
    const download = await fetch(`${url}/api/exports/${first.body.id}/download`, { headers: { cookie: client.cookieHeader } });
    expect(download.status).toBe(200);
    const archive = Buffer.from(await download.arrayBuffer());

    // (a) An upload whose body arrives slowly: the client sends part of it and holds the rest, so the
    // server is still writing it into the temp folder when it dies.
    const upload = rawUpload(url, {
      path: '/api/artefacts',
      cookie: client.cookieHeader,
      fields: { data: JSON.stringify({ title: 'Iso video', bodyHtml: '', visibility: 'private' }) },
      fileField: 'files',
      fileName: 'iso.mp4',
      fileBytes: 40 * 1024 * 1024,
      sendBytes: 4 * 1024 * 1024,
    }).catch((err: unknown) => err);
    const partial = await until('the upload in the temp folder', async () => {
      for (const name of await readdir(tmp).catch(() => [])) {
        if (!name.startsWith(`upload-${server.pid}-`)) continue;
        if ((await stat(path.join(tmp, name)).catch(() => null))?.size) return name;
      }
      return null;
    });
    await killHard(server);
    killed.push(server.pid);
    await upload;
    expect((await readdir(tmp)).includes(partial), 'the killed upload is there before the restart').toBe(true);

    // (b) An export killed while its archive is noted and being written. An export can finish before
    // the poll sees its note; then another is started (each one is a real, complete attempt).
    server = await startChild(databaseUrl);
    client = await signIn(pupil.username);
    let exportKilled = false;
    for (let attempt = 0; attempt < 5 && !exportKilled; attempt++) {
      const started = await client.post<ExportJob>(`/api/pupils/${pupil.id}/exports`, {});
      expect(started.status, started.text).toBe(202);
      const seen = await until('the export to write or end', async () => {
        if (await noteOf(server, 'export')) return 'writing';
        const job = await database.db.selectFrom('portabilityJobs').select('status').where('id', '=', started.body.id).executeTakeFirst();
        return job?.status === 'done' || job?.status === 'failed' ? 'ended' : null;
      });
      if (seen === 'writing') {
        await killHard(server);
        killed.push(server.pid);
        exportKilled = true;
      }
    }
    expect(exportKilled, 'an export was killed while writing').toBe(true);

    // (c) An import applied from the finished archive, killed while it writes its media.
    server = await startChild(databaseUrl);
    client = await signIn(classmate.username);
    let importKilled = false;
    for (let attempt = 0; attempt < 5 && !importKilled; attempt++) {
      const form = new FormData();
      form.append('data', JSON.stringify({ target: { kind: 'existing', pupilId: classmate.id } }));
      form.append('file', new Blob([new Uint8Array(archive)], { type: 'application/zip' }), 'portfolio.zip');
      const uploaded = await client.request<ImportJob>('POST', '/api/imports', form);
      expect(uploaded.status, uploaded.text).toBe(201);
      const previewed = await until('the preview', async () => {
        const job = (await client.get<ImportJob>(`/api/imports/${uploaded.body.id}`)).body;
        if (job.status === 'failed') throw new Error(`the import failed: ${JSON.stringify(job)}`);
        return job.status === 'ready' ? job : null;
      });
      const applied = await client.post<ImportJob>(`/api/imports/${previewed.id}/apply`, {});
      expect(applied.status, applied.text).toBe(202);
      const seen = await until('the import to write or end', async () => {
        if (await noteOf(server, 'media')) return 'writing';
        const job = await database.db.selectFrom('portabilityJobs').select('status').where('id', '=', previewed.id).executeTakeFirst();
        return job?.status === 'done' || job?.status === 'failed' ? 'ended' : null;
      });
      if (seen === 'writing') {
        await killHard(server);
        killed.push(server.pid);
        importKilled = true;
      }
    }
    expect(importKilled, 'an import was killed while writing its media').toBe(true);
    for (const pid of killed) expect(running(pid)).toBe(false);

    // The next start sweeps before it listens: once it is ready, nothing of the dead is left.
    server = await startChild(databaseUrl);
    const live = (pid: number) => pid === server.pid || running(pid);
    // The jobs the dead left are taken again by this start once their heartbeats are stale. Let them end
    // first, so that what is checked below is what stays, not a write this server has in flight.
    await until(
      'the jobs left by the killed servers to end',
      async () => {
        // Only this test's jobs (its database is its own, but the filter costs nothing and says what is meant).
        const open = await database.db
          .selectFrom('portabilityJobs')
          .select('id')
          .where('status', 'in', ['queued', 'running'])
          .where('requestedBy', 'in', [pupil.id, classmate.id])
          .executeTakeFirst();
        return open ? null : true;
      },
      600_000,
      500,
    );

    const leftInTmp = (await readdir(tmp).catch(() => [] as string[])).filter((name) => {
      const pid = OUR_TEMP.exec(name)?.[1];
      return pid !== undefined && !live(Number(pid));
    });
    expect(leftInTmp).toEqual([]);

    // Files first, then notes, then rows: the restarted server may be running a job taken over from a
    // killed one, and a blob it writes is noted before its bytes and claimed by its row in one commit,
    // so a file seen here is found among the notes or the rows read after it (read the other way round,
    // a blob written in between would look stray).
    const files = await filesUnder(mediaRoot);
    const notes = await database.db.selectFrom('pendingBlobs').select(['key', 'owner']).execute();
    const deadNotes = notes.filter((n) => {
      const [host, pid] = (n.owner ?? '').split(':');
      return host === hostname() && !live(Number(pid));
    });
    expect(deadNotes).toEqual([]);
    const liveNoted = new Set(notes.map((n) => n.key));

    const referenced = new Set<string>();
    for (const row of await database.db.selectFrom('mediaItems').select('variants').execute()) {
      for (const key of Object.values(row.variants)) if (key) referenced.add(key);
    }
    for (const row of await database.db.selectFrom('portabilityJobs').select('blobKey').where('blobKey', 'is not', null).execute()) {
      if (row.blobKey) referenced.add(row.blobKey);
    }
    const stray = files
      .map((file) => {
        const dir = path.posix.dirname(file);
        // A driver's partial file `.<name>.<hex>.tmp` and a blob's `<name>.meta.json` belong to the key `<name>`.
        const base = path.posix.basename(file);
        const name = /^\.(.+)\.[0-9a-f]+\.tmp$/.exec(base)?.[1] ?? (base.endsWith('.meta.json') ? base.slice(0, -'.meta.json'.length) : base);
        return { file, key: path.posix.join(dir, name) };
      })
      .filter(({ file, key }) => !file.startsWith('.ping-') && !referenced.has(key) && !liveNoted.has(key));
    expect(stray, `killed: ${killed.join(', ')}; output:\n${server.output()}`).toEqual([]);
  }, 900_000);
});
