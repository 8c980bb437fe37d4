import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Artefact, TimelinePage } from '../../shared/api/artefacts.ts';
import type { Feedback } from '../../shared/api/feedback.ts';
import type { ApprovalQueue, ApprovalQueueItem, ArtefactSharing } from '../../shared/api/guardian-sharing.ts';
import type { NotificationPage } from '../../shared/api/notifications.ts';
import { loadPortfolioDocument } from '../../server/modules/portability/export/portfolio-document.ts';
import { artefactForm } from '../helpers/artefact-upload.ts';
import { makeSchool } from '../helpers/factories.ts';
import { liveListeners } from '../helpers/live-listener.ts';
import { approvalWorld } from '../helpers/approval-world.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';

/**
 * Issue 12 §1: teacher approval before guardians see. Every guardian read path is asked: the timeline, the
 * artefact page, the history, the thread, media URLs, realtime, notifications, goal evidence and the export.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
}, 60_000);
const { listen, closeAll } = liveListeners(() => app.url);
afterAll(async () => {
  closeAll();
  await app?.close();
});

const world = (mode: 'direct' | 'approval') => approvalWorld(app, mode);

const png = (background: string) =>
  sharp({ create: { width: 8, height: 8, channels: 3, background } })
    .png()
    .toBuffer();

async function create(client: TestClient, fields: Record<string, unknown>, image?: string): Promise<Artefact> {
  const files = image ? [{ name: 'kuva.png', type: 'image/png', bytes: await png(image) }] : [];
  const res = await client.post<Artefact>('/api/artefacts', artefactForm({ bodyHtml: '<p>Havainto</p>', ...fields }, files));
  expect(res.status, res.text).toBe(201);
  return res.body;
}
async function patch(client: TestClient, id: string, body: Record<string, unknown>): Promise<Artefact> {
  const res = await client.patch<Artefact>(`/api/artefacts/${id}`, body);
  expect(res.status, res.text).toBe(200);
  return res.body;
}
async function queue(client: TestClient, query = ''): Promise<ApprovalQueueItem[]> {
  const res = await client.get<ApprovalQueue>(`/api/guardian-approvals${query}`);
  expect(res.status, res.text).toBe(200);
  return res.body.items.filter((i): i is ApprovalQueueItem => i.subjectType === 'artefact');
}
async function kinds(client: TestClient): Promise<string[]> {
  const res = await client.get<NotificationPage>('/api/notifications');
  expect(res.status, res.text).toBe(200);
  return res.body.items.map((i) => i.kind);
}
async function timelineTitles(client: TestClient, pupilId: string): Promise<string[]> {
  const res = await client.get<TimelinePage>(`/api/pupils/${pupilId}/artefacts`);
  expect(res.status, res.text).toBe(200);
  return res.body.items.map((i) => i.title);
}
/** The first hop of a media URL: 302 to a signed URL when allowed, 404 when not. */
async function mediaStatus(client: TestClient, url: string | undefined): Promise<number> {
  return (await client.get(url ?? '/api/media/none/display')).status;
}
async function exportTitles(pupilId: string): Promise<string[]> {
  const { document } = await loadPortfolioDocument(app.database.db, pupilId, 'shared', 'fi');
  return document.artefacts.map((a) => a.title);
}

describe('the school rule', () => {
  it('is direct by default; only the school’s admins change it, and teachers of the school read it', async () => {
    const w = await world('direct');
    expect((await w.c.teacher.get(`/api/schools/${w.school.id}/guardian-sharing`)).body).toEqual({ guardianSharing: 'direct' });
    expect((await w.c.teacher.put(`/api/schools/${w.school.id}/guardian-sharing`, { guardianSharing: 'approval' })).status).toBe(403);
    expect((await w.c.admin.put(`/api/schools/${w.school.id}/guardian-sharing`, { guardianSharing: 'sometimes' })).status).toBe(400);
    const other = await world('direct');
    expect((await other.c.admin.put(`/api/schools/${w.school.id}/guardian-sharing`, { guardianSharing: 'approval' })).status).toBe(404);
    expect((await w.c.admin.put(`/api/schools/${w.school.id}/guardian-sharing`, { guardianSharing: 'approval' })).body).toEqual({
      guardianSharing: 'approval',
    });
    expect((await w.c.pupil.get(`/api/schools/${w.school.id}/guardian-sharing`)).body).toEqual({ guardianSharing: 'approval' });
  });

  it('direct: sharing shows the item to guardians at once, notifies them, and puts nothing in a queue', async () => {
    const w = await world('direct');
    const work = await create(w.c.pupil, { title: 'Suora', visibility: 'guardians' });
    expect(await timelineTitles(w.c.guardian, w.pupil.id)).toEqual(['Suora']);
    expect(await kinds(w.c.guardian)).toEqual(['shared_work']);
    expect(await queue(w.c.teacher)).toEqual([]);
    expect((await w.c.pupil.get<ArtefactSharing>(`/api/artefacts/${work.id}/guardian-sharing`)).body).toMatchObject({ approvalRequired: false, state: null });
  });

  it("turning approval on keeps what guardians already saw; the project's school decides for work in a project", async () => {
    const w = await world('direct');
    await create(w.c.pupil, { title: 'Ennen', visibility: 'guardians' });
    expect((await w.c.admin.put(`/api/schools/${w.school.id}/guardian-sharing`, { guardianSharing: 'approval' })).status).toBe(200);
    expect(await timelineTitles(w.c.guardian, w.pupil.id)).toEqual(['Ennen']);
    // Back to direct: work in the project is the project school's; a new share is seen at once.
    expect((await w.c.admin.put(`/api/schools/${w.school.id}/guardian-sharing`, { guardianSharing: 'direct' })).status).toBe(200);
    await create(w.c.pupil, { title: 'Projektissa', visibility: 'guardians', projectId: w.project.id });
    expect(await timelineTitles(w.c.guardian, w.pupil.id)).toEqual(['Projektissa', 'Ennen']);
  });

  it('work outside any project needs approval if any of the pupil’s schools asks for it', async () => {
    const w = await world('direct');
    const second = await makeSchool(app.database.db);
    await app.database.db.insertInto('schoolRoles').values({ schoolId: second.id, userId: w.pupil.id, role: 'pupil' }).execute();
    await app.database.db
      .updateTable('schools')
      .set({ guardianSharing: 'approval' } as never)
      .where('id', '=', second.id)
      .execute();
    await create(w.c.pupil, { title: 'Ei projektia', visibility: 'guardians' });
    await create(w.c.pupil, { title: 'Projektissa', visibility: 'guardians', projectId: w.project.id });
    expect(await timelineTitles(w.c.guardian, w.pupil.id)).toEqual(['Projektissa']);
    expect((await queue(w.c.teacher)).map((i) => i.title)).toEqual(['Ei projektia']);
  });
});

describe('approval', () => {
  it('a shared item waits for the teachers: guardians see it on no read path until a teacher approves', async () => {
    const w = await world('approval');
    const teacherLive = await listen(w.c.teacher);
    const guardianLive = await listen(w.c.guardian);
    const work = await create(w.c.pupil, { title: 'Vesiprojekti', visibility: 'guardians', projectId: w.project.id, goalIds: [w.project.goalId] }, '#4a8');
    const feedback = await w.c.teacher.post<Feedback>(`/api/artefacts/${work.id}/feedback`, { body: 'Hyvä!', parentId: null });
    expect(feedback.status).toBe(201);

    // The queue: the group's teacher and the project's teacher, nobody else; live.
    const waiting = await queue(w.c.teacher);
    expect(waiting).toEqual([
      {
        subjectType: 'artefact',
        artefactId: work.id,
        title: 'Vesiprojekti',
        kind: 'image',
        owner: { id: w.pupil.id, displayName: 'Aino Oppilas' },
        version: 1,
        requestedAt: expect.any(String),
        reapproval: false,
      },
    ]);
    expect((await queue(w.c.projectTeacher)).map((i) => i.artefactId)).toEqual([work.id]);
    expect((await queue(w.c.teacher, `?groupId=${w.group.id}`)).map((i) => i.artefactId)).toEqual([work.id]);
    for (const c of [w.c.otherTeacher, w.c.pupil, w.c.guardian, w.c.admin]) expect(await queue(c)).toEqual([]);
    await vi.waitFor(
      () =>
        expect(teacherLive.named('guardianApproval.changed')).toContainEqual({
          subjectType: 'artefact',
          subjectId: work.id,
          ownerId: w.pupil.id,
          state: 'pending',
        }),
      {
        timeout: 5000,
        interval: 20,
      },
    );
    expect(await kinds(w.c.teacher)).toEqual(['approval_requested']);
    expect(await kinds(w.c.projectTeacher)).toEqual(['approval_requested']);

    // Every guardian read path: nothing.
    const pending = async () => {
      expect(await timelineTitles(w.c.guardian, w.pupil.id)).toEqual([]);
      expect((await w.c.guardian.get(`/api/artefacts/${work.id}`)).status).toBe(404);
      expect((await w.c.guardian.get(`/api/artefacts/${work.id}/history`)).status).toBe(404);
      expect((await w.c.guardian.get(`/api/artefacts/${work.id}/feedback`)).status).toBe(404);
      expect(await mediaStatus(w.c.guardian, work.media[0]?.urls.display)).toBe(404);
      expect((await w.c.guardian.get<{ tags: unknown[] }>(`/api/pupils/${w.pupil.id}/tags`)).status).toBe(200);
      const goal = await w.c.guardian.get<{ evidence: Array<{ id: string }> }>(`/api/goals/${w.project.goalId}/pupils/${w.pupil.id}`);
      expect(goal.status, goal.text).toBe(200);
      expect(goal.body.evidence).toEqual([]);
      expect(await exportTitles(w.pupil.id)).toEqual([]);
      expect(await kinds(w.c.guardian)).toEqual([]);
      expect((await w.c.guardian.get(`/api/artefacts/${work.id}/guardian-sharing`)).status).toBe(404);
    };
    await pending();
    expect(guardianLive.named('artefact.updated')).toEqual([]);

    // Returned with a note: the pupil sees it, guardians still nothing.
    const returned = await w.c.teacher.post<ArtefactSharing>(`/api/artefacts/${work.id}/guardian-approval/return`, {
      version: 1,
      note: 'Lisää kuvateksti, niin näytetään kotiin.',
    });
    expect(returned.status, returned.text).toBe(200);
    const state = await w.c.pupil.get<ArtefactSharing>(`/api/artefacts/${work.id}/guardian-sharing`);
    expect(state.body).toMatchObject({
      approvalRequired: true,
      state: 'returned',
      note: 'Lisää kuvateksti, niin näytetään kotiin.',
      decidedBy: { id: w.teacher.id },
    });
    const pupilNotes = (await w.c.pupil.get<NotificationPage>('/api/notifications')).body.items;
    expect(pupilNotes.find((n) => n.kind === 'item_returned')?.data).toMatchObject({ artefactId: work.id, note: 'Lisää kuvateksti, niin näytetään kotiin.' });
    expect(await queue(w.c.teacher)).toEqual([]);
    await pending();

    // The pupil edits: it waits again. A stale decision (the version the teacher saw) is refused.
    const edited = await patch(w.c.pupil, work.id, { bodyHtml: '<p>Havainto ja kuvateksti</p>' });
    expect(edited.version).toBe(2);
    expect((await queue(w.c.teacher)).map((i) => i.version)).toEqual([2]);
    expect((await w.c.teacher.post(`/api/artefacts/${work.id}/guardian-approval/approve`, { version: 1 })).status).toBe(409);
    expect((await w.c.pupil.post(`/api/artefacts/${work.id}/guardian-approval/approve`, { version: 2 })).status).toBe(403);
    expect((await w.c.otherTeacher.post(`/api/artefacts/${work.id}/guardian-approval/approve`, { version: 2 })).status).toBe(404);
    await pending();

    // Approved: every path shows it, and the guardian hears of it live (shared_work, sent only now).
    const approved = await w.c.projectTeacher.post<ArtefactSharing>(`/api/artefacts/${work.id}/guardian-approval/approve`, { version: 2, note: 'Hieno!' });
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body).toMatchObject({ state: 'approved', approvedVersion: 2 });
    await vi.waitFor(() => expect(guardianLive.named('notification.created')).toHaveLength(1), { timeout: 5000, interval: 20 });
    expect(guardianLive.named('notification.created')[0]).toMatchObject({ kind: 'shared_work', data: { artefactId: work.id } });
    expect(await timelineTitles(w.c.guardian, w.pupil.id)).toEqual(['Vesiprojekti']);
    expect((await w.c.guardian.get(`/api/artefacts/${work.id}`)).status).toBe(200);
    expect(await mediaStatus(w.c.guardian, work.media[0]?.urls.display)).toBe(302);
    expect(
      (await w.c.guardian.get<{ evidence: Array<{ id: string }> }>(`/api/goals/${w.project.goalId}/pupils/${w.pupil.id}`)).body.evidence.map((e) => e.id),
    ).toEqual([work.id]);
    expect(await exportTitles(w.pupil.id)).toEqual(['Vesiprojekti']);
    expect(await kinds(w.c.guardian)).toEqual(['shared_work']);
    expect((await w.c.pupil.get<NotificationPage>('/api/notifications')).body.items.find((n) => n.kind === 'item_approved')?.data).toMatchObject({
      note: 'Hieno!',
      teacherName: expect.any(String),
    });
    // History: only the approved version; the thread: nothing from before it was approved.
    const history = await w.c.guardian.get<{ versions: Array<{ version: number }> }>(`/api/artefacts/${work.id}/history`);
    expect(history.body.versions.map((v) => v.version)).toEqual([2]);
    expect((await w.c.guardian.get<{ items: Feedback[] }>(`/api/artefacts/${work.id}/feedback`)).body.items).toEqual([]);
    expect(await queue(w.c.teacher)).toEqual([]);
  });

  it('editing an approved item means re-approval: guardians keep the approved version, its files, until a teacher approves the new one', async () => {
    const w = await world('approval');
    const work = await create(w.c.pupil, { title: 'Ensimmäinen', visibility: 'guardians' }, '#123');
    await w.c.teacher.post(`/api/artefacts/${work.id}/guardian-approval/approve`, { version: 1 });
    const guardianLive = await listen(w.c.guardian);

    const added = await w.c.pupil.post<Artefact>(
      `/api/artefacts/${work.id}/media`,
      artefactForm({ title: 'Toinen', removeMediaIds: [work.media[0]?.id] }, [{ name: 'uusi.png', type: 'image/png', bytes: await png('#f80') }]),
    );
    expect(added.status, added.text).toBe(200);
    const newMedia = added.body.media[0];
    expect(added.body.media).toHaveLength(1);

    const [item] = await queue(w.c.teacher);
    expect(item).toMatchObject({ artefactId: work.id, version: 2, reapproval: true, title: 'Toinen' });
    // The guardian: the approved version everywhere, with its (now removed) file and not the new one; no live edit.
    expect(await timelineTitles(w.c.guardian, w.pupil.id)).toEqual(['Ensimmäinen']);
    const page = await w.c.guardian.get<Artefact>(`/api/artefacts/${work.id}`);
    expect(page.body).toMatchObject({ title: 'Ensimmäinen', version: 1 });
    expect(page.body.media.map((m) => m.id)).toEqual([work.media[0]?.id]);
    expect(await mediaStatus(w.c.guardian, work.media[0]?.urls.display)).toBe(302);
    expect(await mediaStatus(w.c.guardian, newMedia?.urls.display)).toBe(404);
    expect(await exportTitles(w.pupil.id)).toEqual(['Ensimmäinen']);
    expect(JSON.stringify(guardianLive.named('artefact.updated'))).not.toContain('Toinen');

    await w.c.teacher.post(`/api/artefacts/${work.id}/guardian-approval/approve`, { version: 2 });
    expect(await timelineTitles(w.c.guardian, w.pupil.id)).toEqual(['Toinen']);
    expect(await mediaStatus(w.c.guardian, newMedia?.urls.display)).toBe(302);
    // The removed file was on an approved version only; without the history shared it is gone.
    expect(await mediaStatus(w.c.guardian, work.media[0]?.urls.display)).toBe(404);
    const history = await w.c.guardian.get<{ versions: Array<{ version: number }> }>(`/api/artefacts/${work.id}/history`);
    expect(history.body.versions.map((v) => v.version)).toEqual([2, 1]);
    await vi.waitFor(() => expect(JSON.stringify(guardianLive.named('artefact.updated'))).toContain('Toinen'), { timeout: 5000, interval: 20 });
    // One shared_work, from the first approval: a re-approved edit is the same item.
    expect(await kinds(w.c.guardian)).toEqual(['shared_work']);
  });

  it('un-sharing takes the item from guardians at once and out of the queue', async () => {
    const w = await world('approval');
    const work = await create(w.c.pupil, { title: 'Jaettu', visibility: 'guardians' }, '#0a0');
    await w.c.teacher.post(`/api/artefacts/${work.id}/guardian-approval/approve`, { version: 1 });
    const guardianLive = await listen(w.c.guardian);
    await patch(w.c.pupil, work.id, { visibility: 'private' });
    await vi.waitFor(() => expect(guardianLive.named('artefact.access_lost')).toEqual([{ artefactId: work.id, ownerId: w.pupil.id }]), {
      timeout: 5000,
      interval: 20,
    });
    expect(await timelineTitles(w.c.guardian, w.pupil.id)).toEqual([]);
    expect((await w.c.guardian.get(`/api/artefacts/${work.id}`)).status).toBe(404);
    expect(await mediaStatus(w.c.guardian, work.media[0]?.urls.display)).toBe(404);
    expect(await kinds(w.c.guardian)).toEqual([]);

    // Shared again: it waits for approval again (the earlier approval was of the earlier sharing).
    await patch(w.c.pupil, work.id, { visibility: 'guardians' });
    expect(await timelineTitles(w.c.guardian, w.pupil.id)).toEqual([]);
    expect((await queue(w.c.teacher)).map((i) => i.artefactId)).toEqual([work.id]);
    // Un-shared while waiting: out of the queue, and a decision on it is refused.
    await patch(w.c.pupil, work.id, { visibility: 'private' });
    expect(await queue(w.c.teacher)).toEqual([]);
    expect((await w.c.teacher.post(`/api/artefacts/${work.id}/guardian-approval/approve`, { version: 1 })).status).toBe(409);
  });
});

describe('history before sharing', () => {
  it('guardians see earlier versions and earlier feedback only when the pupil shares the history too', async () => {
    const w = await world('direct');
    const work = await create(w.c.pupil, { title: 'Luonnos' });
    await patch(w.c.pupil, work.id, { title: 'Parempi' });
    const early = await w.c.teacher.post<Feedback>(`/api/artefacts/${work.id}/feedback`, { body: 'Aikainen palaute', parentId: null });
    expect(early.status).toBe(201);
    // The thread's clock: shared a moment after the feedback was written.
    await new Promise((r) => setTimeout(r, 20));
    await patch(w.c.pupil, work.id, { visibility: 'guardians' });
    await w.c.teacher.post(`/api/artefacts/${work.id}/feedback`, { body: 'Myöhempi palaute', parentId: null });

    const versions = async () =>
      (await w.c.guardian.get<{ versions: Array<{ version: number }> }>(`/api/artefacts/${work.id}/history`)).body.versions.map((v) => v.version);
    const thread = async () => (await w.c.guardian.get<{ items: Feedback[] }>(`/api/artefacts/${work.id}/feedback`)).body.items.map((f) => f.body);
    expect(await versions()).toEqual([2]);
    expect(await thread()).toEqual(['Myöhempi palaute']);
    expect((await w.c.pupil.get<ArtefactSharing>(`/api/artefacts/${work.id}/guardian-sharing`)).body.shareHistory).toBe(false);

    // Only the pupil chooses.
    expect((await w.c.teacher.put(`/api/artefacts/${work.id}/guardian-sharing`, { shareHistory: true })).status).toBe(403);
    expect((await w.c.guardian.put(`/api/artefacts/${work.id}/guardian-sharing`, { shareHistory: true })).status).toBe(403);
    const on = await w.c.pupil.put<ArtefactSharing>(`/api/artefacts/${work.id}/guardian-sharing`, { shareHistory: true });
    expect(on.status, on.text).toBe(200);
    expect(on.body.shareHistory).toBe(true);
    expect(await versions()).toEqual([2, 1]);
    expect(await thread()).toEqual(['Aikainen palaute', 'Myöhempi palaute']);
    const document = (await loadPortfolioDocument(app.database.db, w.pupil.id, 'shared', 'fi')).document;
    expect(document.artefacts[0]?.versions.map((v) => v.version)).toEqual([1, 2]);

    await w.c.pupil.put(`/api/artefacts/${work.id}/guardian-sharing`, { shareHistory: false });
    expect(await thread()).toEqual(['Myöhempi palaute']);
  });
});
