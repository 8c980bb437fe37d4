import sharp from 'sharp';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Artefact } from '../../shared/api/artefacts.ts';
import type { Project } from '../../shared/api/projects.ts';
import type { ExportJob } from '../../shared/api/portability.ts';
import { ARCHIVE_PATHS, type PortfolioDocument } from '../../shared/portability/portfolio-format.ts';
import { artefactForm as form } from '../helpers/artefact-upload.ts';
import { makeProject, makeTwoSchools } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';
import { readZipMap } from '../helpers/zip.ts';

type History = { versions: Array<{ version: number; title: string; bodyHtml: string; visibility: string; mediaIds: string[] }> };

let app: TestApp;
let w: Awaited<ReturnType<typeof makeTwoSchools>>;
let pupil: TestClient;
let teacher: TestClient;
let guardian: TestClient;
const sockets: Socket[] = [];

function listen(client: TestClient): { events: Array<[string, unknown]>; ready: Promise<void> } {
  const socket = io(app.url, { transports: ['websocket'], extraHeaders: { cookie: client.cookieHeader }, reconnection: false, forceNew: true });
  sockets.push(socket);
  const events: Array<[string, unknown]> = [];
  socket.onAny((event: string, payload: unknown) => events.push([event, payload]));
  return { events, ready: new Promise((resolve) => socket.once('connect', () => resolve())) };
}

const png = (background: string) =>
  sharp({ create: { width: 8, height: 8, channels: 3, background } })
    .png()
    .toBuffer();

/** The media route's redirect target: a signed URL for the file, or null with the status when refused. */
async function signedUrl(client: TestClient, mediaId: string): Promise<{ status: number; url: string | null }> {
  const res = await client.get(`/api/media/${mediaId}/original`);
  return { status: res.status, url: res.status === 302 ? new URL(res.headers.get('location') ?? '', app.url).toString() : null };
}

/** Exports the pupil's portfolio as this client through the HTTP API, and waits for it to finish. */
async function finishedExport(client: TestClient): Promise<ExportJob> {
  const started = await client.post<ExportJob>(`/api/pupils/${w.pupil.id}/exports`, {});
  expect(started.status).toBe(202);
  let job = started.body;
  while (job.status !== 'done' && job.status !== 'failed') {
    await new Promise((r) => setTimeout(r, 100));
    job = (await client.get<ExportJob>(`/api/exports/${job.id}`)).body;
  }
  expect(job.status).toBe('done');
  return job;
}

/** Exports the pupil's portfolio as this client through the HTTP API and reads the archive. */
async function exportAs(client: TestClient): Promise<{ document: PortfolioDocument; names: string[] }> {
  const job = await finishedExport(client);
  const res = await client.get(`/api/exports/${job.id}/download`);
  const file = await fetch(new URL(res.headers.get('location') ?? '', app.url));
  const entries = await readZipMap(Buffer.from(await file.arrayBuffer()));
  return { document: JSON.parse(entries.get(ARCHIVE_PATHS.document)?.toString('utf8') ?? '{}') as PortfolioDocument, names: [...entries.keys()] };
}

beforeAll(async () => {
  app = await startTestApp();
  w = await makeTwoSchools(app.database.db);
  [pupil, teacher, guardian] = await Promise.all([app.as(w.pupil.username), app.as(w.teacher.username), app.as(w.guardian.username)]);
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await app?.close();
});

describe('guardians see only what was shared (issue 8, A3)', () => {
  let artefact: Artefact;
  let kept: string;
  let removed: string;
  let removedOldUrl: string;

  beforeAll(async () => {
    const created = await pupil.post<Artefact>(
      '/api/artefacts',
      form({ title: 'Luonnos', bodyHtml: '<p>Salainen ensimmäinen luonnos</p>', visibility: 'private' }, [
        { name: 'pidetty.png', type: 'image/png', bytes: await png('#0a0') },
        { name: 'poistettu.png', type: 'image/png', bytes: await png('#a00') },
      ]),
    );
    expect(created.status).toBe(201);
    expect((await pupil.patch(`/api/artefacts/${created.body.id}`, { bodyHtml: '<p>Toinen yksityinen luonnos</p>' })).status).toBe(200);
    expect((await pupil.patch(`/api/artefacts/${created.body.id}`, { title: 'Valmis työ', bodyHtml: '<p>Jaettu</p>', visibility: 'guardians' })).status).toBe(
      200,
    );
    [kept, removed] = created.body.media.map((m) => m.id) as [string, string];
    // While shared, the guardian could open both files: this URL was issued before the removal.
    const before = await signedUrl(guardian, removed);
    expect(before.status).toBe(302);
    removedOldUrl = before.url ?? '';
    expect((await fetch(removedOldUrl)).status).toBe(200);
    const edited = await pupil.patch<Artefact>(`/api/artefacts/${created.body.id}`, { bodyHtml: '<p>Jaettu ja korjattu</p>', removeMediaIds: [removed] });
    expect(edited.status).toBe(200);
    artefact = edited.body;
  });

  it('the history a guardian opens holds no version written while the artefact was private', async () => {
    const own = await pupil.get<History>(`/api/artefacts/${artefact.id}/history`);
    expect(own.body.versions.map((v) => v.version)).toEqual([4, 3, 2, 1]);
    const teachers = await teacher.get<History>(`/api/artefacts/${artefact.id}/history`);
    expect(teachers.body.versions.map((v) => v.version)).toEqual([4, 3, 2, 1]);

    const guardians = await guardian.get<History>(`/api/artefacts/${artefact.id}/history`);
    expect(guardians.status).toBe(200);
    expect(guardians.body.versions.map((v) => v.version)).toEqual([4, 3]);
    expect(JSON.stringify(guardians.body)).not.toMatch(/Salainen|yksityinen/);
    // Nor does it name the file the pupil removed, although version 3 showed it.
    expect(guardians.body.versions.flatMap((v) => v.mediaIds)).not.toContain(removed);
    expect(teachers.body.versions.find((v) => v.version === 3)?.mediaIds).toContain(removed);
  });

  it('a removed file answers 404 to the guardian, by id; the owner and teachers still open it', async () => {
    expect((await signedUrl(guardian, removed)).status).toBe(404);
    expect((await guardian.get(`/api/media/${removed}/thumb`)).status).toBe(404);
    // The URL issued to the guardian before the removal no longer opens the file either.
    expect((await fetch(removedOldUrl)).status).toBe(404);
    const kept302 = await signedUrl(guardian, kept);
    expect(kept302.status).toBe(302);
    expect((await fetch(kept302.url ?? '')).status).toBe(200);
    for (const reader of [pupil, teacher]) {
      const res = await signedUrl(reader, removed);
      expect(res.status).toBe(302);
      expect((await fetch(res.url ?? '')).status).toBe(200);
    }
  });

  it("the guardian's export holds neither the private versions nor the removed file", async () => {
    const { document, names } = await exportAs(guardian);
    expect(document.scope).toBe('shared');
    const doc = document.artefacts.find((a) => a.id === artefact.id);
    expect(doc?.versions.map((v) => v.version)).toEqual([3, 4]);
    expect(doc?.media.map((m) => m.id)).toEqual([kept]);
    expect(doc?.versions.flatMap((v) => v.mediaIds)).not.toContain(removed);
    expect(JSON.stringify(document)).not.toMatch(/Salainen|yksityinen|poistettu\.png/);
    const removedFile = (await app.database.db.selectFrom('mediaItems').select('variantDigests').where('id', '=', removed).executeTakeFirstOrThrow())
      .variantDigests.original?.sha256;
    expect(removedFile).toBeTruthy();
    expect(names.filter((n) => n.includes(removedFile ?? '-'))).toEqual([]);

    // The whole portfolio (the pupil's, a teacher's) still keeps everything.
    const full = await exportAs(pupil);
    const fullDoc = full.document.artefacts.find((a) => a.id === artefact.id);
    expect(full.names.some((n) => n.includes(removedFile ?? '-'))).toBe(true);
    expect(fullDoc?.versions.map((v) => v.version)).toEqual([1, 2, 3, 4]);
    expect(fullDoc?.media.map((m) => m.id).sort()).toEqual([kept, removed].sort());
  });
});

describe("a guardian's earlier export holds only what is still shared", () => {
  it('is withdrawn once the pupil unshares or deletes an item in it, or removes one of its files; a full export is not', async () => {
    const made = async (title: string) =>
      (
        await pupil.post<Artefact>(
          '/api/artefacts',
          form({ title, visibility: 'guardians' }, [{ name: 'kuva.png', type: 'image/png', bytes: await png('#00a') }]),
        )
      ).body;
    const [toUnshare, toDelete, withFile] = [await made('Jaettu A'), await made('Jaettu B'), await made('Jaettu C')];
    const changes: Array<[string, () => Promise<unknown>]> = [
      ['unshared', () => pupil.patch(`/api/artefacts/${toUnshare.id}`, { visibility: 'private' })],
      ['deleted', () => pupil.delete(`/api/artefacts/${toDelete.id}`)],
      ['file removed', () => pupil.patch(`/api/artefacts/${withFile.id}`, { removeMediaIds: [withFile.media[0]?.id ?? ''] })],
    ];
    for (const [what, change] of changes) {
      const guardianExport = await finishedExport(guardian);
      expect(guardianExport.outdated, what).toBe(false);
      expect((await guardian.get(`/api/exports/${guardianExport.id}/download`)).status, what).toBe(302);
      const pupilExport = await finishedExport(pupil);
      await change();

      const after = await guardian.get<ExportJob>(`/api/exports/${guardianExport.id}`);
      expect(after.body, what).toMatchObject({ outdated: true, downloadUrl: null });
      const listed = await guardian.get<{ exports: ExportJob[] }>(`/api/pupils/${w.pupil.id}/exports`);
      expect(listed.body.exports.find((j) => j.id === guardianExport.id)?.outdated, what).toBe(true);
      const refused = await guardian.get<{ error: { code: string; reason?: string } }>(`/api/exports/${guardianExport.id}/download`);
      expect(refused.status, what).toBe(409);
      expect(refused.body.error.reason, what).toBe('export_outdated');
      // The pupil's whole portfolio was never limited to what is shared.
      expect((await pupil.get(`/api/exports/${pupilExport.id}/download`)).status, what).toBe(302);
    }
    // A new export of what is shared now is handed out.
    const fresh = await finishedExport(guardian);
    expect((await guardian.get(`/api/exports/${fresh.id}/download`)).status).toBe(302);
  });
});

describe('unsharing and deleting are live for those who lose access (issue 8, A5)', () => {
  it("the guardian's socket hears artefact.access_lost on unsharing and on deletion; the teacher hears no such thing", async () => {
    const guardianLive = listen(guardian);
    const teacherLive = listen(teacher);
    await Promise.all([guardianLive.ready, teacherLive.ready]);
    const made = await Promise.all(
      ['Jaettu ensin', 'Jaettu ja poistettu'].map((title) => pupil.post<Artefact>('/api/artefacts', { title, visibility: 'guardians' })),
    );
    const [unshared, deleted] = made.map((r) => r.body) as [Artefact, Artefact];

    await pupil.patch(`/api/artefacts/${unshared.id}`, { visibility: 'private' });
    await vi.waitFor(() => expect(guardianLive.events).toContainEqual(['artefact.access_lost', { artefactId: unshared.id, ownerId: w.pupil.id }]), {
      timeout: 5000,
    });
    expect((await guardian.get(`/api/artefacts/${unshared.id}`)).status).toBe(404);

    expect((await pupil.delete(`/api/artefacts/${deleted.id}`)).status).toBe(200);
    await vi.waitFor(() => expect(guardianLive.events).toContainEqual(['artefact.access_lost', { artefactId: deleted.id, ownerId: w.pupil.id }]), {
      timeout: 5000,
    });
    await vi.waitFor(() => expect(teacherLive.events).toContainEqual(['artefact.deleted', { artefactId: deleted.id, ownerId: w.pupil.id }]), {
      timeout: 5000,
    });
    // The teacher still sees the unshared one and hears of the deletion as a deletion, never as lost access.
    expect(teacherLive.events.filter(([e]) => e === 'artefact.access_lost')).toEqual([]);
    // The guardian is not told more than that: no artefact.deleted, and no update of the now private one.
    expect(guardianLive.events.filter(([e]) => e === 'artefact.deleted')).toEqual([]);
    const updatesAfterUnsharing = guardianLive.events.filter(
      ([e, p]) =>
        e === 'artefact.updated' &&
        (p as { artefact: Artefact }).artefact.id === unshared.id &&
        (p as { artefact: Artefact }).artefact.visibility === 'private',
    );
    expect(updatesAfterUnsharing).toEqual([]);
  });
});

describe('concurrent edits (issue 8, C14)', () => {
  it('20 parallel saves of one artefact all succeed and make 20 consecutive versions', async () => {
    const created = await pupil.post<Artefact>('/api/artefacts', { title: 'Rinnakkain' });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => pupil.patch<Artefact>(`/api/artefacts/${created.body.id}`, { title: `Tallennus ${i}` })),
    );
    expect(results.map((r) => r.status)).toEqual(Array.from({ length: 20 }, () => 200));
    const history = await pupil.get<History>(`/api/artefacts/${created.body.id}/history`);
    expect(history.body.versions.map((v) => v.version)).toEqual(Array.from({ length: 21 }, (_, i) => 21 - i));
    // Each version is the save that made it: the titles are the 20 saves, once each.
    expect(
      history.body.versions
        .slice(0, 20)
        .map((v) => v.title)
        .sort(),
    ).toEqual(Array.from({ length: 20 }, (_, i) => `Tallennus ${i}`).sort());
  });
});

describe("a project's goals change (issue 8, D18)", () => {
  it('removing a goal drops it from the artefacts that named it, and their later saves succeed', async () => {
    const project = await makeProject(app.database.db, { schoolId: w.schoolA.id, teacherIds: [w.teacher.id], groupIds: [w.group.id] });
    const withTwo = await teacher.patch<Project>(`/api/projects/${project.id}`, {
      goals: [{ id: project.goalId, text: 'Osaan havainnoida' }, { text: 'Osaan kertoa' }],
    });
    expect(withTwo.status).toBe(200);
    const [first, second] = withTwo.body.goals.map((g) => g.id) as [string, string];
    const made = await pupil.post<Artefact>('/api/artefacts', { title: 'Tavoitteellinen', projectId: project.id, goalIds: [first, second] });
    expect(made.status).toBe(201);

    const dropped = await teacher.patch<Project>(`/api/projects/${project.id}`, { goals: [{ id: second, text: 'Osaan kertoa' }] });
    expect(dropped.status).toBe(200);
    expect((await pupil.get<Artefact>(`/api/artefacts/${made.body.id}`)).body.goalIds).toEqual([second]);
    const saved = await pupil.patch<Artefact>(`/api/artefacts/${made.body.id}`, { title: 'Tavoitteellinen, korjattu' });
    expect(saved.status, saved.text).toBe(200);
    expect(saved.body.goalIds).toEqual([second]);
  });
});
