import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Artefact } from '../../shared/api/artefacts.ts';
import type { Feedback } from '../../shared/api/feedback.ts';
import type { GoalAssessment } from '../../shared/api/goal-assessments.ts';
import { ARCHIVE_PATHS, PORTFOLIO_FORMAT_VERSION, VOLATILE_FIELDS, type PersonRef, type PortfolioDocument } from '../../shared/portability/portfolio-format.ts';
import type { Db } from '../../server/db/database.ts';
import type { BlobStore } from '../../server/storage/blob-store.ts';
import { writeExportArchive } from '../../server/modules/portability/export/export-archive.ts';
import { applyImport } from '../../server/modules/portability/import/import-archive.ts';
import { localHarness } from '../fixtures/hostile/import-harness.ts';
import { buildZip } from '../fixtures/hostile/make-hostile.ts';
import { makeProject, makeSchool, makeTwoSchools } from '../helpers/factories.ts';
import { artefactForm, wavTone } from '../helpers/artefact-upload.ts';
import { freshDatabase } from '../helpers/fresh-database.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { readZipMap } from '../helpers/zip.ts';

// Issue 10 §8 for §2–3: voice feedback, anchors and spoken reflections travel in portfolio.json (format 3)
// and the offline site, come back on import, survive a round trip; a format 2 archive still imports.

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const documentOf = (entries: Map<string, Buffer>) => JSON.parse(entries.get(ARCHIVE_PATHS.document)?.toString('utf8') ?? 'null') as PortfolioDocument;

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

function voiceForm(fields: Record<string, unknown>, seconds = 1) {
  const data = new FormData();
  data.append('data', JSON.stringify(fields));
  data.append('audio', new Blob([new Uint8Array(wavTone(seconds))], { type: 'audio/wav' }), 'puhe.wav');
  return data;
}

describe('carrying voice and anchored feedback through export and import', () => {
  let app: TestApp;
  let db: Db;
  let w: Awaited<ReturnType<typeof makeTwoSchools>>;
  let work: string;
  let full: string;
  let artefact: Artefact;
  let voice: Feedback;
  let reflection: GoalAssessment;
  let goalId: string;

  const exportTo = async (store: { db: Db; blobs: BlobStore }, pupilId: string, name: string) => {
    const file = path.join(work, name);
    await writeExportArchive({ db: store.db, blobs: store.blobs, pupilId, scope: 'full', locale: 'fi' }, createWriteStream(file));
    return file;
  };

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'polku-carry-voice-'));
    app = await startTestApp();
    db = app.database.db;
    w = await makeTwoSchools(db);
    const project = await makeProject(db, { schoolId: w.schoolA.id, groupIds: [w.group.id] });
    goalId = project.goalId;
    const [pupil, teacher] = await Promise.all([app.as(w.pupil.username), app.as(w.teacher.username)]);
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#3a7' } })
      .png()
      .toBuffer();
    const created = await pupil.post<Artefact>(
      '/api/artefacts',
      artefactForm({ title: 'Lehti', projectId: project.id }, [{ name: 'lehti.png', type: 'image/png', bytes: png }]),
    );
    expect(created.status, created.text).toBe(201);
    artefact = created.body;
    const res = await teacher.post<Feedback>(
      `/api/artefacts/${artefact.id}/feedback/voice`,
      voiceForm({ anchor: { kind: 'region', mediaId: artefact.media[0]?.id, x: 0.25, y: 0.1, w: 0.5, h: 0.5 }, revise: true }),
    );
    expect(res.status, res.text).toBe(201);
    voice = res.body;
    const own = await pupil.post<GoalAssessment>(
      `/api/goals/${goalId}/pupils/${w.pupil.id}/assessments/voice`,
      voiceForm({ level: 1, reflection: 'Kuuntele' }, 2),
    );
    expect(own.status, own.text).toBe(201);
    reflection = own.body;
    full = await exportTo({ db, blobs: app.polku.blobs }, w.pupil.id, 'full.zip');
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('portfolio.json (format 3) holds the voice files, the anchor and the spoken reflection; the files are in the archive', async () => {
    const entries = await readZipMap(full);
    const doc = documentOf(entries);
    expect(doc.version).toBe(PORTFOLIO_FORMAT_VERSION);
    // 3 brought voice and anchors; 4 (issue 12 §3) keeps them as they are.
    expect(PORTFOLIO_FORMAT_VERSION).toBe(4);
    const fb = doc.artefacts[0]?.feedback.find((f) => f.id === voice.id);
    expect(fb?.body).toBe('');
    expect(fb?.anchor).toEqual({ kind: 'region', mediaId: artefact.media[0]?.id, x: 0.25, y: 0.1, w: 0.5, h: 0.5 });
    const file = fb?.voice?.file;
    expect(file?.path).toMatch(/^files\/[0-9a-f]{64}\.wav$/);
    expect(sha256(entries.get(file?.path ?? '') ?? Buffer.alloc(0))).toBe(file?.sha256);
    const x = doc.goalAssessments?.find((a) => a.id === reflection.id);
    expect(x?.voice?.durationMs).toBeGreaterThan(1500);
    expect(entries.has(x?.voice?.file.path ?? '')).toBe(true);
    expect(entries.get(ARCHIVE_PATHS.manifest)?.toString('utf8')).toContain(file?.path ?? '-');
  });

  it('the offline site plays the voice message and the reflection, and says which region the feedback is about', async () => {
    const entries = await readZipMap(full);
    const doc = documentOf(entries);
    const page = entries.get(`site/artefact-${artefact.id}.html`)?.toString('utf8') ?? '';
    const path = doc.artefacts[0]?.feedback.find((f) => f.id === voice.id)?.voice?.file.path ?? '-';
    expect(page).toContain(`<audio controls="" preload="none" src="../${path}"`);
    expect(page).toContain('Ääniviesti');
    expect(page).toContain('Koskee kuvan 1 aluetta: 25 % vasemmalta, 10 % ylhäältä, 50 % leveä, 50 % korkea');
    expect(page).toContain(`href="#media-${artefact.media[0]?.id ?? '-'}"`);
    const goalPage = entries.get(`site/goal-${goalId}.html`)?.toString('utf8') ?? '';
    expect(goalPage).toContain('Puhuttu pohdinta');
    expect(goalPage).toContain(doc.goalAssessments?.[0]?.voice?.file.path ?? '-');
  });

  it('export → import into a new pupil in a fresh Polku → export loses nothing', async () => {
    const fresh = await freshDatabase();
    const h = await localHarness();
    try {
      const target = fresh.handle.db;
      const school = await makeSchool(target);
      const report = await applyImport({
        db: target,
        blobs: h.blobs,
        filePath: full,
        target: { kind: 'new', schoolId: school.id },
        actorId: null,
        media: h.media,
      });
      const fb = await target.selectFrom('feedback').selectAll().executeTakeFirstOrThrow();
      expect(fb.voice?.mime).toBe('audio/wav');
      expect(fb.anchor).toMatchObject({ kind: 'region', x: 0.25 });
      const x = await target.selectFrom('goalAssessments').selectAll().executeTakeFirstOrThrow();
      expect(x.voice?.durationMs).toBeGreaterThan(1500);
      // The recordings' blobs belong to their rows: nothing is left pending for the sweeper.
      const keys = [fb.voice?.variants.original ?? '', x.voice?.variants.original ?? ''];
      expect(await target.selectFrom('pendingBlobs').select('key').where('key', 'in', keys).execute()).toEqual([]);
      const again = await exportTo({ db: target, blobs: h.blobs }, report.pupilId, 'again.zip');
      expect(withoutVolatile(documentOf(await readZipMap(again)))).toEqual(withoutVolatile(importedHere(documentOf(await readZipMap(full)))));
    } finally {
      await h.close();
      await fresh.drop();
    }
  }, 120_000);

  it('a format 2 archive (before voice and anchors) still imports', async () => {
    const entries = await readZipMap(full);
    const doc = documentOf(entries) as PortfolioDocument & Record<string, unknown>;
    doc.version = 2 as PortfolioDocument['version'];
    for (const a of doc.artefacts)
      for (const f of a.feedback) {
        delete f.voice;
        delete f.anchor;
        f.body = 'Kuuntele';
      }
    for (const x of doc.goalAssessments ?? []) delete x.voice;
    const json = Buffer.from(JSON.stringify(doc));
    entries.set(ARCHIVE_PATHS.document, json);
    const manifest = (entries.get(ARCHIVE_PATHS.manifest)?.toString('utf8') ?? '')
      .split('\n')
      .map((line) => (line.endsWith(` ${ARCHIVE_PATHS.document}`) ? `${sha256(json)}  ${ARCHIVE_PATHS.document}` : line))
      .join('\n');
    entries.set(ARCHIVE_PATHS.manifest, Buffer.from(manifest));
    const v2 = path.join(work, 'v2.zip');
    await writeFile(v2, buildZip([...entries].map(([name, data]) => ({ name, data }))));
    const fresh = await freshDatabase();
    const h = await localHarness();
    try {
      const target = fresh.handle.db;
      const school = await makeSchool(target);
      const report = await applyImport({
        db: target,
        blobs: h.blobs,
        filePath: v2,
        target: { kind: 'new', schoolId: school.id },
        actorId: null,
        media: h.media,
      });
      expect(report).toMatchObject({ format: 'polku', sourceVersion: '2' });
      expect(await target.selectFrom('feedback').select(['body', 'voice', 'anchor']).execute()).toEqual([{ body: 'Kuuntele', voice: null, anchor: null }]);
      expect(await target.selectFrom('goalAssessments').select('voice').execute()).toEqual([{ voice: null }]);
    } finally {
      await h.close();
      await fresh.drop();
    }
  }, 120_000);
});
