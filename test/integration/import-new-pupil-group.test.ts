import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimelinePage } from '../../shared/api/artefacts.ts';
import type { ImportJob } from '../../shared/api/portability.ts';
import type { Project } from '../../shared/api/projects.ts';
import { applyImport, ImportRejected } from '../../server/modules/portability/import/import-archive.ts';
import type { ImportPlan } from '../../server/modules/portability/import/import-plan.ts';
import { MediaFiles } from '../../server/modules/portability/import/import-media.ts';
import { writePlan } from '../../server/modules/portability/import/import-writer.ts';
import { localHarness, type ImportHarness } from '../fixtures/hostile/import-harness.ts';
import { tinyLeap2a } from '../fixtures/tiny-leap2a.ts';
import { makeGroup, makeTwoSchools } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';

// Issue 9, item 11: an admin importing into a new pupil account places the pupil into a group of
// the same school in the same step, so that the group's teacher sees the imported work at once.

function uploadForm(content: string, name: string, target: unknown): FormData {
  const form = new FormData();
  form.append('data', JSON.stringify({ target }));
  form.append('file', new Blob([content]), name);
  return form;
}

async function settled(client: TestClient, id: string): Promise<ImportJob> {
  for (;;) {
    const res = await client.get<ImportJob>(`/api/imports/${id}`);
    if (res.status !== 200) throw new Error(`${res.status} ${res.text}`);
    if (res.body.status === 'done' || res.body.status === 'failed') return res.body;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('importing into a new pupil account with a group (issue 9, item 11)', () => {
  let app: TestApp;
  let w: Awaited<ReturnType<typeof makeTwoSchools>>;
  let admin: TestClient;

  beforeAll(async () => {
    app = await startTestApp();
    w = await makeTwoSchools(app.database.db);
    admin = await app.as(w.admin.username);
  });
  afterAll(async () => {
    await app?.close();
  });

  /** What a refused import must not have written: jobs of the admin, accounts by that name. */
  async function accountsAndJobs(username: string) {
    const db = app.database.db;
    const [jobs, users] = await Promise.all([
      db.selectFrom('portabilityJobs').select('id').where('requestedBy', '=', w.admin.id).execute(),
      db.selectFrom('users').select('id').where('username', 'like', `${username}%`).execute(),
    ]);
    return { jobs: jobs.length, users: users.length };
  }

  it('the group’s teacher sees the imported work and the journal; a teacher of another group does not', async () => {
    const username = `tuotu.${randomUUID().slice(0, 6)}`;
    const target = { kind: 'new', schoolId: w.schoolA.id, username, groupId: w.group.id };
    const uploaded = await admin.request<ImportJob>('POST', '/api/imports', uploadForm(tinyLeap2a({ suffix: 'group' }), 'mahara.xml', target));
    expect(uploaded.status, uploaded.text).toBe(201);
    expect(uploaded.body.target).toEqual(target);
    expect((await admin.post(`/api/imports/${uploaded.body.id}/apply`, {})).status).toBe(202);
    const done = await settled(admin, uploaded.body.id);
    expect(done.status).toBe('done');
    const pupilId = done.pupil?.id ?? '';

    const membership = await app.database.db.selectFrom('memberships').select(['groupId', 'role']).where('userId', '=', pupilId).execute();
    expect(membership).toEqual([{ groupId: w.group.id, role: 'pupil' }]);

    const teacher = await app.as(w.teacher.username);
    const page = await teacher.get<TimelinePage>(`/api/pupils/${pupilId}/artefacts`);
    expect(page.status).toBe(200);
    expect(page.body.items.map((a) => a.title)).toContain('Kevään lintuhavainnot group');
    const projectId = page.body.items.find((a) => a.projectId)?.projectId ?? '';
    expect((await teacher.get<Project>(`/api/projects/${projectId}`)).status).toBe(200);

    const other = await app.as(w.otherTeacher.username);
    expect((await other.get(`/api/pupils/${pupilId}/artefacts`)).status).toBe(404);
    expect((await other.get(`/api/projects/${projectId}`)).status).toBe(404);
  });

  it('a group of another school, or no group at all, is refused with 400 before the file is kept; nothing is written', async () => {
    const username = `kielletty.${randomUUID().slice(0, 6)}`;
    const groupB = await makeGroup(app.database.db, w.schoolB.id);
    const before = await accountsAndJobs(username);
    for (const groupId of [groupB.id, randomUUID()]) {
      const res = await admin.request<{ error: { code: string; message: string; details: Array<{ path: string }> } }>(
        'POST',
        '/api/imports',
        uploadForm(tinyLeap2a({ suffix: 'refused' }), 'mahara.xml', { kind: 'new', schoolId: w.schoolA.id, username, groupId }),
      );
      expect(res.status, res.text).toBe(400);
      expect(res.body.error.message).toMatch(/not a group of the school/);
      expect(res.body.error.details.map((d) => d.path)).toEqual(['body.data.target.groupId']);
    }
    // An admin of school B, importing into school A with school B's group: not theirs to import into at all.
    const adminB = await app.as(w.adminB.username);
    const res = await adminB.request('POST', '/api/imports', uploadForm(tinyLeap2a(), 'x.xml', { kind: 'new', schoolId: w.schoolA.id, groupId: groupB.id }));
    expect(res.status).toBe(404);
    expect(await accountsAndJobs(username)).toEqual(before);
  });

  it('without the service (the CLI), a group of another school is refused before anything is read, and again by the writer in its transaction', async () => {
    const h: ImportHarness = await localHarness();
    const dir = await mkdtemp(path.join(tmpdir(), 'polku-group-'));
    try {
      const file = path.join(dir, 'leap2a.xml');
      await writeFile(file, tinyLeap2a({ suffix: 'cli' }));
      const username = `cli.${randomUUID().slice(0, 6)}`;
      const groupB = await makeGroup(app.database.db, w.schoolB.id);
      const attempt = applyImport({
        db: app.database.db,
        blobs: h.blobs,
        filePath: file,
        target: { kind: 'new', schoolId: w.schoolA.id, username, groupId: groupB.id },
        actorId: null,
        media: h.media,
      });
      await expect(attempt).rejects.toBeInstanceOf(ImportRejected);
      await expect(attempt).rejects.toMatchObject({ code: 'target-invalid', params: { context: 'group' } });

      // The writer on its own (a group moved to another school between the check and the write).
      const files = await MediaFiles.create(null, dir, false);
      const plan: ImportPlan = {
        format: 'leap2a',
        sourceVersion: '2010-07',
        pupilName: 'Liisa',
        items: [],
        pupil: { id: null, username: null, displayName: 'Liisa', locale: null },
        projects: [],
        artefacts: [],
      };
      const written = writePlan({
        deps: { db: app.database.db, blobs: h.blobs, media: h.media },
        plan,
        files,
        target: { kind: 'new', schoolId: w.schoolA.id, username, displayName: 'Liisa', groupId: groupB.id },
        actorId: null,
      });
      await expect(written).rejects.toMatchObject({ code: 'target-invalid', params: { context: 'group' } });
      await files.close();

      expect(await accountsAndJobs(username)).toMatchObject({ users: 0 });
      expect(await app.database.db.selectFrom('memberships').select('userId').where('groupId', '=', groupB.id).execute()).toEqual([]);
      expect(await h.blobKeys()).toEqual([]);
    } finally {
      await h.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
