import { Readable } from 'node:stream';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ArtefactPeerFeedback, PeerFeedback, ProjectPeerWork } from '../../shared/api/peer-feedback.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/realtime.ts';
import { addMember, makeArtefact, makeProject, makeTwoSchools, makeUser } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';

// Issue 10, section 5: peer feedback in a project, shared only with the project's pupils, moderated by its teachers.
let app: TestApp;
let w: Awaited<ReturnType<typeof makeTwoSchools>>;
let project: Awaited<ReturnType<typeof makeProject>>;
const as = new Map<string, TestClient>();
const client = (name: string) => as.get(name)!;
const sockets: Array<Socket<ServerToClientEvents, ClientToServerEvents>> = [];
const stars = { star1: 'Kuvat ovat selkeitä', star2: 'Hyvä otsikko', wish: 'Kerro lisää linnuista' };

const settings = (moderation: 'shown' | 'held', enabled = true) => client('teacher').put(`/api/projects/${project.id}/peer-settings`, { enabled, moderation });
const share = (artefactId: string, shared = true, who = 'pupil') =>
  client(who).put<ArtefactPeerFeedback>(`/api/artefacts/${artefactId}/peer-sharing`, { shared });
const give = (artefactId: string, who = 'classmate') => client(who).post<PeerFeedback>(`/api/artefacts/${artefactId}/peer-feedback`, stars);
const seen = async (who: string, artefactId: string) => {
  const res = await client(who).get<ArtefactPeerFeedback>(`/api/artefacts/${artefactId}/peer-feedback`);
  return res.status === 200 ? res.body.items.map((i) => i.id) : res.status;
};
const work = (artefactId: string) => makeArtefact(app.database.db, { ownerId: w.pupil.id, projectId: project.id, title: `Lintuja ${artefactId}` });

beforeAll(async () => {
  app = await startTestApp();
  const db = app.database.db;
  w = await makeTwoSchools(db);
  project = await makeProject(db, { schoolId: w.schoolA.id, teacherIds: [w.teacher.id], groupIds: [w.group.id] });
  // A second classmate in the project, and a pupil of another group of the same school (not in the project).
  const classmate2 = await makeUser(db, { role: 'pupil', schoolId: w.schoolA.id });
  await addMember(db, w.group.id, classmate2.id, 'pupil');
  const otherPupil = await makeUser(db, { role: 'pupil', schoolId: w.schoolA.id });
  await addMember(db, w.otherGroup.id, otherPupil.id, 'pupil');
  for (const name of ['pupil', 'classmate', 'teacher', 'otherTeacher', 'guardian', 'admin', 'teacherB'] as const) as.set(name, await app.as(w[name].username));
  as.set('classmate2', await app.as(classmate2.username));
  as.set('otherPupil', await app.as(otherPupil.username));
}, 120_000);
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await app?.close();
});

describe('sharing with the project', () => {
  it('needs the project to allow peer feedback; until then nobody but the owner and teachers sees the work', async () => {
    await settings('shown', false);
    const a = await work('a');
    const res = await share(a.id);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: { message: expect.stringMatching(/not allowed/) } });
    expect((await client('classmate').get(`/api/artefacts/${a.id}/peer-work`)).status).toBe(404);
    expect((await client('pupil').get(`/api/artefacts/${a.id}/peer-work`)).status).toBe(200);
  });

  it('a classmate sees shared work only: never private work, its history, goals or teacher feedback', async () => {
    expect((await settings('shown')).status).toBe(200);
    const shared = await work('shared');
    const secret = await work('secret');
    expect((await share(shared.id)).body).toMatchObject({ allowed: true, shared: true, moderation: 'shown' });

    const list = await client('classmate').get<ProjectPeerWork>(`/api/projects/${project.id}/peer-work`);
    expect(list.status).toBe(200);
    const ids = list.body.items.map((i) => i.id);
    expect(ids).toContain(shared.id);
    expect(ids).not.toContain(secret.id);
    expect(list.body.canModerate).toBe(false);

    const peerWork = await client('classmate').get<Record<string, unknown>>(`/api/artefacts/${shared.id}/peer-work`);
    expect(peerWork.status).toBe(200);
    expect(peerWork.body).toMatchObject({ id: shared.id, title: shared.title, owner: { id: w.pupil.id } });
    // Only the work: no goals, status, visibility, versions or feedback counts in what a classmate gets.
    expect(Object.keys(peerWork.body).sort()).toEqual(['bodyHtml', 'id', 'kind', 'links', 'media', 'owner', 'projectId', 'sharedAt', 'title', 'updatedAt']);
    expect((await client('classmate').get(`/api/artefacts/${secret.id}/peer-work`)).status).toBe(404);
    expect((await client('classmate').get(`/api/artefacts/${secret.id}/peer-feedback`)).status).toBe(404);
    for (const path of [`/api/artefacts/${shared.id}`, `/api/artefacts/${shared.id}/history`, `/api/artefacts/${shared.id}/feedback`])
      expect((await client('classmate').get(path)).status, path).toBe(404);
    expect((await client('classmate').get(`/api/goals/${project.goalId}/pupils/${w.pupil.id}`)).status).toBe(404);
    // The owner cannot give themself peer feedback, nor a teacher.
    expect((await give(shared.id, 'pupil')).status).toBe(403);
    expect((await give(shared.id, 'teacher')).status).toBe(403);
  });

  it("a pupil of another group neither reads nor gives peer feedback, nor sees the project's shared work", async () => {
    const a = await work('other-group');
    await share(a.id);
    await give(a.id);
    expect((await client('otherPupil').get(`/api/projects/${project.id}/peer-work`)).status).toBe(404);
    expect((await client('otherPupil').get(`/api/artefacts/${a.id}/peer-work`)).status).toBe(404);
    expect(await seen('otherPupil', a.id)).toBe(404);
    expect((await give(a.id, 'otherPupil')).status).toBe(404);
    expect((await client('teacherB').get(`/api/artefacts/${a.id}/peer-feedback`)).status).toBe(404);
  });

  it('a file of shared work opens for a classmate while it is shared, and never for a pupil outside the project', async () => {
    const key = `media/pe/er/peer-${Date.now()}.original`;
    await app.polku.blobs.putStream(key, Readable.from(Buffer.from('png')), { contentType: 'image/png' });
    const a = await makeArtefact(app.database.db, { ownerId: w.pupil.id, projectId: project.id, mediaKey: key });
    await share(a.id);
    const peerWork = await client('classmate').get<{ media: Array<{ urls: Record<string, string> }> }>(`/api/artefacts/${a.id}/peer-work`);
    const url = peerWork.body.media[0]?.urls.original ?? '';
    expect(url).toBe(`/api/artefacts/${a.id}/peer-work/media/${a.mediaId}/original`);
    expect((await client('classmate').get(url)).status).toBe(302);
    expect((await client('otherPupil').get(url)).status).toBe(404);
    await share(a.id, false);
    expect((await client('classmate').get(url)).status).toBe(404);
  });

  it('unsharing, and stopping peer feedback in the project, end what classmates see', async () => {
    const a = await work('unshare');
    await share(a.id);
    expect((await client('classmate').get(`/api/artefacts/${a.id}/peer-work`)).status).toBe(200);
    await share(a.id, false);
    expect((await client('classmate').get(`/api/artefacts/${a.id}/peer-work`)).status).toBe(404);
    const b = await work('stop');
    await share(b.id);
    await settings('shown', false);
    expect((await client('classmate').get(`/api/artefacts/${b.id}/peer-work`)).status).toBe(404);
    await settings('shown');
    // Sharing ended with the setting: allowing it again does not bring work back without the pupil's choice.
    expect((await client('classmate').get(`/api/artefacts/${b.id}/peer-work`)).status).toBe(404);
    expect((await client('pupil').get<ArtefactPeerFeedback>(`/api/artefacts/${b.id}/peer-feedback`)).body.shared).toBe(false);
  });
});

describe('two stars and a wish', () => {
  it('refuses an empty wish with a message a person understands', async () => {
    await settings('shown');
    const a = await work('empty');
    await share(a.id);
    const res = await client('classmate').post(`/api/artefacts/${a.id}/peer-feedback`, { ...stars, wish: '  ' });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(/wish/);
  });

  it('shown at once: the owner, the teacher and classmates see it with the author; a report hides it until a teacher looks', async () => {
    await settings('shown');
    const a = await work('shown');
    await share(a.id);
    const msg = await give(a.id);
    expect(msg.status).toBe(201);
    expect(msg.body).toMatchObject({ ...stars, state: 'shown', author: { id: w.classmate.id } });
    for (const who of ['pupil', 'teacher', 'classmate', 'classmate2']) expect(await seen(who, a.id), who).toEqual([msg.body.id]);

    // Only the owner reports.
    expect((await client('classmate2').post(`/api/peer-feedback/${msg.body.id}/report`)).status).toBe(403);
    expect((await client('otherPupil').post(`/api/peer-feedback/${msg.body.id}/report`)).status).toBe(404);
    const reported = await client('pupil').post<PeerFeedback>(`/api/peer-feedback/${msg.body.id}/report`);
    expect(reported.body.state).toBe('reported');
    expect(await seen('pupil', a.id)).toEqual([]);
    expect(await seen('classmate2', a.id)).toEqual([]);
    expect(await seen('classmate', a.id)).toEqual([msg.body.id]); // the author sees it is waiting
    const queue = await client('teacher').get<{ items: Array<{ id: string; state: string }> }>(`/api/projects/${project.id}/peer-moderation`);
    expect(queue.body.items).toContainEqual(expect.objectContaining({ id: msg.body.id, state: 'reported' }));
    expect((await client('otherTeacher').get(`/api/projects/${project.id}/peer-moderation`)).status).toBe(404);
    expect((await client('classmate').post(`/api/peer-feedback/${msg.body.id}/moderation`, { action: 'approve' })).status).toBe(403);

    // The teacher restores it, then hides it; hidden stays in the database and the audit trail.
    expect((await client('teacher').post<PeerFeedback>(`/api/peer-feedback/${msg.body.id}/moderation`, { action: 'approve' })).body.state).toBe('shown');
    expect(await seen('classmate2', a.id)).toEqual([msg.body.id]);
    expect((await client('teacher').post<PeerFeedback>(`/api/peer-feedback/${msg.body.id}/moderation`, { action: 'hide' })).body.state).toBe('hidden');
    expect(await seen('pupil', a.id)).toEqual([]);
    expect(await seen('teacher', a.id)).toEqual([msg.body.id]);
    const audit = await app.database.db.selectFrom('auditEvents').select('action').where('subjectId', '=', msg.body.id).orderBy('at').execute();
    expect(audit.map((e) => e.action)).toEqual(['peer.feedback.create', 'peer.feedback.report', 'peer.feedback.approve', 'peer.feedback.hide']);
    // A hidden message is gone for the owner: reporting it again finds nothing.
    expect((await client('pupil').post(`/api/peer-feedback/${msg.body.id}/report`)).status).toBe(404);
  });

  it('held until a teacher approves: only the author and teachers see it meanwhile', async () => {
    await settings('held');
    const a = await work('held');
    await share(a.id);
    const msg = await give(a.id);
    expect(msg.body.state).toBe('held');
    expect(await seen('pupil', a.id)).toEqual([]);
    expect(await seen('classmate2', a.id)).toEqual([]);
    expect(await seen('classmate', a.id)).toEqual([msg.body.id]);
    expect(await seen('teacher', a.id)).toEqual([msg.body.id]);
    const queue = await client('teacher').get<{ items: Array<{ id: string; state: string; artefactTitle: string }> }>(
      `/api/projects/${project.id}/peer-moderation`,
    );
    expect(queue.body.items).toContainEqual(expect.objectContaining({ id: msg.body.id, state: 'held', artefactTitle: a.title }));
    await client('teacher').post(`/api/peer-feedback/${msg.body.id}/moderation`, { action: 'approve' });
    expect(await seen('pupil', a.id)).toEqual([msg.body.id]);
    expect(await seen('classmate2', a.id)).toEqual([msg.body.id]);
    // Approved twice: the second finds nothing to do.
    expect((await client('teacher').post(`/api/peer-feedback/${msg.body.id}/moderation`, { action: 'approve' })).status).toBe(409);
    await settings('shown');
  });

  it('a guardian sees no peer feedback and no classmate names, even on work shared with them', async () => {
    await settings('shown');
    const a = await makeArtefact(app.database.db, { ownerId: w.pupil.id, projectId: project.id, visibility: 'guardians' });
    await share(a.id);
    await give(a.id);
    expect((await client('guardian').get(`/api/artefacts/${a.id}`)).status).toBe(200);
    expect((await client('guardian').get(`/api/artefacts/${a.id}/peer-feedback`)).status).toBe(404);
    expect((await client('guardian').get(`/api/artefacts/${a.id}/peer-work`)).status).toBe(404);
    // The project is theirs to see through the child, but not the classmates' list.
    expect((await client('guardian').get(`/api/projects/${project.id}/peer-work`)).status).toBe(403);
    const page = await client('guardian').get(`/api/pupils/${w.pupil.id}/artefacts`);
    expect(page.text).not.toContain(w.classmate.displayName);
    expect((await client('admin').get(`/api/artefacts/${a.id}/peer-feedback`)).status).toBe(404);
  });
});

describe('live', () => {
  it('a held message reaches only its author and the teachers; once approved, the owner and classmates hear of it', async () => {
    await settings('held');
    const a = await work('live');
    await share(a.id);
    const listen = async (name: string) => {
      const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(app.url, {
        transports: ['websocket'],
        extraHeaders: { cookie: client(name).cookieHeader },
        reconnection: false,
        forceNew: true,
      });
      sockets.push(socket);
      const heard: string[] = [];
      socket.on('peerFeedback.changed', (p) => heard.push(`${p.peerFeedbackId}`));
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      return heard;
    };
    const [owner, author, other, teacher, guardian, outsider] = await Promise.all(
      ['pupil', 'classmate', 'classmate2', 'teacher', 'guardian', 'otherPupil'].map(listen),
    );
    const msg = await give(a.id);
    const wait = { timeout: 5000, interval: 20 };
    await vi.waitFor(() => expect(author).toEqual([msg.body.id]), wait);
    await vi.waitFor(() => expect(teacher).toEqual([msg.body.id]), wait);
    await client('teacher').post(`/api/peer-feedback/${msg.body.id}/moderation`, { action: 'approve' });
    await vi.waitFor(() => expect(owner).toEqual([msg.body.id]), wait);
    await vi.waitFor(() => expect(other).toEqual([msg.body.id]), wait);
    await vi.waitFor(() => expect(teacher).toHaveLength(2), wait);
    // Events reach a socket in order: the owner and classmate heard the approval only, not the held message.
    expect(guardian).toEqual([]);
    expect(outsider).toEqual([]);
    await settings('shown');
  });
});
