import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Artefact } from '../../shared/api/artefacts.ts';
import type { ApprovalQueue, ShowcaseApproval, ShowcaseApprovalQueueItem } from '../../shared/api/guardian-sharing.ts';
import type { NotificationPage } from '../../shared/api/notifications.ts';
import type { Showcase, ShowcaseList } from '../../shared/api/showcases.ts';
import { sharingDb } from '../../server/modules/guardian-sharing/guardian-sharing.sql.ts';
import { loadPortfolioDocument } from '../../server/modules/portability/export/portfolio-document.ts';
import { artefactForm } from '../helpers/artefact-upload.ts';
import { approvalWorld } from '../helpers/approval-world.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';

/**
 * Issue 12 §1 for showcases: under a school's approval rule a showcase shared with guardians waits in the teachers'
 * queue; a teacher approves its content (a fingerprint) or returns it with a note. Guardians see it only while its
 * content is what was approved: every guardian read path (the showcase, the pupil's list, its media, the export).
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
}, 60_000);
afterAll(async () => {
  await app?.close();
});

const world = (mode: 'direct' | 'approval') => approvalWorld(app, mode);
type World = Awaited<ReturnType<typeof world>>;

const png = () =>
  sharp({ create: { width: 8, height: 8, channels: 3, background: '#3a7' } })
    .png()
    .toBuffer();

/** A private work of the pupil's with an image (a showcase shows its works whatever their own sharing). */
async function work(w: World, title: string): Promise<Artefact> {
  const res = await w.c.pupil.post<Artefact>(
    '/api/artefacts',
    artefactForm({ title, bodyHtml: '<p>Havainto</p>', visibility: 'private' }, [{ name: 'kuva.png', type: 'image/png', bytes: await png() }]),
  );
  expect(res.status, res.text).toBe(201);
  return res.body;
}
/** A showcase with two works, shared with guardians. */
async function sharedShowcase(w: World) {
  const a = await work(w, 'Vesi');
  const b = await work(w, 'Ilma');
  const made = await w.c.pupil.post<Showcase>('/api/showcases', { title: 'Parhaat työni' });
  expect(made.status, made.text).toBe(201);
  for (const art of [a, b]) expect((await w.c.pupil.post(`/api/showcases/${made.body.id}/items`, { artefactId: art.id })).status).toBe(201);
  // In the group's project: its teacher is a teacher of the showcase too (a project's teachers are those of the showcases in it).
  const shared = await w.c.pupil.patch<Showcase>(`/api/showcases/${made.body.id}`, { visibility: 'guardians', projectId: w.project.id });
  expect(shared.status, shared.text).toBe(200);
  return { showcase: shared.body, a, b };
}
async function queue(client: TestClient): Promise<ShowcaseApprovalQueueItem[]> {
  const res = await client.get<ApprovalQueue>('/api/guardian-approvals');
  expect(res.status, res.text).toBe(200);
  return res.body.items.filter((i): i is ShowcaseApprovalQueueItem => i.subjectType === 'showcase');
}
async function read(client: TestClient, id: string) {
  return client.get<Showcase>(`/api/showcases/${id}`);
}
async function approvalOf(w: World, id: string): Promise<ShowcaseApproval | null> {
  const res = await read(w.c.pupil, id);
  expect(res.status, res.text).toBe(200);
  return res.body.guardianApproval;
}
async function notifications(client: TestClient) {
  const res = await client.get<NotificationPage>('/api/notifications');
  expect(res.status, res.text).toBe(200);
  return res.body.items;
}
/** Whether the guardian sees the showcase, asked on every path: the page, the pupil's list, an item's file, the export. */
async function guardianSees(w: World, id: string): Promise<boolean> {
  const page = (await read(w.c.guardian, id)).status;
  const list = await w.c.guardian.get<ShowcaseList>(`/api/pupils/${w.pupil.id}/showcases`);
  expect(list.status, list.text).toBe(200);
  const inList = list.body.items.some((s) => s.id === id);
  const owner = (await read(w.c.pupil, id)).body;
  const url = owner.items.find((i) => i.artefact)?.artefact?.media[0]?.urls.display;
  expect(url).toBeTruthy();
  const media = (await w.c.guardian.get(url!)).status;
  const { document } = await loadPortfolioDocument(app.database.db, w.pupil.id, 'shared', 'fi');
  const exported = (document.showcases ?? []).some((s) => s.title === owner.title);
  const answers = [page === 200, inList, media === 302, exported];
  // Every path answers alike; a path that disagrees is a hole.
  expect(new Set(answers).size, JSON.stringify({ page, inList, media, exported })).toBe(1);
  return answers[0]!;
}

describe('a showcase under the approval rule', () => {
  it('waits in the queue until a teacher approves its content; any change makes it wait again, unseen by guardians', async () => {
    const w = await world('approval');
    const { showcase, a } = await sharedShowcase(w);
    expect(showcase.guardianApproval).toMatchObject({ state: 'pending', visibleToGuardians: false, reapproval: false });
    expect(await guardianSees(w, showcase.id)).toBe(false);

    // In the queue of the pupil's teachers (group and project), with the content they see.
    const [entry] = await queue(w.c.teacher);
    expect(entry).toEqual({
      subjectType: 'showcase',
      showcaseId: showcase.id,
      title: 'Parhaat työni',
      owner: { id: w.pupil.id, displayName: 'Aino Oppilas' },
      fingerprint: showcase.guardianApproval!.fingerprint,
      requestedAt: expect.any(String),
      reapproval: false,
    });
    expect((await queue(w.c.projectTeacher)).map((i) => i.showcaseId)).toEqual([showcase.id]);
    for (const c of [w.c.otherTeacher, w.c.teacherB, w.c.pupil, w.c.guardian, w.c.admin]) expect(await queue(c)).toEqual([]);
    expect((await notifications(w.c.teacher)).map((n) => n.kind)).toEqual(['showcase_approval_requested']);
    expect((await notifications(w.c.projectTeacher)).map((n) => n.kind)).toEqual(['showcase_approval_requested']);

    // Only the pupil's teachers decide; the pupil, a guardian, another teacher or school cannot.
    const body = { fingerprint: entry!.fingerprint };
    expect((await w.c.pupil.post(`/api/showcases/${showcase.id}/guardian-approval/approve`, body)).status).toBe(403);
    for (const c of [w.c.guardian, w.c.otherTeacher, w.c.teacherB, w.c.admin])
      expect((await c.post(`/api/showcases/${showcase.id}/guardian-approval/approve`, body)).status).toBe(404);
    expect((await w.c.teacher.post(`/api/showcases/${showcase.id}/guardian-approval/approve`, { fingerprint: 'x' })).status).toBe(400);
    expect(await guardianSees(w, showcase.id)).toBe(false);
    expect(await notifications(w.c.guardian)).toEqual([]);

    // Approved: every guardian path shows it; the pupil hears of it; the queue is empty.
    const approved = await w.c.teacher.post<ShowcaseApproval>(`/api/showcases/${showcase.id}/guardian-approval/approve`, body);
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body).toMatchObject({ state: 'approved', visibleToGuardians: true, decidedBy: { id: w.teacher.id } });
    expect(await guardianSees(w, showcase.id)).toBe(true);
    expect(await queue(w.c.teacher)).toEqual([]);
    expect((await notifications(w.c.pupil)).map((n) => n.kind)).toContain('showcase_approved');
    // The guardian hears of it once it is theirs to see (and another family hears nothing).
    expect((await notifications(w.c.guardian)).map((n) => [n.kind, 'showcaseId' in n.data ? n.data.showcaseId : null])).toEqual([
      ['shared_showcase', showcase.id],
    ]);
    expect(await notifications(w.c.otherGuardian)).toEqual([]);
    // The guardian never sees the approval state (the pupil's and teachers' only).
    expect((await read(w.c.guardian, showcase.id)).body.guardianApproval).toBeNull();
    // Deciding again on the same content: nothing waits.
    expect((await w.c.teacher.post(`/api/showcases/${showcase.id}/guardian-approval/approve`, body)).status).toBe(409);

    // Each kind of change: the title, the order, a work inside it. Guardians lose it; it waits again.
    const changes: Array<[string, () => Promise<unknown>]> = [
      ['title', () => w.c.pupil.patch(`/api/showcases/${showcase.id}`, { title: 'Parhaat työni 2' })],
      [
        'order',
        async () => {
          const s = (await read(w.c.pupil, showcase.id)).body;
          return w.c.pupil.put(`/api/showcases/${showcase.id}/order`, { itemIds: s.items.map((i) => i.id).reverse() });
        },
      ],
      ['work', () => w.c.pupil.patch(`/api/artefacts/${a.id}`, { bodyHtml: '<p>Havainto, korjattu</p>' })],
    ];
    for (const [what, change] of changes) {
      const before = (await approvalOf(w, showcase.id))!.fingerprint;
      const res = (await change()) as { status: number; text: string };
      expect(res.status, `${what}: ${res.text}`).toBe(200);
      const now = (await approvalOf(w, showcase.id))!;
      expect(now, what).toMatchObject({ state: 'pending', visibleToGuardians: false, reapproval: true });
      expect(now.fingerprint, what).not.toBe(before);
      expect(await guardianSees(w, showcase.id), what).toBe(false);
      const waiting = await queue(w.c.teacher);
      expect(
        waiting.map((i) => [i.showcaseId, i.reapproval, i.fingerprint]),
        what,
      ).toEqual([[showcase.id, true, now.fingerprint]]);
      // A decision on the content the teacher saw before the change is refused.
      expect((await w.c.teacher.post(`/api/showcases/${showcase.id}/guardian-approval/approve`, { fingerprint: before })).status, what).toBe(409);
      const again = await w.c.projectTeacher.post(`/api/showcases/${showcase.id}/guardian-approval/approve`, { fingerprint: now.fingerprint });
      expect(again.status, again.text).toBe(200);
      expect(await guardianSees(w, showcase.id), what).toBe(true);
    }
  });

  it('a returned showcase shows the teacher’s note to the pupil and stays from guardians; un-sharing clears the approval', async () => {
    const w = await world('approval');
    const { showcase } = await sharedShowcase(w);
    const fingerprint = showcase.guardianApproval!.fingerprint;
    const note = 'Kerro vielä, miksi valitsit nämä työt.';
    const returned = await w.c.teacher.post<ShowcaseApproval>(`/api/showcases/${showcase.id}/guardian-approval/return`, { fingerprint, note });
    expect(returned.status, returned.text).toBe(200);
    expect(await approvalOf(w, showcase.id)).toMatchObject({ state: 'returned', note, visibleToGuardians: false, decidedBy: { id: w.teacher.id } });
    expect((await notifications(w.c.pupil)).find((n) => n.kind === 'showcase_returned')?.data).toMatchObject({ showcaseId: showcase.id, note });
    expect(await queue(w.c.teacher)).toEqual([]);
    expect(await guardianSees(w, showcase.id)).toBe(false);
    // A return needs a note.
    expect((await w.c.teacher.post(`/api/showcases/${showcase.id}/guardian-approval/return`, { fingerprint })).status).toBe(400);

    // The pupil writes the reason: it waits again, and is approved.
    expect((await w.c.pupil.patch(`/api/showcases/${showcase.id}`, { introHtml: '<p>Valitsin nämä, koska…</p>' })).status).toBe(200);
    const waiting = await queue(w.c.teacher);
    expect(waiting.map((i) => i.showcaseId)).toEqual([showcase.id]);
    expect((await w.c.teacher.post(`/api/showcases/${showcase.id}/guardian-approval/approve`, { fingerprint: waiting[0]!.fingerprint })).status).toBe(200);
    expect(await guardianSees(w, showcase.id)).toBe(true);

    // Un-shared: gone from guardians; shared again: it waits anew (the earlier approval does not carry over).
    expect((await w.c.pupil.patch(`/api/showcases/${showcase.id}`, { visibility: 'private' })).status).toBe(200);
    expect(await approvalOf(w, showcase.id)).toBeNull();
    expect(await queue(w.c.teacher)).toEqual([]);
    expect((await w.c.pupil.patch(`/api/showcases/${showcase.id}`, { visibility: 'guardians' })).status).toBe(200);
    expect(await approvalOf(w, showcase.id)).toMatchObject({ state: 'pending', reapproval: false, visibleToGuardians: false });
    expect(await guardianSees(w, showcase.id)).toBe(false);
    expect((await queue(w.c.teacher)).map((i) => i.showcaseId)).toEqual([showcase.id]);
    // Un-shared while waiting: out of the queue, and nothing to decide.
    expect((await w.c.pupil.patch(`/api/showcases/${showcase.id}`, { visibility: 'private' })).status).toBe(200);
    expect(await queue(w.c.teacher)).toEqual([]);
    expect((await w.c.teacher.post(`/api/showcases/${showcase.id}/guardian-approval/approve`, { fingerprint: waiting[0]!.fingerprint })).status).toBe(409);
  });

  it('shared with its project (which includes guardians): it waits too, and guardians see it only after approval', async () => {
    const w = await world('approval');
    const { showcase } = await sharedShowcase(w);
    const res = await w.c.pupil.patch<Showcase>(`/api/showcases/${showcase.id}`, { visibility: 'project', projectId: w.project.id });
    expect(res.status, res.text).toBe(200);
    expect(res.body.guardianApproval).toMatchObject({ state: 'pending' });
    expect(await guardianSees(w, showcase.id)).toBe(false);
    expect(
      (await w.c.teacher.post(`/api/showcases/${showcase.id}/guardian-approval/approve`, { fingerprint: res.body.guardianApproval!.fingerprint })).status,
    ).toBe(200);
    expect(await guardianSees(w, showcase.id)).toBe(true);
  });

  it('a deleted showcase leaves the queue and its sharing row goes with it', async () => {
    const w = await world('approval');
    const { showcase } = await sharedShowcase(w);
    expect((await queue(w.c.teacher)).map((i) => i.showcaseId)).toEqual([showcase.id]);
    expect((await w.c.pupil.delete(`/api/showcases/${showcase.id}`)).status).toBe(200);
    expect(await queue(w.c.teacher)).toEqual([]);
    const rows = await sharingDb(app.database.db).selectFrom('guardianShares').select('subjectId').where('subjectId', '=', showcase.id).execute();
    expect(rows).toEqual([]);
    // The teacher's request no longer lists (nothing to decide on).
    expect((await notifications(w.c.teacher)).map((n) => n.kind)).toEqual([]);
  });
});

describe('the school rule and showcases', () => {
  it('a direct school: guardians see a shared showcase at once, nothing waits, and there is nothing to decide', async () => {
    const w = await world('direct');
    const { showcase } = await sharedShowcase(w);
    expect(showcase.guardianApproval).toBeNull();
    expect(await guardianSees(w, showcase.id)).toBe(true);
    expect(await queue(w.c.teacher)).toEqual([]);
    expect((await notifications(w.c.teacher)).map((n) => n.kind)).toEqual([]);
    const fingerprint = '0'.repeat(32);
    expect((await w.c.teacher.post(`/api/showcases/${showcase.id}/guardian-approval/approve`, { fingerprint })).status).toBe(409);
  });

  it('turning approval on keeps what guardians see: a shared showcase counts as approved as it is; a later change waits', async () => {
    const w = await world('direct');
    const { showcase } = await sharedShowcase(w);
    expect((await w.c.admin.put(`/api/schools/${w.school.id}/guardian-sharing`, { guardianSharing: 'approval' })).status).toBe(200);
    expect(await approvalOf(w, showcase.id)).toMatchObject({ state: 'approved', visibleToGuardians: true });
    expect(await guardianSees(w, showcase.id)).toBe(true);
    expect(await queue(w.c.teacher)).toEqual([]);
    expect((await w.c.pupil.patch(`/api/showcases/${showcase.id}`, { title: 'Uusi otsikko' })).status).toBe(200);
    expect(await guardianSees(w, showcase.id)).toBe(false);
    expect((await queue(w.c.teacher)).map((i) => i.showcaseId)).toEqual([showcase.id]);
  });
});
