import { readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Artefact } from '../../shared/api/artefacts.ts';
import type { ShowcaseApproval } from '../../shared/api/guardian-sharing.ts';
import type { Showcase, ShowcaseList } from '../../shared/api/showcases.ts';
import { loadPortfolioDocument } from '../../server/modules/portability/export/portfolio-document.ts';
import { artefactForm } from '../helpers/artefact-upload.ts';
import { addMember, linkGuardian, makeGroup, makeProject, makeSchool, makeUser } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';

/**
 * Attack review 15: showcases in the teachers' approval queue (issue 12 §1). A pupil must not get a showcase's
 * unapproved content to their guardians: not by content that hashes like approved content, nor by naming another
 * school's project whose rule is to share directly.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
}, 60_000);
afterAll(async () => {
  await app?.close();
});

/** A pupil of school A (approval rule) who also takes part in a project of school B (shares directly), a teacher, a guardian. */
async function world() {
  const db = app.database.db;
  const [schoolA, schoolB] = [await makeSchool(db), await makeSchool(db)];
  const [groupA, groupB] = [await makeGroup(db, schoolA.id), await makeGroup(db, schoolB.id)];
  const [pupil, teacher, teacherB, guardian, admin] = await Promise.all([
    makeUser(db, { role: 'pupil', schoolId: schoolA.id }),
    makeUser(db, { role: 'teacher', schoolId: schoolA.id }),
    makeUser(db, { role: 'teacher', schoolId: schoolB.id }),
    makeUser(db, { role: 'guardian', schoolId: schoolA.id }),
    makeUser(db, { role: 'admin', schoolId: schoolA.id }),
  ]);
  await db.insertInto('schoolRoles').values({ schoolId: schoolB.id, userId: pupil.id, role: 'pupil' }).execute();
  await addMember(db, groupA.id, pupil.id, 'pupil');
  await addMember(db, groupA.id, teacher.id, 'teacher');
  await addMember(db, groupB.id, pupil.id, 'pupil');
  await linkGuardian(db, guardian.id, pupil.id);
  const projectA = await makeProject(db, { schoolId: schoolA.id, teacherIds: [teacher.id], groupIds: [groupA.id] });
  const projectB = await makeProject(db, { schoolId: schoolB.id, teacherIds: [teacherB.id], groupIds: [groupB.id] });
  const c = { pupil: await app.as(pupil.username), teacher: await app.as(teacher.username), guardian: await app.as(guardian.username) };
  const admin_ = await app.as(admin.username);
  const res = await admin_.put(`/api/schools/${schoolA.id}/guardian-sharing`, { guardianSharing: 'approval' });
  expect(res.status, res.text).toBe(200);
  return { pupil, projectA, projectB, c };
}
type World = Awaited<ReturnType<typeof world>>;

const png = () =>
  sharp({ create: { width: 8, height: 8, channels: 3, background: '#a37' } })
    .png()
    .toBuffer();

async function work(w: World, title: string, projectId: string | null): Promise<Artefact> {
  const res = await w.c.pupil.post<Artefact>(
    '/api/artefacts',
    artefactForm({ title, bodyHtml: '<p>Salainen luonnos</p>', visibility: 'private', ...(projectId ? { projectId } : {}) }, [
      { name: 'kuva.png', type: 'image/png', bytes: await png() },
    ]),
  );
  expect(res.status, res.text).toBe(201);
  return res.body;
}

async function approval(client: TestClient, id: string): Promise<ShowcaseApproval> {
  const res = await client.get<Showcase>(`/api/showcases/${id}`);
  expect(res.status, res.text).toBe(200);
  return res.body.guardianApproval!;
}
async function approve(w: World, id: string) {
  const { fingerprint } = await approval(w.c.pupil, id);
  const res = await w.c.teacher.post<ShowcaseApproval>(`/api/showcases/${id}/guardian-approval/approve`, { fingerprint });
  expect(res.status, res.text).toBe(200);
  expect(res.body.visibleToGuardians).toBe(true);
}
/** The showcase page, the pupil's list and the guardian's export answer alike. */
async function guardianSees(w: World, id: string): Promise<boolean> {
  const page = (await w.c.guardian.get(`/api/showcases/${id}`)).status === 200;
  const list = await w.c.guardian.get<ShowcaseList>(`/api/pupils/${w.pupil.id}/showcases`);
  expect(list.status, list.text).toBe(200);
  const inList = list.body.items.some((s) => s.id === id);
  const { document } = await loadPortfolioDocument(app.database.db, w.pupil.id, 'shared', 'fi');
  const exported = (document.showcases ?? []).some((s) => s.id === id);
  expect(new Set([page, inList, exported]).size, JSON.stringify({ page, inList, exported })).toBe(1);
  return page;
}

describe('attack review 15: showcase approval', () => {
  it('content that only hashes like the approved one (separators typed into a heading) is not approved content', async () => {
    const w = await world();
    const secret = await work(w, 'Ei opettajan nähty', w.projectA.id);
    const made = await w.c.pupil.post<Showcase>('/api/showcases', { title: 'Kooste' });
    expect(made.status, made.text).toBe(201);
    const id = made.body.id;
    // One text block whose heading carries the fingerprint's own separators and the fields of a work item.
    const forged = `x\u001f\u001e${secret.id}\u001f${secret.version}\u001fshown\u001f-\u001fh`;
    const text = await w.c.pupil.post<Showcase>(`/api/showcases/${id}/items`, { heading: forged });
    expect(text.status, text.text).toBe(201);
    expect((await w.c.pupil.patch(`/api/showcases/${id}`, { visibility: 'guardians' })).status).toBe(200);
    await approve(w, id);
    expect(await guardianSees(w, id)).toBe(true);

    // Split into a text block and the work the teacher never saw: new content, so it must wait again.
    const itemId = text.body.items[0]!.id;
    expect((await w.c.pupil.patch(`/api/showcases/${id}/items/${itemId}`, { heading: 'x' })).status).toBe(200);
    expect((await w.c.pupil.post(`/api/showcases/${id}/items`, { artefactId: secret.id, heading: 'h' })).status).toBe(201);
    expect(await approval(w.c.pupil, id)).toMatchObject({ state: 'pending', visibleToGuardians: false });
    expect(await guardianSees(w, id)).toBe(false);
  });

  it('naming a project of a school that shares directly does not take a showcase of approval-school work past the teachers', async () => {
    const w = await world();
    const a = await work(w, 'Vesi', w.projectA.id);
    const loose = await work(w, 'Ilma', null);
    const made = await w.c.pupil.post<Showcase>('/api/showcases', { title: 'Kooste' });
    const id = made.body.id;
    for (const art of [a, loose]) expect((await w.c.pupil.post(`/api/showcases/${id}/items`, { artefactId: art.id })).status).toBe(201);
    expect((await w.c.pupil.patch(`/api/showcases/${id}`, { visibility: 'guardians', projectId: w.projectA.id })).status).toBe(200);
    expect(await guardianSees(w, id)).toBe(false);

    // Before any approval: school B's project does not let school A's work (or work outside projects) out.
    const moved = await w.c.pupil.patch<Showcase>(`/api/showcases/${id}`, { projectId: w.projectB.id });
    expect(moved.status, moved.text).toBe(200);
    expect(await guardianSees(w, id)).toBe(false);
    expect(moved.body.guardianApproval).toMatchObject({ state: 'pending', visibleToGuardians: false });
    // It waits in the queue of the pupil's teachers in school A, who approve it there.
    await approve(w, id);
    expect(await guardianSees(w, id)).toBe(true);

    // After approval: an edit of a work hides it; moving the showcase (to B, or out of any project) does not show it.
    expect((await w.c.pupil.patch(`/api/artefacts/${a.id}`, { bodyHtml: '<p>Uusi, hyväksymätön</p>' })).status).toBe(200);
    expect(await guardianSees(w, id)).toBe(false);
    for (const projectId of [w.projectA.id, null, w.projectB.id]) {
      expect((await w.c.pupil.patch(`/api/showcases/${id}`, { projectId })).status).toBe(200);
      expect(await guardianSees(w, id), String(projectId)).toBe(false);
    }
  });

  it('a showcase of school B work only, under school B’s project, is shared directly as that school chose', async () => {
    const w = await world();
    const b = await work(w, 'Musiikki', w.projectB.id);
    const made = await w.c.pupil.post<Showcase>('/api/showcases', { title: 'Konsertti' });
    const id = made.body.id;
    expect((await w.c.pupil.post(`/api/showcases/${id}/items`, { artefactId: b.id })).status).toBe(201);
    expect((await w.c.pupil.patch(`/api/showcases/${id}`, { visibility: 'guardians', projectId: w.projectB.id })).status).toBe(200);
    expect(await guardianSees(w, id)).toBe(true);
  });

  it('migration 0046 carries a fingerprint stored in the old form over, so approved showcases stay approved', async () => {
    const w = await world();
    const a = await work(w, 'Vesi', w.projectA.id);
    const made = await w.c.pupil.post<Showcase>('/api/showcases', { title: 'Kooste' });
    const id = made.body.id;
    expect((await w.c.pupil.post(`/api/showcases/${id}/items`, { artefactId: a.id, heading: 'Otsikko' })).status).toBe(201);
    expect((await w.c.pupil.post(`/api/showcases/${id}/items`, { heading: 'Teksti', bodyHtml: '<p>Sanoja</p>' })).status).toBe(201);
    expect((await w.c.pupil.patch(`/api/showcases/${id}`, { visibility: 'guardians' })).status).toBe(200);
    await approve(w, id);
    const db = app.database.db;
    // The form migration 0043 stored (fields joined with chr(31), items with chr(30)).
    const { rows } = await sql<{ fp: string }>`select md5(s.title || chr(31) || s.intro_html || chr(30) || coalesce((
        select string_agg(concat_ws(chr(31), coalesce(i.artefact_id::text, '-'), coalesce(a.version::text, '-'),
                 case when i.artefact_id is null or (a.deleted_at is null and a.owner_id = s.owner_id) then 'shown' else 'hidden' end,
                 coalesce(i.template_slot::text, '-'), i.heading, i.body_html), chr(30) order by i.position)
        from showcase_items i left join artefacts a on a.id = i.artefact_id where i.showcase_id = s.id), '')) as fp
      from showcases s where s.id = ${id}`.execute(db);
    await sql`update guardian_shares set approved_fingerprint = ${rows[0]!.fp}, decided_fingerprint = ${rows[0]!.fp}
      where subject_type = 'showcase' and subject_id = ${id}`.execute(db);
    expect(await guardianSees(w, id)).toBe(false);
    const migration = await readFile(new URL('../../server/db/migrations/0046_showcase_fingerprint_json.sql', import.meta.url), 'utf8');
    await db.transaction().execute((trx) => sql.raw(migration).execute(trx));
    expect(await guardianSees(w, id)).toBe(true);
    expect(await approval(w.c.pupil, id)).toMatchObject({ state: 'approved', reapproval: false });
  });

  it('a work approved under school A’s rule moved into a project of school B (shares directly) waits for a teacher before guardians see the move', async () => {
    const w = await world();
    const made = await w.c.pupil.post<Artefact>(
      '/api/artefacts',
      artefactForm({ title: 'Hyväksytty', bodyHtml: '<p>Hyväksytty teksti</p>', visibility: 'guardians', projectId: w.projectA.id }, []),
    );
    expect(made.status, made.text).toBe(201);
    const id = made.body.id;
    expect((await w.c.teacher.post(`/api/artefacts/${id}/guardian-approval/approve`, { version: 1 })).status).toBe(200);
    const seen = async () => {
      const res = await w.c.guardian.get<Artefact>(`/api/artefacts/${id}`);
      expect(res.status, res.text).toBe(200);
      return { title: res.body.title, projectId: res.body.projectId };
    };
    expect(await seen()).toEqual({ title: 'Hyväksytty', projectId: w.projectA.id });
    // An edit waits under school A's rule; a move to school B's project does not let it out.
    expect((await w.c.pupil.patch(`/api/artefacts/${id}`, { title: 'Hyväksymätön' })).status).toBe(200);
    expect((await w.c.pupil.patch(`/api/artefacts/${id}`, { projectId: w.projectB.id })).status).toBe(200);
    expect(await seen()).toEqual({ title: 'Hyväksytty', projectId: w.projectA.id });
    const timeline = await w.c.guardian.get<{ items: Artefact[] }>(`/api/pupils/${w.pupil.id}/artefacts?projectId=${w.projectB.id}`);
    expect(timeline.status, timeline.text).toBe(200);
    expect(timeline.body.items.map((a) => a.id)).toEqual([]);
    const sharing = await w.c.pupil.get<{ approvalRequired: boolean; state: string | null }>(`/api/artefacts/${id}/guardian-sharing`);
    expect(sharing.body).toMatchObject({ approvalRequired: true, state: 'pending' });
    // A teacher approves the move; from then on school B's rule holds: the next edit shows at once.
    expect((await w.c.teacher.post(`/api/artefacts/${id}/guardian-approval/approve`, { version: 3 })).status).toBe(200);
    expect(await seen()).toEqual({ title: 'Hyväksymätön', projectId: w.projectB.id });
    expect((await w.c.pupil.patch(`/api/artefacts/${id}`, { title: 'Koulu B' })).status).toBe(200);
    expect(await seen()).toEqual({ title: 'Koulu B', projectId: w.projectB.id });
  });
});
