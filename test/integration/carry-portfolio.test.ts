import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Artefact } from '../../shared/api/artefacts.ts';
import type { Feedback } from '../../shared/api/feedback.ts';
import type { GoalAssessment, GoalPage } from '../../shared/api/goal-assessments.ts';
import { hashPassword } from '../../server/auth/password.ts';
import { ARCHIVE_PATHS, PORTFOLIO_FORMAT_VERSION, VOLATILE_FIELDS, type PersonRef, type PortfolioDocument } from '../../shared/portability/portfolio-format.ts';
import type { ExportScope } from '../../shared/api/portability.ts';
import type { Db } from '../../server/db/database.ts';
import type { BlobStore } from '../../server/storage/blob-store.ts';
import { writeExportArchive } from '../../server/modules/portability/export/export-archive.ts';
import { applyImport } from '../../server/modules/portability/import/import-archive.ts';
import { localHarness } from '../fixtures/hostile/import-harness.ts';
import { buildZip } from '../fixtures/hostile/make-hostile.ts';
import { makeSchool, makeTwoSchools } from '../helpers/factories.ts';
import { artefactForm as form } from '../helpers/artefact-upload.ts';
import { freshDatabase } from '../helpers/fresh-database.ts';
import { postSampleProject } from '../helpers/sample-project.ts';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../helpers/test-app.ts';
import { readZipMap } from '../helpers/zip.ts';
import { maharaImport } from '../helpers/mahara-leap-rules.ts';

// Issue 10 §8: scales, success criteria, goal assessments, feedback marks, answered-in links and
// artefact events travel in portfolio.json, come back through the one import path, and survive a round trip.

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function documentOf(entries: Map<string, Buffer>): PortfolioDocument {
  return JSON.parse(entries.get(ARCHIVE_PATHS.document)?.toString('utf8') ?? 'null') as PortfolioDocument;
}

function withoutVolatile(doc: PortfolioDocument): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
  for (const pointer of VOLATILE_FIELDS) {
    const parts = pointer.split('/').slice(1);
    let node: unknown = copy;
    for (const part of parts.slice(0, -1)) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
    if (node && typeof node === 'object') delete (node as Record<string, unknown>)[parts.at(-1) ?? ''];
  }
  return copy;
}

/** The document as a Polku that imported it exports it: everyone but the pupil is a name-only imported person. */
function importedHere(doc: PortfolioDocument): PortfolioDocument {
  const copy = JSON.parse(JSON.stringify(doc)) as PortfolioDocument;
  const mark = (p: PersonRef | null) => {
    if (p && p.id !== doc.pupil.id) p.imported = true;
  };
  for (const p of copy.projects) p.teachers.forEach(mark);
  for (const a of copy.artefacts) {
    a.feedback.forEach((f) => mark(f.author));
    a.versions.forEach((v) => mark(v.author));
    a.events?.forEach((e) => mark(e.actor));
  }
  copy.goalAssessments?.forEach((x) => mark(x.assessor));
  return copy;
}

/** The same archive with portfolio.json replaced (and SHA256SUMS made to agree). */
async function rewritten(source: string, target: string, edit: (doc: PortfolioDocument & Record<string, unknown>) => unknown): Promise<string> {
  const entries = await readZipMap(source);
  const doc = documentOf(entries) as PortfolioDocument & Record<string, unknown>;
  const json = Buffer.from(JSON.stringify((edit(doc) as object | undefined) ?? doc));
  entries.set(ARCHIVE_PATHS.document, json);
  const manifest = (entries.get(ARCHIVE_PATHS.manifest)?.toString('utf8') ?? '')
    .split('\n')
    .map((line) => (line.endsWith(` ${ARCHIVE_PATHS.document}`) ? `${sha256(json)}  ${ARCHIVE_PATHS.document}` : line))
    .join('\n');
  entries.set(ARCHIVE_PATHS.manifest, Buffer.from(manifest));
  await writeFile(target, buildZip([...entries].map(([name, data]) => ({ name, data }))));
  return target;
}

describe('carrying goals, assessments and the uptake loop through export and import', () => {
  let app: TestApp;
  let db: Db;
  let w: Awaited<ReturnType<typeof makeTwoSchools>>;
  let work: string;
  let full: string;
  let goalId: string;
  let artefactId: string;

  const exportTo = async (store: { db: Db; blobs: BlobStore }, pupilId: string, scope: ExportScope, name: string) => {
    const file = path.join(work, name);
    await writeExportArchive({ db: store.db, blobs: store.blobs, pupilId, scope, locale: 'fi' }, createWriteStream(file));
    return file;
  };

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'polku-carry-'));
    app = await startTestApp();
    db = app.database.db;
    w = await makeTwoSchools(db);
    const [pupil, teacher] = await Promise.all([app.as(w.pupil.username), app.as(w.teacher.username)]);
    const project = await postSampleProject(teacher, db, { schoolId: w.schoolA.id, groupId: w.group.id });
    goalId = project.goals[0]?.id ?? '';
    // A school's own three-step scale, and success criteria on the goal.
    const scale = await db
      .insertInto('assessmentScales')
      .values({
        schoolId: w.schoolA.id,
        name: JSON.stringify({ fi: 'Koulun tähdet', sv: 'Skolans stjärnor', en: 'School stars' }),
        levels: JSON.stringify([
          { labels: { fi: 'Alussa', sv: 'I början', en: 'Starting' }, icon: '⭐' },
          { labels: { fi: 'Matkalla', sv: 'På väg', en: 'On the way' }, icon: '⭐⭐' },
          { labels: { fi: 'Perillä', sv: 'Framme', en: 'There' }, icon: '⭐⭐⭐' },
        ]),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.updateTable('projects').set({ scaleId: scale.id }).where('id', '=', project.id).execute();
    await db
      .updateTable('projectGoals')
      .set({ successCriteria: ['Nimeän kolme olomuotoa', 'Kerron esimerkin jokaisesta'] })
      .where('id', '=', goalId)
      .execute();

    const created = await pupil.post<Artefact>(
      '/api/artefacts',
      form({ title: 'Jää, vesi ja höyry', bodyHtml: '<p>Jää sulaa.</p>', projectId: project.id, goalIds: [goalId], status: 'ready' }),
    );
    expect(created.status, created.text).toBe(201);
    artefactId = created.body.id;
    const note = await teacher.post<Feedback>(`/api/artefacts/${artefactId}/feedback`, { body: 'Lisää höyry!', goalIds: [goalId], revise: true });
    expect(note.status, note.text).toBe(201);
    const revised = await pupil.patch<Artefact>(`/api/artefacts/${artefactId}`, {
      bodyHtml: '<p>Jää sulaa ja vesi höyrystyy.</p>',
      answersFeedbackIds: [note.body.id],
      visibility: 'guardians',
    });
    expect(revised.status, revised.text).toBe(200);

    const assess = (who: typeof pupil, body: Record<string, unknown>) =>
      who.post<GoalAssessment>(`/api/goals/${goalId}/pupils/${w.pupil.id}/assessments`, body);
    const first = await assess(pupil, { level: 0, reflection: 'Yksityinen ajatus: en vielä osaa höyryä.', artefactIds: [artefactId] });
    expect(first.status, first.text).toBe(201);
    const second = await assess(pupil, { level: 1, reflection: 'Nyt osaan kolme olomuotoa.', artefactIds: [artefactId] });
    expect(second.status, second.text).toBe(201);
    expect((await pupil.patch(`/api/goal-assessments/${second.body.id}/sharing`, { sharedWithGuardians: true })).status).toBe(200);
    const level = await assess(teacher, { level: 2, artefactIds: [artefactId] });
    expect(level.status, level.text).toBe(201);
    // Over several weeks: the first assessment three weeks ago, the second last week.
    const weeksAgo = (n: number) => new Date(Date.now() - n * 7 * 24 * 3600 * 1000);
    await sql`update goal_assessments set created_at = ${weeksAgo(3)} where id = ${first.body.id}`.execute(db);
    await sql`update goal_assessments set created_at = ${weeksAgo(1)} where id = ${second.body.id}`.execute(db);

    full = await exportTo({ db, blobs: app.polku.blobs }, w.pupil.id, 'full', 'full.zip');
  });

  afterAll(async () => {
    await app?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('portfolio.json holds the scale, criteria, assessments with their assessors, feedback marks, the answering version and events', async () => {
    const doc = documentOf(await readZipMap(full));
    expect(doc.version).toBe(PORTFOLIO_FORMAT_VERSION);
    // 3 since voice and anchored feedback (carry-voice-anchors.test.ts), 4 since showcases (issue 12 §3).
    expect(PORTFOLIO_FORMAT_VERSION).toBe(4);
    const project = doc.projects[0];
    expect(project?.scale).toMatchObject({ key: null, name: { en: 'School stars' } });
    expect(project?.scale?.levels.map((l) => l.icon)).toEqual(['⭐', '⭐⭐', '⭐⭐⭐']);
    expect(project?.goals[0]?.successCriteria).toEqual(['Nimeän kolme olomuotoa', 'Kerron esimerkin jokaisesta']);
    expect(doc.goalAssessments?.map((x) => [x.kind, x.level, x.sharedWithGuardians, x.assessor?.displayName, x.artefactIds])).toEqual([
      ['self', 0, false, w.pupil.displayName, [artefactId]],
      ['self', 1, true, w.pupil.displayName, [artefactId]],
      ['teacher', 2, false, w.teacher.displayName, [artefactId]],
    ]);
    expect(doc.goalAssessments?.[2]?.assessor).toEqual({ id: w.teacher.id, displayName: w.teacher.displayName, role: 'teacher', imported: false });
    const artefact = doc.artefacts.find((a) => a.id === artefactId);
    expect(artefact?.feedback[0]).toMatchObject({ goalIds: [goalId], revise: true, answeredVersion: 2 });
    expect(artefact?.feedback[0]?.answeredAt).toEqual(expect.any(String));
    expect(artefact?.versions.map((v) => v.version)).toContain(2);
    expect(artefact?.events?.map((e) => e.kind)).toContain('visibility');
  });

  it('the offline site has a goal page with the criteria and the growth table, and feedback shows the revise request and the answering version', async () => {
    const entries = await readZipMap(full);
    const goalPage = entries.get(`site/goal-${goalId}.html`)?.toString('utf8') ?? '';
    expect(goalPage).toContain('Kerron esimerkin jokaisesta');
    const rows = [...goalPage.matchAll(/<tr id="assessment-[^"]+">([\s\S]*?)<\/tr>/g)].map((m) => m[1] ?? '');
    expect(rows).toHaveLength(3);
    expect(rows[0]).toContain('⭐ Alussa');
    expect(rows[0]).toContain('Yksityinen ajatus');
    expect(rows[0]).toContain(`href="artefact-${artefactId}.html"`);
    // The teacher's level sits in its own column (the third cell), the self-assessments in the second.
    expect(rows[2]).toMatch(/<td><\/td><td>⭐⭐⭐ Perillä<\/td>/);
    const project = entries.get(`site/project-${documentOf(entries).projects[0]?.id ?? ''}.html`)?.toString('utf8') ?? '';
    expect(project).toContain(`href="goal-${goalId}.html"`);
    const page = entries.get(`site/artefact-${artefactId}.html`)?.toString('utf8') ?? '';
    expect(page).toContain('Pyyntö korjata tai täydentää');
    expect(page).toContain('<a href="#version-2">Vastattu versiossa 2</a>');
    expect(page).toContain('id="version-2"');
    expect(page).toContain(`href="goal-${goalId}.html"`);
  });

  it('leap2a.xml: the goal is a plan with its criteria, self-assessments are entries reflecting on it; Mahara takes the goal as a plan and each self-assessment as a post', async () => {
    const entries = await readZipMap(full);
    const xml = entries.get(ARCHIVE_PATHS.leap2a)?.toString('utf8') ?? '';
    const doc = documentOf(entries);
    const selfIds = (doc.goalAssessments ?? []).filter((x) => x.kind === 'self').map((x) => `urn:polku:assessment:${x.id}`);
    expect(selfIds).toHaveLength(2);
    expect(xml).toContain(`<id>urn:polku:goal:${goalId}</id>`);
    expect(xml).toContain('Kerron esimerkin jokaisesta');
    expect(xml).toContain(`<link rel="leap2:reflects_on" href="urn:polku:goal:${goalId}"/>`);
    expect(xml).toContain(`<link rel="leap2:supported_by" href="urn:uuid:${artefactId}"/>`);
    const files = new Set([...entries.keys()].filter((n) => n.startsWith('files/')));
    for (const generation of ['current', '22.04'] as const) {
      const m = maharaImport(xml, files, generation);
      expect(m.landings.get(`urn:polku:goal:${goalId}`), generation).toEqual({ as: 'plan' });
      for (const id of selfIds) expect(m.landings.get(id), generation).toMatchObject({ as: 'post' });
      expect([...m.landings].filter(([, l]) => l.as === 'not imported')).toEqual([]);
    }
  });

  it('Polku reading its own leap2a.xml alone (no portfolio.json) reports the goal and self-assessments instead of making work of them', async () => {
    const entries = await readZipMap(full);
    entries.delete(ARCHIVE_PATHS.document);
    const file = path.join(work, 'leap-only.zip');
    await writeFile(file, buildZip([...entries].map(([name, data]) => ({ name, data }))));
    const fresh = await freshDatabase();
    const h = await localHarness();
    try {
      const school = await makeSchool(fresh.handle.db);
      const report = await applyImport({
        db: fresh.handle.db,
        blobs: h.blobs,
        filePath: file,
        target: { kind: 'new', schoolId: school.id },
        actorId: null,
        media: h.media,
      });
      expect(report.format).toBe('leap2a');
      const own = report.items.filter((i) => i.sourceId.startsWith('urn:polku:goal:') || i.sourceId.startsWith('urn:polku:assessment:'));
      expect(own.map((i) => [i.action, i.reasonCode])).toEqual([
        ['unmapped', 'polku-goal'],
        ['unmapped', 'polku-goal'],
        ['unmapped', 'polku-goal'],
      ]);
      expect(report.created.artefacts).toBe(1);
    } finally {
      await h.close();
      await fresh.drop();
    }
  });

  it('a guardian’s (shared) export holds only the shared assessment and no private reflection', async () => {
    const file = await exportTo({ db, blobs: app.polku.blobs }, w.pupil.id, 'shared', 'shared.zip');
    const entries = await readZipMap(file);
    const doc = documentOf(entries);
    expect(doc.goalAssessments?.map((x) => [x.kind, x.level, x.reflection])).toEqual([['self', 1, 'Nyt osaan kolme olomuotoa.']]);
    for (const [name, bytes] of entries) expect(bytes.toString('utf8'), name).not.toContain('Yksityinen ajatus');
    for (const a of doc.artefacts) for (const e of a.events ?? []) expect(e.shared).toBe(true);
    const goalPage = entries.get(`site/goal-${goalId}.html`)?.toString('utf8') ?? '';
    expect([...goalPage.matchAll(/<tr id="assessment-/g)]).toHaveLength(1);
  });

  it('export → import into a new pupil in a fresh Polku → export loses nothing; assessors are never linked to accounts there', async () => {
    const fresh = await freshDatabase();
    const h = await localHarness();
    try {
      const target = fresh.handle.db;
      const school = await makeSchool(target);
      // The teacher has an account with the same id there: the import must still not link them.
      await target.insertInto('users').values({ id: w.teacher.id, username: w.teacher.username, displayName: w.teacher.displayName }).execute();
      await target.insertInto('schoolRoles').values({ schoolId: school.id, userId: w.teacher.id, role: 'teacher' }).execute();
      const report = await applyImport({
        db: target,
        blobs: h.blobs,
        filePath: full,
        target: { kind: 'new', schoolId: school.id },
        actorId: null,
        media: h.media,
      });
      expect(report.items.filter((i) => i.type === 'assessment').map((i) => i.action)).toEqual(['create', 'create', 'create']);
      const rows = await target.selectFrom('goalAssessments').selectAll().orderBy('createdAt').execute();
      expect(rows.map((r) => [r.kind, r.pupilId === report.pupilId])).toEqual([
        ['self', true],
        ['self', true],
        ['teacher', true],
      ]);
      expect(rows[0]?.assessorId).toBe(report.pupilId);
      expect(rows[2]?.assessorId).toBeNull();
      expect(rows[2]?.importedAssessor).toMatchObject({ id: w.teacher.id, displayName: w.teacher.displayName, imported: true });
      // The school's scale is no scale of the new Polku: the project keeps it as its own, and no school scale is made.
      const project = await target.selectFrom('projects').selectAll().executeTakeFirstOrThrow();
      expect(project.scaleId).toBeNull();
      expect(project.importedScale?.levels.map((l) => l.labels.fi)).toEqual(['Alussa', 'Matkalla', 'Perillä']);
      expect(await target.selectFrom('assessmentScales').select('id').where('schoolId', 'is not', null).execute()).toEqual([]);
      const fb = await target.selectFrom('feedback').selectAll().where('parentId', 'is', null).executeTakeFirstOrThrow();
      expect(fb).toMatchObject({ revise: true, answeredVersion: 2, authorId: null });

      const again = await exportTo({ db: target, blobs: h.blobs }, report.pupilId, 'full', 'again.zip');
      const before = documentOf(await readZipMap(full));
      expect(withoutVolatile(documentOf(await readZipMap(again)))).toEqual(withoutVolatile(importedHere(before)));

      // The pupil's goal page there names the imported teacher, marked as imported, by name and role only:
      // the id the archive gave the teacher names no account here (and here it is even someone's id).
      const there = await startTestApp({ database: fresh.handle });
      try {
        const pupil = await target.selectFrom('users').select('username').where('id', '=', report.pupilId).executeTakeFirstOrThrow();
        await target
          .updateTable('users')
          .set({ passwordHash: await hashPassword(TEST_PASSWORD) })
          .where('id', '=', report.pupilId)
          .execute();
        const client = await there.as(pupil.username);
        const goal = await target.selectFrom('projectGoals').select('id').executeTakeFirstOrThrow();
        const page = await client.get<GoalPage>(`/api/goals/${goal.id}/pupils/${report.pupilId}`);
        const teacherLevel = page.body.assessments.find((a) => a.kind === 'teacher');
        expect([teacherLevel?.assessor, teacherLevel?.importedAssessor]).toEqual([null, { displayName: w.teacher.displayName, role: 'teacher' }]);
      } finally {
        await there.close();
      }
    } finally {
      await h.close();
      await fresh.drop();
    }
  });

  it('a version 1 archive (before scales and assessments) still imports: the default scale, no marks', async () => {
    const v1 = await rewritten(full, path.join(work, 'v1.zip'), (doc) => {
      doc.version = 1 as PortfolioDocument['version'];
      delete doc.goalAssessments;
      for (const p of doc.projects) delete p.scale;
      for (const a of doc.artefacts) {
        delete a.events;
        for (const f of a.feedback) {
          delete f.goalIds;
          delete f.revise;
          delete f.answeredVersion;
          delete f.answeredAt;
        }
      }
    });
    const fresh = await freshDatabase();
    const h = await localHarness();
    try {
      const target = fresh.handle.db;
      const school = await makeSchool(target);
      const report = await applyImport({
        db: target,
        blobs: h.blobs,
        filePath: v1,
        target: { kind: 'new', schoolId: school.id },
        actorId: null,
        media: h.media,
      });
      expect(report).toMatchObject({ format: 'polku', sourceVersion: '1' });
      expect(report.created).toMatchObject({ projects: 1, artefacts: 1, feedback: 1 });
      const project = await target.selectFrom('projects').selectAll().executeTakeFirstOrThrow();
      expect([project.scaleId, project.importedScale]).toEqual([null, null]);
      expect(await target.selectFrom('feedback').select(['revise', 'answeredVersion', 'goalIds']).execute()).toEqual([
        { revise: false, answeredVersion: null, goalIds: [] },
      ]);
      expect(await target.selectFrom('goalAssessments').select('id').execute()).toEqual([]);
    } finally {
      await h.close();
      await fresh.drop();
    }
  });

  it('what an archive says is cleaned and bounded: hidden characters go, an off-scale level or an unknown goal is not mapped, a built-in key is matched', async () => {
    const forged = await rewritten(full, path.join(work, 'forged.zip'), (doc) => {
      const project = doc.projects[0];
      if (project?.scale) project.scale = { key: 'smiley3', name: { fi: 'x', sv: 'x', en: 'x' }, levels: project.scale.levels };
      const [a, b, c] = doc.goalAssessments ?? [];
      if (a) a.reflection = 'Osaan\u202e nyt';
      if (b) b.goalId = '00000000-0000-4000-8000-000000000001';
      if (c) c.level = 9;
    });
    const fresh = await freshDatabase();
    const h = await localHarness();
    try {
      const target = fresh.handle.db;
      const school = await makeSchool(target);
      const report = await applyImport({
        db: target,
        blobs: h.blobs,
        filePath: forged,
        target: { kind: 'new', schoolId: school.id },
        actorId: null,
        media: h.media,
      });
      expect(report.items.filter((i) => i.type === 'assessment').map((i) => [i.action, i.reasonCode])).toEqual([
        ['create', undefined],
        ['unmapped', 'assessment-no-goal'],
        ['unmapped', 'assessment-off-scale'],
      ]);
      expect(await target.selectFrom('goalAssessments').select('reflection').execute()).toEqual([{ reflection: 'Osaan nyt' }]);
      const project = await target.selectFrom('projects').select(['scaleId', 'importedScale']).executeTakeFirstOrThrow();
      const smiley = await target.selectFrom('assessmentScales').select('id').where('builtinKey', '=', 'smiley3').executeTakeFirstOrThrow();
      expect(project).toEqual({ scaleId: smiley.id, importedScale: null });
    } finally {
      await h.close();
      await fresh.drop();
    }
  });
});
