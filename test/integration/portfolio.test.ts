import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { timelinePageSchema, type Artefact, type GroupOverview, type TimelinePage } from '../../shared/api/artefacts.ts';
import type { Feedback } from '../../shared/api/feedback.ts';
import type { Project } from '../../shared/api/projects.ts';
import type { ReferenceData } from '../../shared/api/reference.ts';
import { artefactForm as form } from '../helpers/artefact-upload.ts';
import { makeTwoSchools, makeUser } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';

/** A phone photo: EXIF orientation 6 and GPS coordinates of Helsinki. */
async function phonePhoto(): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 32, channels: 3, background: '#4a8' } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'Puhelin' },
      // IFD3 is the GPS IFD in libvips' numbering.
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '60/1 10/1 12/1', GPSLongitudeRef: 'E', GPSLongitude: '24/1 56/1 15/1' },
    })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

/** The server process blocks sharp's buffer loaders (defence in depth), so tests read images from files too. */
async function metadataOf(bytes: Buffer) {
  const file = path.join(os.tmpdir(), `polku-meta-${randomUUID()}`);
  await writeFile(file, bytes);
  try {
    return await sharp(file).metadata();
  } finally {
    await rm(file, { force: true });
  }
}

const hasExif = (bytes: Buffer) => bytes.includes(Buffer.from('Exif\0\0'));
// The GPSInfo pointer tag (0x8825) in either byte order.
const hasGpsPointer = (exif: Buffer | undefined) => Boolean(exif && (exif.includes(Buffer.from([0x88, 0x25])) || exif.includes(Buffer.from([0x25, 0x88]))));

/** Follows the media redirect like a browser would, with the same cookies. */
async function download(client: TestClient, url: string): Promise<{ status: number; bytes: Buffer; type: string | null }> {
  const first = await client.get(url);
  if (first.status !== 302) return { status: first.status, bytes: Buffer.alloc(0), type: null };
  const location = first.headers.get('location') ?? '';
  const res = await fetch(new URL(location, client.baseUrl));
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type') };
}

let app: TestApp;
let w: Awaited<ReturnType<typeof makeTwoSchools>>;
let pupil: TestClient;
let teacher: TestClient;
let guardian: TestClient;
const sockets: Socket[] = [];

function listen(client: TestClient): { events: Array<[string, unknown]>; socket: Socket; ready: Promise<void> } {
  const socket = io(app.url, { transports: ['websocket'], extraHeaders: { cookie: client.cookieHeader }, reconnection: false, forceNew: true });
  sockets.push(socket);
  const events: Array<[string, unknown]> = [];
  socket.onAny((event: string, payload: unknown) => events.push([event, payload]));
  return { events, socket, ready: new Promise((resolve) => socket.once('connect', () => resolve())) };
}

beforeAll(async () => {
  app = await startTestApp({ env: { MEDIA_MAX_IMAGE_MB: '1' } });
  w = await makeTwoSchools(app.database.db);
  [pupil, teacher, guardian] = await Promise.all([app.as(w.pupil.username), app.as(w.teacher.username), app.as(w.guardian.username)]);
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await app?.close();
});

describe('reference data', () => {
  it('has the national subjects and both competence frameworks in three languages', async () => {
    const res = await pupil.get<ReferenceData>('/api/reference');
    expect(res.body.subjects.map((s) => s.code)).toEqual(expect.arrayContaining(['AI', 'MA', 'BI', 'GE', 'KU', 'YL']));
    const basic = res.body.frameworks.find((f) => f.key === 'basic');
    expect(basic?.competences.map((c) => c.key)).toEqual(['L1', 'L2', 'L3', 'L4', 'L5', 'L6', 'L7']);
    expect(basic?.competences[3]?.labels).toEqual({ fi: 'Monilukutaito', sv: 'Multilitteracitet', en: 'Multiliteracy' });
    expect(res.body.frameworks.find((f) => f.key === 'upper-secondary')?.competences).toHaveLength(6);
  });
});

describe('the story: a photo, feedback in real time, sharing with guardians', () => {
  let project: Project;
  let artefact: Artefact;

  it('a teacher creates a project for the group; its pupils see it, others do not', async () => {
    const res = await teacher.post<Project>('/api/projects', {
      schoolId: w.schoolA.id,
      title: 'Lähiluonto muuttuu',
      description: 'Tutkimme vuodenaikoja koulun lähimetsässä.',
      schoolYear: '2026-2027',
      startsOn: '2026-09-01',
      endsOn: '2026-10-15',
      subjectCodes: ['BI', 'GE', 'KU'],
      competenceIds: ['basic:L1', 'basic:L4'],
      phases: [{ title: 'Orientoituminen' }, { title: 'Tutkiminen' }, { title: 'Jakaminen' }],
      goals: [{ text: 'Osaan havainnoida luontoa' }],
      groupIds: [w.group.id],
    });
    expect(res.status).toBe(201);
    project = res.body;
    expect(project.teachers.map((t) => t.id)).toEqual([w.teacher.id]);
    expect(project.phases.map((p) => p.title)).toEqual(['Orientoituminen', 'Tutkiminen', 'Jakaminen']);
    expect((await pupil.get<{ projects: Project[] }>('/api/projects')).body.projects.map((p) => p.id)).toContain(project.id);
    const outsider = await app.as(w.teacherB.username);
    expect((await outsider.get(`/api/projects/${project.id}`)).status).toBe(404);

    // Renaming a phase keeps its id; artefacts keep pointing at it.
    const [first, second] = project.phases;
    const edited = await teacher.patch<Project>(`/api/projects/${project.id}`, {
      phases: [
        { id: second?.id, title: 'Tutkiminen maastossa' },
        { id: first?.id, title: 'Orientoituminen' },
      ],
    });
    expect(edited.body.phases).toEqual([
      { id: second?.id, title: 'Tutkiminen maastossa', reflectionPrompts: [] },
      { id: first?.id, title: 'Orientoituminen', reflectionPrompts: [] },
    ]);
    project = edited.body;
  });

  it('rejects unknown subjects and phases of other projects, naming the field', async () => {
    const bad = await teacher.post('/api/projects', { schoolId: w.schoolA.id, title: 'X', subjectCodes: ['ZZ'] });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { details: [{ path: 'body.subjectCodes' }] } });
    const wrongPhase = await pupil.post('/api/artefacts', { title: 'Y', projectId: project.id, phaseId: w.group.id });
    expect(wrongPhase.status).toBe(400);
    expect(wrongPhase.body).toMatchObject({ error: { details: [{ path: 'body.phaseId' }] } });
  });

  it('the pupil posts a phone photo; the teacher hears of it at once and the image carries no EXIF or GPS', async () => {
    const teacherLive = listen(teacher);
    const classmateLive = listen(await app.as(w.classmate.username));
    await Promise.all([teacherLive.ready, classmateLive.ready]);

    const photo = await phonePhoto();
    // The fixture really carries what must be removed.
    const original = await metadataOf(photo);
    expect(original.orientation).toBe(6);
    expect(hasGpsPointer(original.exif)).toBe(true);
    const res = await pupil.post<Artefact>(
      '/api/artefacts',
      form(
        {
          title: 'Syksyn ensimmäinen ruska',
          bodyHtml: '<p>Vaahtera on <strong>punainen</strong>.</p><script>alert(1)</script>',
          projectId: project.id,
          phaseId: project.phases[0]?.id,
          status: 'ready',
          subjectCodes: ['BI'],
        },
        [{ name: 'IMG_0001.jpg', type: 'image/jpeg', bytes: photo }],
      ),
    );
    expect(res.status).toBe(201);
    artefact = res.body;
    expect(artefact).toMatchObject({ kind: 'image', status: 'ready', visibility: 'private', phaseId: project.phases[0]?.id, version: 1 });
    expect(artefact.bodyHtml).toBe('<p>Vaahtera on <strong>punainen</strong>.</p>');
    const [media] = artefact.media;
    expect(media).toMatchObject({ kind: 'image', mime: 'image/jpeg', width: 32, height: 64 }); // rotated by EXIF
    expect(Object.keys(media?.urls ?? {}).sort()).toEqual(['display', 'original', 'thumb']);

    await vi.waitFor(() => expect(teacherLive.events.map(([e]) => e)).toContain('artefact.updated'), { timeout: 5000 });
    for (const variant of ['original', 'display', 'thumb'] as const) {
      for (const client of [pupil, teacher]) {
        const file = await download(client, media?.urls[variant] ?? '');
        expect(file.status).toBe(200);
        expect(file.type, `${variant}: ${file.bytes.subarray(0, 80).toString()}`).toMatch(/^image\//);
        expect(hasExif(file.bytes)).toBe(false);
        expect((await metadataOf(file.bytes)).exif).toBeUndefined();
      }
    }
    // A private item: the classmate's socket heard nothing, and guessing gets nothing.
    expect(classmateLive.events).toEqual([]);
  });

  it("the artefact waits in the teacher's overview until a teacher answers", async () => {
    const overview = await teacher.get<GroupOverview>(`/api/groups/${w.group.id}/overview`);
    expect(overview.body.queue.map((q) => q.artefactId)).toContain(artefact.id);
    expect(overview.body.queue.find((q) => q.artefactId === artefact.id)?.thumbUrl).toMatch(/\/thumb$/);
    expect(overview.body.pupils.find((p) => p.id === w.pupil.id)).toMatchObject({ artefactCount: 1, waitingCount: 1 });
  });

  it('teacher feedback reaches the pupil live with an unread count; reading clears it; the pupil answers', async () => {
    const pupilLive = listen(pupil);
    await pupilLive.ready;
    const sent = await teacher.post<Feedback>(`/api/artefacts/${artefact.id}/feedback`, { body: 'Upea havainto! Mitä muuta huomasit?' });
    expect(sent.status).toBe(201);
    await vi.waitFor(() => expect(pupilLive.events).toContainEqual(['feedback.created', { feedback: sent.body, ownerId: w.pupil.id }]), { timeout: 5000 });
    // The event and the answer are built from the insert; they must match what the thread reads back.
    const teacherThread = await teacher.get<{ items: Feedback[]; readAt: string | null }>(`/api/artefacts/${artefact.id}/feedback`);
    expect(teacherThread.body.items.at(-1)).toEqual(sent.body);
    // Written in the same statement: the author's read mark and the audit event.
    expect(teacherThread.body.readAt).toBe(sent.body.createdAt);
    const audit = await app.database.db
      .selectFrom('auditEvents')
      .select(['actorId', 'subjectUserId'])
      .where('action', '=', 'feedback.create')
      .where('subjectId', '=', artefact.id)
      .execute();
    expect(audit).toEqual([{ actorId: w.teacher.id, subjectUserId: w.pupil.id }]);

    expect((await pupil.get<Artefact>(`/api/artefacts/${artefact.id}`)).body.unreadFeedbackCount).toBe(1);
    expect((await teacher.get<Artefact>(`/api/artefacts/${artefact.id}`)).body.unreadFeedbackCount).toBe(0);
    expect((await pupil.post(`/api/artefacts/${artefact.id}/feedback/read`)).status).toBe(200);
    expect((await pupil.get<Artefact>(`/api/artefacts/${artefact.id}`)).body.unreadFeedbackCount).toBe(0);

    const reply = await pupil.post<Feedback>(`/api/artefacts/${artefact.id}/feedback`, { body: 'Lehdet putoavat!', parentId: sent.body.id });
    expect(reply.body).toMatchObject({ parentId: sent.body.id, author: { id: w.pupil.id, role: 'pupil' } });
    const overview = await teacher.get<GroupOverview>(`/api/groups/${w.group.id}/overview`);
    expect(overview.body.queue.map((q) => q.artefactId)).not.toContain(artefact.id);
  });

  it('sharing shows it to the guardian, live, with the thread; never to another guardian', async () => {
    const guardianLive = listen(guardian);
    await guardianLive.ready;
    expect((await guardian.get<TimelinePage>(`/api/pupils/${w.pupil.id}/artefacts`)).body.items).toEqual([]);
    expect((await guardian.get(`/api/artefacts/${artefact.id}`)).status).toBe(404);

    expect((await pupil.patch<Artefact>(`/api/artefacts/${artefact.id}`, { visibility: 'guardians' })).body.visibility).toBe('guardians');
    await vi.waitFor(() => expect(guardianLive.events.map(([e]) => e)).toContain('artefact.updated'), { timeout: 5000 });
    const timeline = await guardian.get<TimelinePage>(`/api/pupils/${w.pupil.id}/artefacts`);
    expect(timeline.body.items.map((i) => i.id)).toEqual([artefact.id]);
    // Sent without a zod pass (a presented route): with media and feedback too, exactly the declared shape.
    expect(timelinePageSchema.parse(timeline.body)).toStrictEqual(timeline.body);
    // Issue 12 §1: the thread from before sharing is the guardian's only when the pupil shares the history too.
    expect((await guardian.get<{ items: Feedback[] }>(`/api/artefacts/${artefact.id}/feedback`)).body.items).toEqual([]);
    expect((await pupil.put(`/api/artefacts/${artefact.id}/guardian-sharing`, { shareHistory: true })).status).toBe(200);
    const thread = await guardian.get<{ items: Feedback[] }>(`/api/artefacts/${artefact.id}/feedback`);
    expect(thread.body.items.map((f) => f.body)).toEqual(['Upea havainto! Mitä muuta huomasit?', 'Lehdet putoavat!']);
    const file = await download(guardian, artefact.media[0]?.urls.display ?? '');
    expect(file.status).toBe(200);
    expect(hasExif(file.bytes)).toBe(false);
    expect((await guardian.post(`/api/artefacts/${artefact.id}/feedback`, { body: 'Hieno!' })).status).toBe(403);

    for (const outsider of [await app.as(w.otherGuardian.username), await app.as(w.teacherB.username), await app.as(w.otherTeacher.username)]) {
      expect((await outsider.get(`/api/artefacts/${artefact.id}`)).status).toBe(404);
      expect((await outsider.get(artefact.media[0]?.urls.original ?? '')).status).toBe(404);
      expect((await outsider.get(`/api/artefacts/${artefact.id}/feedback`)).status).toBe(404);
      expect((await outsider.get(`/api/pupils/${w.pupil.id}/artefacts`)).status).toBe(404);
    }

    // Unsharing: the guardian hears they lost access to it.
    await pupil.patch(`/api/artefacts/${artefact.id}`, { visibility: 'private' });
    await vi.waitFor(() => expect(guardianLive.events).toContainEqual(['artefact.access_lost', { artefactId: artefact.id, ownerId: w.pupil.id }]), {
      timeout: 5000,
    });
  });

  it('a signed media URL opens that one file only', async () => {
    const first = await pupil.get(artefact.media[0]?.urls.original ?? '');
    const location = first.headers.get('location') ?? '';
    const thumb = await pupil.get(artefact.media[0]?.urls.thumb ?? '');
    const thumbLocation = thumb.headers.get('location') ?? '';
    // Splice the thumb's token into the original's URL shape: tampering must not open anything.
    const tampered = location.slice(0, -6) + thumbLocation.slice(-6);
    expect((await fetch(new URL(tampered, app.url))).status).toBe(404);
  });

  it('keeps earlier versions as history', async () => {
    await pupil.patch(`/api/artefacts/${artefact.id}`, { title: 'Ruska lähimetsässä' });
    const history = await pupil.get<{ versions: Array<{ version: number; title: string }> }>(`/api/artefacts/${artefact.id}/history`);
    expect(history.body.versions[0]).toMatchObject({ title: 'Ruska lähimetsässä' });
    expect(history.body.versions.at(-1)).toMatchObject({ version: 1, title: 'Syksyn ensimmäinen ruska' });
    // Marking it ready and sharing it made no versions (issue 10 §4): only the two states of its content.
    expect(history.body.versions.map((v) => v.version)).toEqual([2, 1]);
  });
});

describe('uploads that are refused', () => {
  it('answers 415 for a file that is not what it claims, and 413 over the image limit, storing nothing', async () => {
    // This pupil's media only: other test files write media into the same database at the same time.
    const mediaOfPupil = () =>
      app.database.db
        .selectFrom('mediaItems')
        .innerJoin('artefacts', 'artefacts.id', 'mediaItems.artefactId')
        .where('artefacts.ownerId', '=', w.pupil.id)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
    const before = await mediaOfPupil();
    const fake = await pupil.post(
      '/api/artefacts',
      form({ title: 'Kuva?' }, [{ name: 'kuva.jpg', type: 'image/jpeg', bytes: Buffer.from('<html><script>alert(1)</script></html>') }]),
    );
    expect(fake.status).toBe(415);
    expect(fake.body).toMatchObject({ error: { code: 'unsupported_media_type', message: expect.any(String) } });
    const big = await sharp({ create: { width: 3000, height: 3000, channels: 3, background: '#123' } })
      .png({ compressionLevel: 0 })
      .toBuffer();
    const tooLarge = await pupil.post('/api/artefacts', form({ title: 'Iso kuva' }, [{ name: 'iso.png', type: 'image/png', bytes: big }]));
    expect(tooLarge.status).toBe(413);
    const after = await mediaOfPupil();
    expect(Number(after.n)).toBe(Number(before.n));
    const titles = await app.database.db.selectFrom('artefacts').select('title').where('ownerId', '=', w.pupil.id).execute();
    expect(titles.map((t) => t.title)).not.toContain('Kuva?');
  });
});

describe('timeline', () => {
  it('pages newest first with a cursor and filters by kind, subject and project', async () => {
    const owner = await makeUser(app.database.db, { role: 'pupil', schoolId: w.schoolA.id });
    const client = await app.as(owner.username);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await client.post<Artefact>('/api/artefacts', {
        title: `Merkintä ${i}`,
        subjectCodes: i % 2 ? ['MA'] : ['AI'],
        competenceIds: i === 2 ? ['basic:L1'] : [],
        links: i === 4 ? [{ url: 'https://example.fi' }] : [],
      });
      ids.push(res.body.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: TimelinePage } = await client.get<TimelinePage>(`/api/pupils/${owner.id}/artefacts?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((i) => i.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    expect((await client.get<TimelinePage>(`/api/pupils/${owner.id}/artefacts?subject=MA`)).body.items.map((i) => i.title)).toEqual([
      'Merkintä 3',
      'Merkintä 1',
    ]);
    expect((await client.get<TimelinePage>(`/api/pupils/${owner.id}/artefacts?kind=link`)).body.items.map((i) => i.title)).toEqual(['Merkintä 4']);
    expect((await client.get<TimelinePage>(`/api/pupils/${owner.id}/artefacts?competence=basic:L1`)).body.items.map((i) => i.title)).toEqual(['Merkintä 2']);
    // The timeline's presenter output is sent without a zod pass: it must already be exactly the declared shape.
    const page = await client.get<TimelinePage>(`/api/pupils/${owner.id}/artefacts`);
    expect(timelinePageSchema.parse(page.body)).toStrictEqual(page.body);
    expect((await client.get(`/api/pupils/${owner.id}/artefacts?cursor=nonsense`)).status).toBe(400);
  });
});

describe("a project's co-teacher from another group", () => {
  it("sees the pupil's artefacts of that project only, and may give feedback on them", async () => {
    const owner = await makeUser(app.database.db, { role: 'pupil', schoolId: w.schoolA.id });
    await app.database.db.insertInto('memberships').values({ groupId: w.group.id, userId: owner.id, role: 'pupil' }).execute();
    const ownerClient = await app.as(owner.username);
    const project = await teacher.post<Project>('/api/projects', {
      schoolId: w.schoolA.id,
      title: 'Yhteinen ilmiö',
      groupIds: [w.group.id],
      teacherIds: [w.otherTeacher.id],
    });
    const inProject = await ownerClient.post<Artefact>('/api/artefacts', { title: 'Projektissa', projectId: project.body.id });
    const outside = await ownerClient.post<Artefact>('/api/artefacts', { title: 'Muualla' });
    const coTeacher = await app.as(w.otherTeacher.username);
    const page = await coTeacher.get<TimelinePage>(`/api/pupils/${owner.id}/artefacts`);
    expect(page.body.items.map((i) => i.title)).toEqual(['Projektissa']);
    expect((await ownerClient.get<TimelinePage>(`/api/pupils/${owner.id}/artefacts?projectId=${project.body.id}`)).body.items.map((i) => i.title)).toEqual([
      'Projektissa',
    ]);
    expect((await coTeacher.get(`/api/artefacts/${outside.body.id}`)).status).toBe(404);
    expect((await coTeacher.post(`/api/artefacts/${inProject.body.id}/feedback`, { body: 'Hyvä alku!' })).status).toBe(201);
  });
});

describe('deleting', () => {
  it('can be undone for a while, then the purge removes the row and its media for good', async () => {
    const created = await pupil.post<Artefact>(
      '/api/artefacts',
      form({ title: 'Poistettava' }, [
        {
          name: 'p.png',
          type: 'image/png',
          bytes: await sharp({ create: { width: 4, height: 4, channels: 3, background: '#f00' } })
            .png()
            .toBuffer(),
        },
      ]),
    );
    const id = created.body.id;
    const deleted = await pupil.delete<{ restoreUntil: string }>(`/api/artefacts/${id}`);
    expect(deleted.status).toBe(200);
    expect(new Date(deleted.body.restoreUntil).getTime()).toBeGreaterThan(Date.now());
    expect((await pupil.get(`/api/artefacts/${id}`)).status).toBe(404);
    expect((await pupil.post(`/api/artefacts/${id}/restore`)).status).toBe(200);
    expect((await pupil.get(`/api/artefacts/${id}`)).status).toBe(200);

    await pupil.delete(`/api/artefacts/${id}`);
    const media = await app.database.db.selectFrom('mediaItems').select('variants').where('artefactId', '=', id).executeTakeFirstOrThrow();
    const keys = Object.values(media.variants);
    // Other test files share the database and may have their own deleted rows to purge: judge by this row.
    await app.polku.maintenance.purgeDeleted();
    expect(await app.database.db.selectFrom('artefacts').select('id').where('id', '=', id).executeTakeFirst()).toBeDefined(); // still inside the undo window
    await app.database.db
      .updateTable('artefacts')
      .set({ deletedAt: new Date(Date.now() - 60_000) })
      .where('id', '=', id)
      .execute();
    expect(await app.polku.maintenance.purgeDeleted()).toBeGreaterThanOrEqual(1); // counts artefacts (this one at least), not blobs
    expect(await app.database.db.selectFrom('artefacts').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
    for (const key of keys) expect(await app.polku.blobs.head(key as string)).toBeNull();
    expect((await pupil.post(`/api/artefacts/${id}/restore`)).status).toBe(404);
  });

  it('sweeps blobs whose rows never came', async () => {
    const { Readable } = await import('node:stream');
    const key = 'media/or/ph/orphan-blob.original';
    await app.polku.blobs.putStream(key, Readable.from(Buffer.from('orpo')), { contentType: 'application/octet-stream' });
    // The store noted the key before writing it; the note is made old, as if the writer had stalled.
    const old = new Date(Date.now() - 2 * 3600_000);
    const { sql } = await import('kysely');
    await sql`update pending_blobs set created_at = ${old} where key = ${key}`.execute(app.database.db);
    expect(await app.polku.maintenance.sweepOrphans()).toBeGreaterThanOrEqual(1);
    expect(await app.polku.blobs.head(key)).toBeNull();
  });
});
