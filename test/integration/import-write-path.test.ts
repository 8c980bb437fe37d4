import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Artefact, ArtefactVersion } from '../../shared/api/artefacts.ts';
import { ARCHIVE_PATHS, PORTFOLIO_FORMAT, PORTFOLIO_FORMAT_VERSION, type PortfolioDocument } from '../../shared/portability/portfolio-format.ts';
import { applyImport } from '../../server/modules/portability/import/import-archive.ts';
import { localHarness, type ImportHarness } from '../fixtures/hostile/import-harness.ts';
import { buildZip } from '../fixtures/hostile/make-hostile.ts';
import { makeTwoSchools } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

// Issue 8, I25: the importer writes artefacts, media and projects through the app's own write
// functions (artefact-writes.ts, projects.repo.ts), so what those guarantee holds for imported work.
// The rule checked here: every artefact has a version row for its current state. The app's create
// always wrote one; the importer wrote only the versions an archive listed, so work from an archive
// that lists none had an empty history, and a guardian of work shared with them saw no version of it.

const BACK_THEN = '2019-09-02T08:00:00.000+03:00';
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function archive(pupil: { id: string; username: string; displayName: string }, artefacts: PortfolioDocument['artefacts']): Buffer {
  const doc: PortfolioDocument = {
    format: PORTFOLIO_FORMAT,
    version: PORTFOLIO_FORMAT_VERSION,
    exportedAt: BACK_THEN,
    generator: { name: 'polku', version: '0.1.0' },
    scope: 'full',
    locale: 'fi',
    pupil: { id: pupil.id, username: pupil.username, displayName: pupil.displayName, locale: null },
    schools: [],
    projects: [],
    artefacts,
    reference: { subjects: [], competences: [] },
  };
  const json = Buffer.from(JSON.stringify(doc));
  return buildZip([
    { name: ARCHIVE_PATHS.document, data: json },
    { name: ARCHIVE_PATHS.manifest, data: Buffer.from(`${sha256(json)}  ${ARCHIVE_PATHS.document}\n`) },
  ]);
}

function sharedWork(title: string, version: number): PortfolioDocument['artefacts'][number] {
  return {
    id: randomUUID(),
    projectId: null,
    phaseId: null,
    kind: 'text',
    title,
    bodyHtml: '<p>Jaettu työ</p>',
    links: [],
    subjectCodes: [],
    competenceIds: [],
    goalIds: [],
    status: 'ready',
    visibility: 'guardians',
    version,
    createdAt: BACK_THEN,
    updatedAt: BACK_THEN,
    readyAt: BACK_THEN,
    origin: null,
    media: [],
    versions: [],
    feedback: [],
  };
}

describe('imported work is written through the app’s write path (issue 8, I25)', () => {
  let app: TestApp;
  let h: ImportHarness;
  let work: string;
  let w: Awaited<ReturnType<typeof makeTwoSchools>>;

  beforeAll(async () => {
    app = await startTestApp();
    h = await localHarness();
    work = await mkdtemp(path.join(tmpdir(), 'polku-write-path-'));
    w = await makeTwoSchools(app.database.db);
  });
  afterAll(async () => {
    await h?.close();
    await app?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('work from an archive that lists no versions has its current version in its history, like work made in the app; its guardian sees it', async () => {
    const first = sharedWork('Tuotu ilman historiaa', 1);
    const later = sharedWork('Tuotu, kolmas versio', 3);
    const file = path.join(work, 'no-versions.zip');
    await writeFile(file, archive(w.pupil, [first, later]));
    const report = await applyImport({
      db: app.database.db,
      blobs: app.polku.blobs,
      filePath: file,
      target: { kind: 'existing', pupilId: w.pupil.id },
      actorId: w.pupil.id,
      media: h.media,
    });
    expect(report.created.artefacts).toBe(2);

    const pupil = await app.as(w.pupil.username);
    const made = await pupil.post<Artefact>('/api/artefacts', { title: 'Tehty sovelluksessa', bodyHtml: '<p>Jaettu työ</p>', visibility: 'guardians' });
    expect(made.status).toBe(201);

    const guardian = await app.as(w.guardian.username);
    for (const [id, version] of [
      [made.body.id, 1],
      [first.id, 1],
      [later.id, 3],
    ] as const) {
      for (const reader of [pupil, guardian]) {
        const history = await reader.get<{ versions: ArtefactVersion[] }>(`/api/artefacts/${id}/history`);
        expect(history.status).toBe(200);
        expect(history.body.versions.map((v) => [v.version, v.visibility, v.bodyHtml])).toEqual([[version, 'guardians', '<p>Jaettu työ</p>']]);
      }
    }
    // The imported state is nobody's account: not the pupil's, not the importer's (issue 8, A1).
    const imported = await pupil.get<{ versions: ArtefactVersion[] }>(`/api/artefacts/${first.id}/history`);
    expect(imported.body.versions[0]).toMatchObject({ author: null, importedAuthor: null, createdAt: new Date(BACK_THEN).toISOString() });
    // A second import of the same archive adds nothing.
    const again = await applyImport({
      db: app.database.db,
      blobs: app.polku.blobs,
      filePath: file,
      target: { kind: 'existing', pupilId: w.pupil.id },
      actorId: w.pupil.id,
      media: h.media,
    });
    expect(again.created).toEqual({ projects: 0, artefacts: 0, media: 0, feedback: 0 });
    const rows = await app.database.db.selectFrom('artefactVersions').select('artefactId').where('artefactId', 'in', [first.id, later.id]).execute();
    expect(rows).toHaveLength(2);
  });
});
