import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportScope } from '../../shared/api/portability.ts';
import type { PeerFeedback } from '../../shared/api/peer-feedback.ts';
import { ARCHIVE_PATHS, type PortfolioDocument } from '../../shared/portability/portfolio-format.ts';
import type { Db } from '../../server/db/database.ts';
import { writeExportArchive } from '../../server/modules/portability/export/export-archive.ts';
import { applyImport } from '../../server/modules/portability/import/import-archive.ts';
import { peerDb } from '../../server/modules/peer-feedback/peer-feedback.repo.ts';
import { localHarness } from '../fixtures/hostile/import-harness.ts';
import { makeArtefact, makeProject, makeSchool, makeTwoSchools } from '../helpers/factories.ts';
import { freshDatabase } from '../helpers/fresh-database.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { readZipMap } from '../helpers/zip.ts';

// Issue 10 §5 and §8: peer feedback received travels in portfolio.json (with its moderation state) and the offline
// site, only what the pupil may see, never in a guardian's export; on import its authors are names only.
const documentOf = (entries: Map<string, Buffer>) => JSON.parse(entries.get(ARCHIVE_PATHS.document)?.toString('utf8') ?? 'null') as PortfolioDocument;

describe('carrying peer feedback', () => {
  let app: TestApp;
  let db: Db;
  let w: Awaited<ReturnType<typeof makeTwoSchools>>;
  let work: string;
  let artefactId: string;
  const shown = { star1: 'Selkeä kaavio', star2: 'Hyvät kuvat', wish: 'Lisää yksiköt' };
  const held = { star1: 'Salainen tähti', star2: 'Toinen salainen', wish: 'Odottava toive' };

  const exportTo = async (scope: ExportScope, name: string) => {
    const file = path.join(work, name);
    await writeExportArchive({ db, blobs: app.polku.blobs, pupilId: w.pupil.id, scope, locale: 'fi' }, createWriteStream(file));
    return readZipMap(file).then((entries) => ({ file, entries }));
  };

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'polku-peer-carry-'));
    app = await startTestApp();
    db = app.database.db;
    w = await makeTwoSchools(db);
    const project = await makeProject(db, { schoolId: w.schoolA.id, teacherIds: [w.teacher.id], groupIds: [w.group.id] });
    const artefact = await makeArtefact(db, { ownerId: w.pupil.id, projectId: project.id, visibility: 'guardians' });
    artefactId = artefact.id;
    const [pupil, classmate, teacher] = await Promise.all([app.as(w.pupil.username), app.as(w.classmate.username), app.as(w.teacher.username)]);
    expect((await teacher.put(`/api/projects/${project.id}/peer-settings`, { enabled: true, moderation: 'shown' })).status).toBe(200);
    expect((await pupil.put(`/api/artefacts/${artefactId}/peer-sharing`, { shared: true })).status).toBe(200);
    expect((await classmate.post<PeerFeedback>(`/api/artefacts/${artefactId}/peer-feedback`, shown)).status).toBe(201);
    await teacher.put(`/api/projects/${project.id}/peer-settings`, { enabled: true, moderation: 'held' });
    await pupil.put(`/api/artefacts/${artefactId}/peer-sharing`, { shared: true });
    expect((await classmate.post<PeerFeedback>(`/api/artefacts/${artefactId}/peer-feedback`, held)).body.state).toBe('held');
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('the full export holds the shown message with its state and author; held ones stay with the school', async () => {
    const { entries } = await exportTo('full', 'full.zip');
    const doc = documentOf(entries);
    const artefact = doc.artefacts.find((a) => a.id === artefactId);
    expect(artefact?.peerFeedback).toEqual([
      expect.objectContaining({ ...shown, state: 'shown', author: expect.objectContaining({ id: w.classmate.id, displayName: w.classmate.displayName }) }),
    ]);
    for (const [name, bytes] of entries) expect(bytes.toString('utf8'), name).not.toContain(held.wish);
    // The offline site shows it on the artefact's page.
    const page = entries.get(`site/artefact-${artefactId}.html`)?.toString('utf8') ?? '';
    expect(page).toContain('Vertaispalaute');
    expect(page).toContain(shown.wish);
  });

  it("a guardian's export holds no peer feedback and no classmate's name", async () => {
    const { entries } = await exportTo('shared', 'shared.zip');
    const doc = documentOf(entries);
    expect(doc.artefacts.find((a) => a.id === artefactId)).toBeDefined();
    for (const [name, bytes] of entries) {
      expect(bytes.toString('utf8'), name).not.toContain(shown.wish);
      expect(bytes.toString('utf8'), name).not.toContain(w.classmate.displayName);
    }
  });

  it('import into a new pupil elsewhere keeps the message, its author a name only, never an account', async () => {
    const { file } = await exportTo('full', 'again.zip');
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
      expect(report.created.artefacts).toBeGreaterThan(0);
      const rows = await peerDb(fresh.handle.db).selectFrom('peerFeedback').selectAll().execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        ...shown,
        state: 'shown',
        authorId: null,
        importedAuthor: { displayName: w.classmate.displayName, role: 'pupil', imported: true },
      });
    } finally {
      await h.close();
      await fresh.drop();
    }
  });
});
