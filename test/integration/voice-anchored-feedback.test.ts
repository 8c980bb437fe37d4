import { readdir } from 'node:fs/promises';
import sharp from 'sharp';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Artefact } from '../../shared/api/artefacts.ts';
import type { Feedback } from '../../shared/api/feedback.ts';
import type { GoalAssessment } from '../../shared/api/goal-assessments.ts';
import { artefactForm, wavTone } from '../helpers/artefact-upload.ts';
import { makeProject, makeTwoSchools } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';

// Issue 10 §2–3: voice feedback, anchored feedback and spoken reflections, with the policy on their recordings.
let app: TestApp;
let w: Awaited<ReturnType<typeof makeTwoSchools>>;
let project: Awaited<ReturnType<typeof makeProject>>;
let pupil: TestClient;
let classmate: TestClient;
let teacher: TestClient;
let guardian: TestClient;
let stranger: TestClient;
let picture: Artefact;
let otherPicture: Artefact;
let recording: Artefact;
const sockets: Socket[] = [];

const png = (colour: string) =>
  sharp({ create: { width: 40, height: 30, channels: 3, background: colour } })
    .png()
    .toBuffer();

function voiceForm(
  fields: Record<string, unknown>,
  file: { name: string; type: string; bytes: Buffer } | null = { name: 'puhe.wav', type: 'audio/wav', bytes: wavTone(1) },
) {
  const data = new FormData();
  data.append('data', JSON.stringify(fields));
  if (file) data.append('audio', new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
  return data;
}

async function upload(title: string, file: { name: string; type: string; bytes: Buffer }): Promise<Artefact> {
  const res = await pupil.post<Artefact>('/api/artefacts', artefactForm({ title, projectId: project.id }, [file]));
  expect(res.status).toBe(201);
  return res.body;
}

/** Files in this app's own media folder: a refused recording must leave none behind. */
async function storedFiles(): Promise<number> {
  if (app.config.storage.kind !== 'local') throw new Error('these tests use the local store');
  const entries = await readdir(app.config.storage.dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).length;
}

/** Follows the policy route's redirect and returns the recording's bytes (or the first answer's status when refused). */
async function fetchVoice(client: TestClient, path: string): Promise<{ status: number; bytes?: Buffer }> {
  const res = await client.get(path);
  if (res.status !== 302) return { status: res.status };
  const location = res.headers.get('location') ?? '';
  const blob = await fetch(new URL(location, app.url));
  return { status: blob.status, bytes: Buffer.from(await blob.arrayBuffer()) };
}

beforeAll(async () => {
  app = await startTestApp();
  w = await makeTwoSchools(app.database.db);
  project = await makeProject(app.database.db, { schoolId: w.schoolA.id, groupIds: [w.group.id] });
  [pupil, classmate, teacher, guardian, stranger] = await Promise.all([
    app.as(w.pupil.username),
    app.as(w.classmate.username),
    app.as(w.teacher.username),
    app.as(w.guardian.username),
    app.as(w.teacherB.username),
  ]);
  picture = await upload('Lehti', { name: 'lehti.png', type: 'image/png', bytes: await png('#ff0000') });
  otherPicture = await upload('Toinen', { name: 'toinen.png', type: 'image/png', bytes: await png('#00ff00') });
  recording = await upload('Laulu', { name: 'laulu.wav', type: 'audio/wav', bytes: wavTone(3) });
}, 120_000);
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await app?.close();
});

function listen(client: TestClient) {
  const socket = io(app.url, { transports: ['websocket'], extraHeaders: { cookie: client.cookieHeader }, reconnection: false, forceNew: true });
  sockets.push(socket);
  const events: Array<[string, unknown]> = [];
  socket.onAny((event: string, payload: unknown) => events.push([event, payload]));
  return { events, ready: new Promise<void>((resolve) => socket.once('connect', () => resolve())) };
}

describe('voice feedback', () => {
  it('a teacher records a message without text: stored cleaned, live to the pupil, heard by whoever reads the thread', async () => {
    const live = listen(pupil);
    await live.ready;
    const res = await teacher.post<Feedback>(`/api/artefacts/${picture.id}/feedback/voice`, voiceForm({ body: '', revise: true }));
    expect(res.status).toBe(201);
    expect(res.body.body).toBe('');
    expect(res.body.revise).toBe(true);
    expect(res.body.voice?.mime).toMatch(/^audio\//);
    expect(res.body.voice?.durationMs).toBeGreaterThan(500);
    expect(res.body.voice?.url).toBe(`/api/artefacts/${picture.id}/feedback/${res.body.id}/voice`);
    await vi.waitFor(() =>
      expect(live.events.some(([e, p]) => e === 'feedback.created' && (p as { feedback: Feedback }).feedback.id === res.body.id)).toBe(true),
    );
    const event = live.events.find(([e]) => e === 'feedback.created')?.[1] as { feedback: Feedback };
    expect(event.feedback.voice?.url).toBe(res.body.voice?.url);

    const url = res.body.voice?.url ?? '';
    for (const reader of [pupil, teacher]) {
      const heard = await fetchVoice(reader, url);
      expect(heard.status).toBe(200);
      expect(heard.bytes?.subarray(0, 4).toString('latin1')).toBe('RIFF');
    }
    // Who may not read the thread may not hear it: the guardian (not shared), a classmate, a teacher of another school.
    for (const outsider of [guardian, classmate, stranger]) expect((await fetchVoice(outsider, url)).status).toBe(404);
    // Once shared, the guardian reads the thread and hears the message.
    expect((await pupil.patch(`/api/artefacts/${picture.id}`, { visibility: 'guardians' })).status).toBe(200);
    // Issue 12 §1: a message from before sharing only with the history shared too.
    expect((await fetchVoice(guardian, url)).status).toBe(404);
    expect((await pupil.put(`/api/artefacts/${picture.id}/guardian-sharing`, { shareHistory: true })).status).toBe(200);
    expect((await fetchVoice(guardian, url)).status).toBe(200);
    // A guardian's signed URL is checked again when used: unsharing closes it.
    const signed = (await guardian.get(url)).headers.get('location') ?? '';
    expect((await pupil.patch(`/api/artefacts/${picture.id}`, { visibility: 'private' })).status).toBe(200);
    expect((await fetch(new URL(signed, app.url))).status).toBe(404);
    // The thread shows it to the pupil.
    const thread = await pupil.get<{ items: Feedback[] }>(`/api/artefacts/${picture.id}/feedback`);
    expect(thread.body.items.find((f) => f.id === res.body.id)?.voice?.url).toBe(url);
  });

  it('the pupil replies by voice with text too', async () => {
    const first = await teacher.post<Feedback>(`/api/artefacts/${picture.id}/feedback`, { body: 'Kerro lisää.' });
    const reply = await pupil.post<Feedback>(`/api/artefacts/${picture.id}/feedback/voice`, voiceForm({ body: 'Kuuntele tämä', parentId: first.body.id }));
    expect(reply.status).toBe(201);
    expect(reply.body.parentId).toBe(first.body.id);
    expect(reply.body.author?.id).toBe(w.pupil.id);
  });

  it('refuses what is not a voice message, writing nothing and keeping no blob', async () => {
    const before = (await pupil.get<{ items: Feedback[] }>(`/api/artefacts/${picture.id}/feedback`)).body.items.length;
    const files = await storedFiles();
    // A picture is not a recording.
    const image = await teacher.post(
      `/api/artefacts/${picture.id}/feedback/voice`,
      voiceForm({}, { name: 'kuva.png', type: 'image/png', bytes: await png('#000') }),
    );
    expect(image.status).toBe(415);
    // No recording at all.
    expect((await teacher.post(`/api/artefacts/${picture.id}/feedback/voice`, voiceForm({ body: 'x' }, null))).status).toBe(400);
    // Bad fields are refused before the recording is processed.
    expect((await teacher.post(`/api/artefacts/${picture.id}/feedback/voice`, voiceForm({ body: 'x', extra: 1 }))).status).toBe(400);
    expect(
      (await teacher.post(`/api/artefacts/${picture.id}/feedback/voice`, voiceForm({ anchor: { kind: 'moment', mediaId: picture.id, start: 0 } }))).status,
    ).toBe(400);
    // A pupil marks nothing (feedback.mark): 403 before any of it is stored.
    expect((await pupil.post(`/api/artefacts/${picture.id}/feedback/voice`, voiceForm({ revise: true }))).status).toBe(403);
    // Without a recording the text may not be empty.
    expect((await teacher.post(`/api/artefacts/${picture.id}/feedback`, { body: '' })).status).toBe(400);
    expect((await pupil.get<{ items: Feedback[] }>(`/api/artefacts/${picture.id}/feedback`)).body.items.length).toBe(before);
    expect(await storedFiles()).toBe(files);
  });

  it('checks who is sending before reading the body', async () => {
    for (const outsider of [guardian, classmate, stranger]) {
      const res = await outsider.post(`/api/artefacts/${picture.id}/feedback/voice`, voiceForm({}));
      expect(res.status).toBe(404);
      expect(res.headers.get('connection')).toBe('close');
    }
  });

  it('deleting a voice message leaves its recording to the sweeper (noted in pending_blobs) and closes its route', async () => {
    const res = await teacher.post<Feedback>(`/api/artefacts/${picture.id}/feedback/voice`, voiceForm({}));
    const row = await app.database.db.selectFrom('feedback').select('voice').where('id', '=', res.body.id).executeTakeFirstOrThrow();
    const key = row.voice?.variants.original ?? '';
    expect(key).not.toBe('');
    expect(await app.database.db.selectFrom('pendingBlobs').select('key').where('key', '=', key).executeTakeFirst()).toBeUndefined();
    expect((await teacher.delete(`/api/artefacts/${picture.id}/feedback/${res.body.id}`)).status).toBe(200);
    expect(await app.database.db.selectFrom('pendingBlobs').select('key').where('key', '=', key).executeTakeFirst()).toEqual({ key });
    expect((await teacher.get(res.body.voice?.url ?? '')).status).toBe(404);
  });
});

describe('anchored feedback', () => {
  it('marks a region of an image and a moment of a recording', async () => {
    const [image] = picture.media;
    const region = { kind: 'region', mediaId: image?.id, x: 0.1, y: 0.2, w: 0.5, h: 0.4 };
    const res = await teacher.post<Feedback>(`/api/artefacts/${picture.id}/feedback`, { body: 'Tämä kohta', anchor: region });
    expect(res.status).toBe(201);
    expect(res.body.anchor).toEqual(region);
    const [sound] = recording.media;
    const moment = await teacher.post<Feedback>(`/api/artefacts/${recording.id}/feedback`, {
      body: 'Kuuntele',
      anchor: { kind: 'moment', mediaId: sound?.id, start: 1.5 },
    });
    expect(moment.status).toBe(201);
    expect(moment.body.anchor).toEqual({ kind: 'moment', mediaId: sound?.id, start: 1.5, end: null });
    // A voice message may be anchored too, and the thread keeps the anchor.
    const voice = await teacher.post<Feedback>(
      `/api/artefacts/${recording.id}/feedback/voice`,
      voiceForm({ anchor: { kind: 'moment', mediaId: sound?.id, start: 0.5, end: 2 } }),
    );
    expect(voice.status).toBe(201);
    const thread = await pupil.get<{ items: Feedback[] }>(`/api/artefacts/${recording.id}/feedback`);
    expect(thread.body.items.find((f) => f.id === voice.body.id)?.anchor).toEqual({ kind: 'moment', mediaId: sound?.id, start: 0.5, end: 2 });
  });

  it('refuses anchors on media of another artefact, of the wrong kind, or outside the media', async () => {
    const [image] = picture.media;
    const [other] = otherPicture.media;
    const [sound] = recording.media;
    const refused = async (artefactId: string, anchor: unknown) => (await teacher.post(`/api/artefacts/${artefactId}/feedback`, { body: 'x', anchor })).status;
    expect(await refused(picture.id, { kind: 'region', mediaId: other?.id, x: 0, y: 0, w: 1, h: 1 })).toBe(400);
    expect(await refused(picture.id, { kind: 'moment', mediaId: image?.id, start: 0 })).toBe(400);
    expect(await refused(recording.id, { kind: 'region', mediaId: sound?.id, x: 0, y: 0, w: 1, h: 1 })).toBe(400);
    expect(await refused(recording.id, { kind: 'moment', mediaId: sound?.id, start: 60 })).toBe(400);
    expect(await refused(recording.id, { kind: 'moment', mediaId: sound?.id, start: 2, end: 1 })).toBe(400);
    expect(await refused(picture.id, { kind: 'region', mediaId: image?.id, x: 0.8, y: 0, w: 0.5, h: 1 })).toBe(400);
    expect(await refused(picture.id, { kind: 'region', mediaId: image?.id, x: 0, y: 0, w: 0, h: 1 })).toBe(400);
    expect(await refused(picture.id, { kind: 'point', mediaId: image?.id })).toBe(400);
  });
});

describe('spoken reflections on a self-assessment', () => {
  it('are heard wherever the assessment is seen: guardians only once the pupil shares it', async () => {
    const res = await pupil.post<GoalAssessment>(
      `/api/goals/${project.goalId}/pupils/${w.pupil.id}/assessments/voice`,
      voiceForm({ level: 1, reflection: 'Opin paljon' }),
    );
    expect(res.status).toBe(201);
    expect(res.body.kind).toBe('self');
    expect(res.body.voice?.url).toBe(`/api/goal-assessments/${res.body.id}/voice`);
    const url = res.body.voice?.url ?? '';
    for (const reader of [pupil, teacher]) expect((await fetchVoice(reader, url)).status).toBe(200);
    for (const outsider of [guardian, classmate, stranger]) expect((await fetchVoice(outsider, url)).status).toBe(404);
    expect((await pupil.patch(`/api/goal-assessments/${res.body.id}/sharing`, { sharedWithGuardians: true })).status).toBe(200);
    expect((await fetchVoice(guardian, url)).status).toBe(200);
    const page = await guardian.get<{ assessments: GoalAssessment[] }>(`/api/goals/${project.goalId}/pupils/${w.pupil.id}`);
    expect(page.body.assessments.find((a) => a.id === res.body.id)?.voice?.url).toBe(url);
    const signed = (await guardian.get(url)).headers.get('location') ?? '';
    expect((await pupil.patch(`/api/goal-assessments/${res.body.id}/sharing`, { sharedWithGuardians: false })).status).toBe(200);
    expect((await fetch(new URL(signed, app.url))).status).toBe(404);
  });

  it('only who may assess may upload, checked before the body; a bad level stores nothing', async () => {
    for (const outsider of [guardian, stranger, classmate]) {
      const res = await outsider.post(`/api/goals/${project.goalId}/pupils/${w.pupil.id}/assessments/voice`, voiceForm({ level: 0 }));
      expect([403, 404]).toContain(res.status);
      expect(res.headers.get('connection')).toBe('close');
    }
    const files = await storedFiles();
    expect((await pupil.post(`/api/goals/${project.goalId}/pupils/${w.pupil.id}/assessments/voice`, voiceForm({ level: 99 }))).status).toBe(400);
    // A picture as a reflection: processed, refused, and deleted again.
    const image = await pupil.post(
      `/api/goals/${project.goalId}/pupils/${w.pupil.id}/assessments/voice`,
      voiceForm({ level: 0 }, { name: 'kuva.png', type: 'image/png', bytes: await png('#123456') }),
    );
    expect(image.status).toBe(415);
    expect(await storedFiles()).toBe(files);
  });
});
