import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJobSchema, importJobSchema, type ExportJob, type ImportJob } from '../../shared/api/portability.ts';
import type { TimelinePage } from '../../shared/api/artefacts.ts';
import { errorResponseSchema } from '../../shared/api/errors.ts';
import { ARCHIVE_PATHS } from '../../shared/portability/portfolio-format.ts';
import { ClaimLost, jobRunner } from '../../server/modules/portability/jobs.ts';
import { DEFAULT_IMPORT_LIMITS } from '../../server/modules/portability/engine.ts';
import { runExportJob } from '../../server/modules/portability/export-job.ts';
import type { PortabilityDeps } from '../../server/modules/portability/portability.deps.ts';
import { silentNotifier } from '../../server/realtime/notifier.ts';
import { blobKey } from '../../server/storage/blob-store.ts';
import { storeIdentity } from '../../server/modules/portability/portability.deps.ts';
import { addMember, linkGuardian, makeGroup, makeProject, makeTwoSchools, makeUser } from '../helpers/factories.ts';
import { LocalBlobStore } from '../../server/storage/local-blob-store.ts';
import { NotedBlobStore } from '../../server/storage/noted-blob-store.ts';
import { startS3Server, type S3TestServer } from '../helpers/s3-server.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';
import { readZipMap } from '../helpers/zip.ts';
import { tinyLeap2a } from '../fixtures/tiny-leap2a.ts';

let app: TestApp;
let w: Awaited<ReturnType<typeof makeTwoSchools>>;
let pupil: TestClient;
let teacher: TestClient;
let guardian: TestClient;
let admin: TestClient;
let work: string;
const sockets: Socket[] = [];
const titles = { shared: `Jaettu työ ${randomUUID().slice(0, 6)}`, private: `Oma työ ${randomUUID().slice(0, 6)}` };

/** A real Socket.IO client of this user, recording every event it hears. */
async function listen(client: TestClient, url = app.url) {
  const socket = io(url, { transports: ['websocket'], extraHeaders: { cookie: client.cookieHeader }, reconnection: false, forceNew: true });
  sockets.push(socket);
  const events: Array<[string, unknown]> = [];
  socket.onAny((event: string, payload: unknown) => events.push([event, payload]));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  /** Resolves with the first event of that name for that job (already heard, or still to come). */
  const next = (name: string, jobId: string) =>
    new Promise<unknown>((resolve) => {
      const heard = events.find(([e, p]) => e === name && (p as { id?: string }).id === jobId);
      if (heard) return resolve(heard[1]);
      const onEvent = (event: string, payload: unknown) => {
        if (event === name && (payload as { id?: string }).id === jobId) {
          socket.offAny(onEvent);
          resolve(payload);
        }
      };
      socket.onAny(onEvent);
    });
  return { socket, events, next };
}

async function createArtefact(client: TestClient, title: string, visibility: 'private' | 'guardians') {
  const form = new FormData();
  form.append('data', JSON.stringify({ title, bodyHtml: '<p>Havainto</p>', visibility }));
  const png = await sharp({ create: { width: 24, height: 16, channels: 3, background: '#2a6' } })
    .png()
    .toBuffer();
  form.append('files', new Blob([png], { type: 'image/png' }), 'kuva.png');
  const res = await client.request<{ id: string }>('POST', '/api/artefacts', form);
  expect(res.status, res.text).toBe(201);
  return res.body.id;
}

/** Polls GET until the job has ended (for clients without a socket); the test timeout bounds it. */
async function settled<T extends { status: string }>(client: TestClient, pathName: string): Promise<T> {
  for (;;) {
    const res = await client.get<T>(pathName);
    if (res.status !== 200) throw new Error(`${pathName}: ${res.status} ${res.text}`);
    if (res.body.status === 'done' || res.body.status === 'failed') return res.body;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Follows the download redirect like a browser and returns the archive's bytes and headers. */
async function download(client: TestClient, job: ExportJob, baseUrl = app.url) {
  const res = await client.get(`/api/exports/${job.id}/download`);
  expect(res.status).toBe(302);
  const location = res.headers.get('location') ?? '';
  const file = await fetch(new URL(location, baseUrl));
  expect(file.status).toBe(200);
  return { location, headers: file.headers, bytes: Buffer.from(await file.arrayBuffer()) };
}

function uploadForm(content: string | Buffer, name: string, target: unknown): FormData {
  const form = new FormData();
  form.append('data', JSON.stringify({ target }));
  form.append('file', new Blob([typeof content === 'string' ? content : new Uint8Array(content)]), name);
  return form;
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'polku-portability-'));
  app = await startTestApp({ env: { EXPORT_RETENTION_DAYS: '2' } });
  w = await makeTwoSchools(app.database.db);
  await makeProject(app.database.db, { schoolId: w.schoolA.id, teacherIds: [w.teacher.id], groupIds: [w.group.id] });
  [pupil, teacher, guardian, admin] = await Promise.all([
    app.as(w.pupil.username),
    app.as(w.teacher.username),
    app.as(w.guardian.username),
    app.as(w.admin.username),
  ]);
  const sharedId = await createArtefact(pupil, titles.shared, 'guardians');
  await createArtefact(pupil, titles.private, 'private');
  const feedback = await teacher.post(`/api/artefacts/${sharedId}/feedback`, { body: 'Hieno kuva!' });
  expect(feedback.status).toBe(201);
});

afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  await app?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('export as a background job', () => {
  it('runs after the request has been answered, reports progress to the requester only, and downloads as a real archive', async () => {
    const pupilSocket = await listen(pupil);
    const teacherSocket = await listen(teacher);
    const res = await pupil.post<ExportJob>(`/api/pupils/${w.pupil.id}/exports`, { locale: 'sv' });
    expect(res.status).toBe(202);
    // The answer came before the work: the job was queued, not done.
    expect(res.body).toMatchObject({ status: 'queued', scope: 'full', locale: 'sv', downloadUrl: null, pupil: { id: w.pupil.id } });

    const finished = exportJobSchema.parse(await pupilSocket.next('export.finished', res.body.id));
    expect(finished).toMatchObject({ id: res.body.id, status: 'done', downloadUrl: `/api/exports/${res.body.id}/download` });
    const progress = pupilSocket.events
      .filter(([e, p]) => e === 'export.progress' && (p as ExportJob).id === res.body.id)
      .map(([, p]) => exportJobSchema.parse(p));
    expect(progress.some((p) => p.status === 'running' && p.progress !== null)).toBe(true);
    expect(teacherSocket.events.filter(([e]) => e.startsWith('export.'))).toEqual([]);

    const job = (await pupil.get<ExportJob>(`/api/exports/${res.body.id}`)).body;
    expect(job).toEqual(finished);
    expect(job.size).toBeGreaterThan(0);
    const { headers, bytes } = await download(pupil, job);
    expect(headers.get('content-disposition')).toContain(`attachment; filename="${job.fileName}"`);
    expect(bytes.length).toBe(job.size);
    const entries = await readZipMap(bytes);
    for (const name of [ARCHIVE_PATHS.site, ARCHIVE_PATHS.document, ARCHIVE_PATHS.leap2a, ARCHIVE_PATHS.manifest]) expect([...entries.keys()]).toContain(name);
    const document = JSON.parse(entries.get(ARCHIVE_PATHS.document)?.toString('utf8') ?? '{}') as unknown;
    expect(JSON.stringify(document)).toContain(titles.private);
    expect(JSON.stringify(document)).toContain(titles.shared);
    expect([...entries.keys()].some((n) => n.startsWith(ARCHIVE_PATHS.filesDir))).toBe(true);

    // The local store serves the archive with byte ranges, like media.
    const ranged = await fetch(new URL((await pupil.get(`/api/exports/${job.id}/download`)).headers.get('location') ?? '', app.url), {
      headers: { Range: 'bytes=0-3' },
    });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer())).toEqual(bytes.subarray(0, 4));
  });

  it("gives a guardian only what was shared with them, and lists each requester's own exports (an admin: all)", async () => {
    const started = await guardian.post<ExportJob>(`/api/pupils/${w.pupil.id}/exports`, {});
    expect(started.status).toBe(202);
    expect(started.body.scope).toBe('shared');
    const job = await settled<ExportJob>(guardian, `/api/exports/${started.body.id}`);
    expect(job.status).toBe('done');
    const entries = await readZipMap((await download(guardian, job)).bytes);
    const document = entries.get(ARCHIVE_PATHS.document)?.toString('utf8') ?? '';
    expect(document).toContain(titles.shared);
    expect(document).not.toContain(titles.private);

    const own = (await guardian.get<{ exports: ExportJob[] }>(`/api/pupils/${w.pupil.id}/exports`)).body.exports;
    expect(own.map((e) => e.id)).toEqual([job.id]);
    const all = (await admin.get<{ exports: ExportJob[] }>(`/api/pupils/${w.pupil.id}/exports`)).body.exports;
    expect(all.map((e) => e.id)).toContain(job.id);
    expect(all.length).toBeGreaterThan(1);
  });

  it('keeps the job and its archive to the requester and the school admins; everyone else gets 404', async () => {
    const started = await teacher.post<ExportJob>(`/api/pupils/${w.pupil.id}/exports`, {});
    expect(started.body.scope).toBe('full');
    const job = await settled<ExportJob>(teacher, `/api/exports/${started.body.id}`);
    expect((await admin.get(`/api/exports/${job.id}`)).status).toBe(200);
    for (const other of [pupil, guardian]) {
      expect((await other.get(`/api/exports/${job.id}`)).status).toBe(404);
      expect((await other.get(`/api/exports/${job.id}/download`)).status).toBe(404);
    }
    const classmate = await app.as(w.classmate.username);
    const refused = await classmate.post(`/api/pupils/${w.pupil.id}/exports`, {});
    expect(refused.status).toBe(404);
    expect((await classmate.post(`/api/pupils/${randomUUID()}/exports`, {})).status).toBe(404);
  });

  it('deletes archives and rows past their retention in the maintenance sweep, and leaves running jobs alone', async () => {
    const started = await pupil.post<ExportJob>(`/api/pupils/${w.pupil.id}/exports`, {});
    const job = await settled<ExportJob>(pupil, `/api/exports/${started.body.id}`);
    const row = await app.database.db
      .selectFrom('portabilityJobs')
      .select(['blobKey', 'expiresAt', 'finishedAt'])
      .where('id', '=', job.id)
      .executeTakeFirstOrThrow();
    expect(row.blobKey).not.toBeNull();
    // EXPORT_RETENTION_DAYS=2 in this app.
    expect(row.expiresAt.getTime() - (row.finishedAt?.getTime() ?? 0)).toBe(2 * 24 * 3600_000);
    expect(await app.polku.blobs.head(row.blobKey ?? '')).not.toBeNull();
    const running = await insertJob({ status: 'running', heartbeatAt: new Date(), worker: 'someone-else', expiresAt: new Date(Date.now() - 1000) });

    const later = new Date(row.expiresAt.getTime() + 1000);
    expect(await app.polku.maintenance.sweepPortability(later)).toBeGreaterThanOrEqual(1);
    expect(await app.database.db.selectFrom('portabilityJobs').select('id').where('id', '=', job.id).executeTakeFirst()).toBeUndefined();
    expect(await app.polku.blobs.head(row.blobKey ?? '')).toBeNull();
    expect(
      await app.database.db
        .selectFrom('pendingBlobs')
        .select('key')
        .where('key', '=', row.blobKey ?? '')
        .executeTakeFirst(),
    ).toBeUndefined();
    expect(await app.database.db.selectFrom('portabilityJobs').select('status').where('id', '=', running).executeTakeFirst()).toEqual({ status: 'running' });
    await app.database.db.deleteFrom('portabilityJobs').where('id', '=', running).execute();
  });
});

describe('downloads are authorised again at download time', () => {
  it('refuses an earlier export to a guardian unlinked since and to a teacher who left the group, and still serves the pupil', async () => {
    const db = app.database.db;
    const child = await makeUser(db, { role: 'pupil', schoolId: w.schoolA.id });
    const parent = await makeUser(db, { role: 'guardian', schoolId: w.schoolA.id });
    const classTeacher = await makeUser(db, { role: 'teacher', schoolId: w.schoolA.id });
    const group = await makeGroup(db, w.schoolA.id);
    await addMember(db, group.id, child.id, 'pupil');
    await addMember(db, group.id, classTeacher.id, 'teacher');
    await linkGuardian(db, parent.id, child.id);
    const [childClient, parentClient, teacherClient] = await Promise.all([app.as(child.username), app.as(parent.username), app.as(classTeacher.username)]);
    await createArtefact(childClient, 'Jaettu kotiin', 'guardians');

    const exportAs = async (client: TestClient) => {
      const started = await client.post<ExportJob>(`/api/pupils/${child.id}/exports`, {});
      expect(started.status, started.text).toBe(202);
      const job = await settled<ExportJob>(client, `/api/exports/${started.body.id}`);
      expect(job.status).toBe('done');
      return job;
    };
    const [own, shared, full] = [await exportAs(childClient), await exportAs(parentClient), await exportAs(teacherClient)];
    expect([shared.scope, full.scope]).toEqual(['shared', 'full']);
    // Before: each of them downloads their own.
    await download(parentClient, shared);
    await download(teacherClient, full);

    // The admin removes the guardian link and takes the teacher out of the group (the real routes).
    expect((await admin.request('DELETE', `/api/guardian-links/${parent.id}/${child.id}`)).status).toBe(200);
    expect((await admin.request('DELETE', `/api/groups/${group.id}/members/${classTeacher.id}`)).status).toBe(200);

    // Signed in afresh (whether or not the change ended their sessions), the earlier exports are gone for them.
    for (const [username, job] of [
      [parent.username, shared],
      [classTeacher.username, full],
    ] as const) {
      const client = await app.as(username);
      const res = await client.get(`/api/exports/${job.id}/download`);
      expect(res.status, `${username}: ${res.text}`).toBe(404);
      expect(res.headers.get('location')).toBeNull();
      expect((await client.get(`/api/exports/${job.id}`)).status).toBe(404);
    }
    // The pupil's own export still downloads, and the school's admin still reaches the others.
    await download(childClient, own);
    expect((await admin.get(`/api/exports/${full.id}/download`)).status).toBe(302);
  });

  it('hands out a signed URL that is short-lived', async () => {
    const started = await pupil.post<ExportJob>(`/api/pupils/${w.pupil.id}/exports`, {});
    const job = await settled<ExportJob>(pupil, `/api/exports/${started.body.id}`);
    const { location } = await download(pupil, job);
    const token = location.split('/').pop() ?? '';
    // The app's store is the local one inside the wrapper that notes every key before it is written.
    const blobs = app.polku.blobs instanceof NotedBlobStore ? app.polku.blobs.inner : app.polku.blobs;
    if (!(blobs instanceof LocalBlobStore)) throw new Error('this app uses the local blob store');
    const grant = blobs.verifyToken(token);
    expect(grant).not.toBeNull();
    expect((grant?.expiresAt.getTime() ?? Infinity) - Date.now()).toBeLessThanOrEqual(61_000);
  });
});

/** A job row as another (possibly dead) process left it, in this app's store. */
async function insertJob(values: {
  status: 'queued' | 'running';
  heartbeatAt: Date | null;
  worker: string | null;
  attempts?: number;
  expiresAt?: Date;
}): Promise<string> {
  const id = randomUUID();
  await app.database.db
    .insertInto('portabilityJobs')
    .values({
      id,
      kind: 'export',
      store: storeIdentity(app.config.storage),
      requestedBy: w.pupil.id,
      pupilId: w.pupil.id,
      scope: 'full',
      fileName: 'polku-resumed.zip',
      expiresAt: values.expiresAt ?? new Date(Date.now() + 3600_000),
      ...values,
    })
    .execute();
  return id;
}

describe('jobs survive their process', () => {
  it('takes again a job left running by a process that died (stale heartbeat) and finishes it', async () => {
    const id = await insertJob({ status: 'running', heartbeatAt: new Date(Date.now() - 3600_000), worker: 'dead-process', attempts: 1 });
    await app.polku.maintenance.runJobs();
    const row = await app.database.db
      .selectFrom('portabilityJobs')
      .select(['status', 'attempts', 'worker', 'blobKey'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'done', attempts: 2, worker: null });
    expect(await app.polku.blobs.head(row.blobKey ?? '')).not.toBeNull();
  });

  it('leaves a job with a fresh heartbeat to the process running it', async () => {
    const id = await insertJob({ status: 'running', heartbeatAt: new Date(), worker: 'alive-elsewhere' });
    await app.polku.maintenance.runJobs();
    expect(await app.database.db.selectFrom('portabilityJobs').select(['status', 'worker']).where('id', '=', id).executeTakeFirst()).toEqual({
      status: 'running',
      worker: 'alive-elsewhere',
    });
    await app.database.db.deleteFrom('portabilityJobs').where('id', '=', id).execute();
  });

  it('fails a job that was interrupted too many times instead of running it forever', async () => {
    const id = await insertJob({ status: 'running', heartbeatAt: new Date(Date.now() - 3600_000), worker: 'dead-process', attempts: 3 });
    await app.polku.maintenance.runJobs();
    const job = (await pupil.get<ExportJob>(`/api/exports/${id}`)).body;
    expect(job).toMatchObject({ status: 'failed', error: { code: 'interrupted' } });
  });

  it('on shutdown aborts the running job and puts it back in the queue', async () => {
    const store = `shutdown-test-${randomUUID()}`;
    const id = randomUUID();
    await app.database.db
      .insertInto('portabilityJobs')
      .values({
        id,
        kind: 'export',
        status: 'queued',
        store,
        requestedBy: w.pupil.id,
        pupilId: w.pupil.id,
        fileName: 'x.zip',
        expiresAt: new Date(Date.now() + 3600_000),
      })
      .execute();
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const runner = jobRunner({
      db: app.database.db,
      logger: app.polku.logger,
      store,
      workerId: 'test-worker',
      // A job that works until it is told to stop, as the export does with its AbortSignal.
      run: (_job, signal) =>
        new Promise<void>((_resolve, reject) => {
          started();
          signal.addEventListener('abort', () => reject(signal.reason as Error));
        }),
      giveUp: async () => undefined,
    });
    runner.kick();
    await running;
    expect(await app.database.db.selectFrom('portabilityJobs').select(['status', 'worker']).where('id', '=', id).executeTakeFirst()).toEqual({
      status: 'running',
      worker: 'test-worker',
    });
    await runner.stop();
    expect(await app.database.db.selectFrom('portabilityJobs').select(['status', 'worker', 'heartbeatAt']).where('id', '=', id).executeTakeFirst()).toEqual({
      status: 'queued',
      worker: null,
      heartbeatAt: null,
    });
    await app.database.db.deleteFrom('portabilityJobs').where('id', '=', id).execute();
  });
});

describe('a job that loses its claim', () => {
  /** A queued export in a queue of its own, so that only the runner made here takes it. */
  async function queuedExport(store: string): Promise<string> {
    const id = randomUUID();
    await app.database.db
      .insertInto('portabilityJobs')
      .values({
        id,
        kind: 'export',
        status: 'queued',
        store,
        requestedBy: w.pupil.id,
        pupilId: w.pupil.id,
        scope: 'full',
        fileName: 'claimed.zip',
        expiresAt: new Date(Date.now() + 3600_000),
      })
      .execute();
    return id;
  }

  /** What another runner does when it takes a job over from one it believes dead. */
  async function takeOver(id: string, attempts: number): Promise<void> {
    await app.database.db
      .updateTable('portabilityJobs')
      .set({ worker: 'runner-b', attempts: attempts + 1, heartbeatAt: new Date() })
      .where('id', '=', id)
      .execute();
  }

  it('is stopped by its heartbeat, and the job is left to the runner that holds it now', async () => {
    const store = `claim-test-${randomUUID()}`;
    const id = await queuedExport(store);
    let started!: (job: { attempts: number }) => void;
    const running = new Promise<{ attempts: number }>((resolve) => (started = resolve));
    let stopped!: (reason: unknown) => void;
    const aborted = new Promise<unknown>((resolve) => (stopped = resolve));
    const runner = jobRunner({
      db: app.database.db,
      logger: app.polku.logger,
      store,
      workerId: 'runner-a',
      heartbeatMs: 10,
      // A job that works until it is told to stop.
      run: (job, signal) =>
        new Promise<void>((_resolve, reject) => {
          started(job);
          signal.addEventListener('abort', () => {
            stopped(signal.reason);
            reject(signal.reason as Error);
          });
        }),
      giveUp: async () => undefined,
    });
    try {
      runner.kick();
      const job = await running;
      await takeOver(id, job.attempts);
      expect(await aborted).toBeInstanceOf(ClaimLost);
      await runner.idle();
      // Neither re-queued nor failed: still the other runner's.
      expect(await app.database.db.selectFrom('portabilityJobs').select(['status', 'worker']).where('id', '=', id).executeTakeFirst()).toEqual({
        status: 'running',
        worker: 'runner-b',
      });
    } finally {
      await runner.stop();
      await app.database.db.deleteFrom('portabilityJobs').where('id', '=', id).execute();
    }
  });

  it('is stopped when its job is deleted', async () => {
    const store = `claim-test-${randomUUID()}`;
    const id = await queuedExport(store);
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let stopped!: (reason: unknown) => void;
    const aborted = new Promise<unknown>((resolve) => (stopped = resolve));
    const runner = jobRunner({
      db: app.database.db,
      logger: app.polku.logger,
      store,
      workerId: 'runner-a',
      heartbeatMs: 10,
      run: (_job, signal) =>
        new Promise<void>((_resolve, reject) => {
          started();
          signal.addEventListener('abort', () => {
            stopped(signal.reason);
            reject(signal.reason as Error);
          });
        }),
      giveUp: async () => undefined,
    });
    try {
      runner.kick();
      await running;
      await app.database.db.deleteFrom('portabilityJobs').where('id', '=', id).execute();
      expect(await aborted).toBeInstanceOf(ClaimLost);
    } finally {
      await runner.stop();
    }
  });

  it('writes no results and never overwrites or deletes the archive of the runner that took the export over', async () => {
    const db = app.database.db;
    const blobs = app.polku.blobs;
    const store = `claim-test-${randomUUID()}`;
    const id = await queuedExport(store);
    const deps: PortabilityDeps = {
      db,
      blobs,
      notifier: silentNotifier,
      logger: app.polku.logger,
      media: app.config.media,
      retentionMs: 3600_000,
      limits: DEFAULT_IMPORT_LIMITS,
      store,
      workerId: 'runner-a',
    };
    const theirs = Buffer.from('the archive of runner B');
    // Wherever runner B keeps its archive (one key per job, or one per attempt), it is B's.
    const theirKeys = [blobKey('export', id), blobKey('export', id, 'a2')];
    let ours = '';
    const runner = jobRunner({
      db,
      logger: app.polku.logger,
      store,
      workerId: 'runner-a',
      heartbeatMs: 10,
      run: async (job, signal) => {
        ours = blobKey('export', id, `a${job.attempts}`);
        // Runner A has just claimed the job when runner B takes it over and writes its archive.
        await takeOver(id, job.attempts);
        for (const key of theirKeys) await blobs.putStream(key, Readable.from([theirs]), { contentType: 'application/zip' });
        await runExportJob(deps, job, signal);
      },
      giveUp: async () => undefined,
    });
    try {
      await runner.fill();
      await runner.idle();
      const row = await db.selectFrom('portabilityJobs').select(['status', 'worker', 'blobKey', 'result', 'error']).where('id', '=', id).executeTakeFirst();
      expect(row).toEqual({ status: 'running', worker: 'runner-b', blobKey: null, result: null, error: null });
      for (const key of theirKeys) expect(Buffer.concat(await (await blobs.getStream(key)).toArray())).toEqual(theirs);
      // What runner A wrote under its own claim is gone, with its note.
      expect(ours).not.toBe('');
      expect(await blobs.head(ours)).toBeNull();
      expect(await db.selectFrom('pendingBlobs').select('key').where('key', '=', ours).executeTakeFirst()).toBeUndefined();
    } finally {
      await runner.stop();
      await db.deleteFrom('portabilityJobs').where('id', '=', id).execute();
      for (const key of theirKeys) await blobs.delete(key);
    }
  });
});

describe('import: upload, preview, apply, report', () => {
  it('previews a LEAP2A file, applies it as a job with progress events, and reports every entry', async () => {
    const socket = await listen(pupil);
    const uploaded = await pupil.request<ImportJob>(
      'POST',
      '/api/imports',
      uploadForm(tinyLeap2a({ suffix: 'jobs' }), 'leap2a.xml', { kind: 'existing', pupilId: w.pupil.id }),
    );
    expect(uploaded.status, uploaded.text).toBe(201);
    const preview = importJobSchema.parse(uploaded.body);
    expect(preview).toMatchObject({
      status: 'ready',
      fileName: 'leap2a.xml',
      report: null,
      preview: { format: 'leap2a', counts: { create: 3, skip: 1, unmapped: 0 } },
    });
    expect((await pupil.get<ImportJob>(`/api/imports/${preview.id}`)).body).toEqual(preview);
    const uploadKey =
      (await app.database.db.selectFrom('portabilityJobs').select('blobKey').where('id', '=', preview.id).executeTakeFirstOrThrow()).blobKey ?? '';
    expect(await app.polku.blobs.head(uploadKey)).not.toBeNull();

    const audits = () =>
      app.database.db.selectFrom('auditEvents').select('id').where('actorId', '=', w.pupil.id).where('action', '=', 'portfolio.import').execute();
    const auditsBefore = (await audits()).length;
    const applied = await pupil.post<ImportJob>(`/api/imports/${preview.id}/apply`, {});
    expect(applied.status).toBe(202);
    expect(applied.body.status).toBe('queued');
    const finished = importJobSchema.parse(await socket.next('import.finished', preview.id));
    expect(finished.status).toBe('done');
    expect(finished.report).toMatchObject({ pupilId: w.pupil.id, created: { projects: 1, artefacts: 1, feedback: 1 } });
    expect(finished.report?.items.map((i) => i.sourceId).sort()).toEqual(preview.preview?.items.map((i) => i.sourceId).sort());
    expect(socket.events.some(([e, p]) => e === 'import.progress' && (p as ImportJob).id === preview.id)).toBe(true);

    const timeline = await pupil.get<TimelinePage>(`/api/pupils/${w.pupil.id}/artefacts`);
    expect(timeline.body.items.map((i) => i.title)).toContain('Kevään lintuhavainnot jobs');
    // The upload has served its purpose.
    expect(await app.polku.blobs.head(uploadKey)).toBeNull();
    // One audit event for the import, by the pupil who asked for it.
    expect((await audits()).length).toBe(auditsBefore + 1);
    expect((await pupil.post(`/api/imports/${preview.id}/apply`, {})).status).toBe(409);
  });

  it('hands the page the codes of the names it made up (untitled entry, unknown learner), not only their English', async () => {
    const xml = await readFile(path.join(import.meta.dirname, '../fixtures/leap2a/unnamed.xml'));
    const uploaded = await pupil.request<ImportJob>('POST', '/api/imports', uploadForm(xml, 'unnamed.xml', { kind: 'existing', pupilId: w.pupil.id }));
    expect(uploaded.status, uploaded.text).toBe(201);
    const job = importJobSchema.parse((await pupil.get<ImportJob>(`/api/imports/${uploaded.body.id}`)).body);
    expect(job.preview).toMatchObject({ pupilName: 'Unknown', pupilNameCode: 'unknown-learner' });
    expect(job.preview?.items.find((i) => i.sourceId === 'urn:entry:untitled')).toMatchObject({ title: 'Untitled', titleCode: 'untitled' });
    expect((await pupil.delete(`/api/imports/${uploaded.body.id}`)).status).toBe(200);
  });

  it('lets an admin import into a new pupil account at their school', async () => {
    const username = `tuotu.${randomUUID().slice(0, 6)}`;
    const uploaded = await admin.request<ImportJob>(
      'POST',
      '/api/imports',
      uploadForm(tinyLeap2a({ suffix: 'new' }), 'mahara.xml', { kind: 'new', schoolId: w.schoolA.id, username }),
    );
    expect(uploaded.status, uploaded.text).toBe(201);
    await admin.post(`/api/imports/${uploaded.body.id}/apply`, {});
    const done = await settled<ImportJob>(admin, `/api/imports/${uploaded.body.id}`);
    expect(done.status).toBe('done');
    const user = await app.database.db.selectFrom('users').select(['id', 'displayName']).where('username', '=', username).executeTakeFirstOrThrow();
    expect(done.pupil).toEqual({ id: user.id, displayName: user.displayName });
    // Only an admin of that school may: a teacher of it sees the school but may not.
    expect((await teacher.request('POST', '/api/imports', uploadForm(tinyLeap2a(), 'x.xml', { kind: 'new', schoolId: w.schoolA.id }))).status).toBe(403);
  });

  it('answers 422 with the reason for a file it cannot import, and keeps nothing', async () => {
    const before = await app.database.db
      .selectFrom('portabilityJobs')
      .select('id')
      .where('requestedBy', '=', w.pupil.id)
      .where('kind', '=', 'import')
      .execute();
    const res = await pupil.request<{ error: { code: string; reason: string; message: string } }>(
      'POST',
      '/api/imports',
      uploadForm('this is not a portfolio', 'notes.txt', { kind: 'existing', pupilId: w.pupil.id }),
    );
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'import_rejected', reason: 'unknown-format' });
    expect(res.body.error.message).toMatch(/neither a ZIP archive nor an XML file/);
    // The params travel with the code, so the page can say it in the reader's language; the file is named as uploaded.
    const broken = await pupil.request(
      'POST',
      '/api/imports',
      uploadForm('<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><entry>', 'aino-mahara.xml', { kind: 'existing', pupilId: w.pupil.id }),
    );
    expect(broken.status).toBe(422);
    expect(errorResponseSchema.parse(broken.body).error).toMatchObject({
      code: 'import_rejected',
      reason: 'xml-malformed',
      reasonParams: { context: 'line', file: 'aino-mahara.xml', line: 2 },
    });
    const after = await app.database.db.selectFrom('portabilityJobs').select('id').where('requestedBy', '=', w.pupil.id).where('kind', '=', 'import').execute();
    expect(after.length).toBe(before.length);
    expect((await pupil.request('POST', '/api/imports', uploadForm(tinyLeap2a(), 'x.xml', { kind: 'existing' }))).status).toBe(400);
  });

  it('discards an upload on request: the record and the stored file go', async () => {
    const uploaded = await pupil.request<ImportJob>(
      'POST',
      '/api/imports',
      uploadForm(tinyLeap2a({ suffix: 'discard' }), 'leap2a.xml', { kind: 'existing', pupilId: w.pupil.id }),
    );
    const key =
      (await app.database.db.selectFrom('portabilityJobs').select('blobKey').where('id', '=', uploaded.body.id).executeTakeFirstOrThrow()).blobKey ?? '';
    expect((await admin.get(`/api/imports/${uploaded.body.id}`)).status).toBe(200);
    expect((await teacher.delete(`/api/imports/${uploaded.body.id}`)).status).toBe(404);
    expect((await pupil.delete(`/api/imports/${uploaded.body.id}`)).status).toBe(200);
    expect((await pupil.get(`/api/imports/${uploaded.body.id}`)).status).toBe(404);
    expect(await app.polku.blobs.head(key)).toBeNull();
  });

  it('refuses an upload over IMPORT_MAX_MB with 413 and a clear message', async () => {
    const small = await startTestApp({ database: app.database, env: { IMPORT_MAX_MB: '0.001' } });
    try {
      const client = await small.as(w.pupil.username);
      const res = await client.request<{ error: { code: string; message: string } }>(
        'POST',
        '/api/imports',
        uploadForm(Buffer.alloc(4096, 'a'), 'big.zip', { kind: 'existing', pupilId: w.pupil.id }),
      );
      expect(res.status).toBe(413);
      expect(res.body.error.message).toMatch(/too large: the limit is/);
    } finally {
      await small.close();
    }
  });
});

describe('with the S3 driver', () => {
  let s3: S3TestServer;
  let s3app: TestApp;
  beforeAll(async () => {
    s3 = await startS3Server();
    s3app = await startTestApp({
      database: app.database,
      env: { S3_ENDPOINT: s3.endpoint, S3_BUCKET: s3.bucket, S3_REGION: s3.region, S3_ACCESS_KEY_ID: s3.accessKeyId, S3_SECRET_ACCESS_KEY: s3.secretAccessKey },
    });
  });
  afterAll(async () => {
    await s3app?.close();
    await s3?.close();
  });

  it('streams the archive into the bucket and redirects the download to a signed bucket URL', async () => {
    // A pupil whose media was uploaded into the bucket.
    const owner = await makeUser(app.database.db, { role: 'pupil', schoolId: w.schoolA.id });
    await addMember(app.database.db, w.group.id, owner.id, 'pupil');
    const client = await s3app.as(owner.username);
    await createArtefact(client, 'Ämpärissä kuva', 'private');
    const started = await client.post<ExportJob>(`/api/pupils/${owner.id}/exports`, {});
    expect(started.status).toBe(202);
    const job = await settled<ExportJob>(client, `/api/exports/${started.body.id}`);
    expect(job.status).toBe('done');
    const { location, bytes } = await download(client, job, s3app.url);
    expect(location.startsWith(s3.endpoint)).toBe(true);
    expect(location).toContain('X-Amz-Signature');
    const entries = await readZipMap(bytes);
    expect(entries.has(ARCHIVE_PATHS.site)).toBe(true);
    expect([...entries.keys()].some((n) => n.startsWith(ARCHIVE_PATHS.filesDir))).toBe(true);
  });
});
