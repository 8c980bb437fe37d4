import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Artefact } from '../../shared/api/artefacts.ts';
import { ARCHIVE_PATHS, type PortfolioDocument } from '../../shared/portability/portfolio-format.ts';
import { writeExportArchive } from '../../server/modules/portability/export/export-archive.ts';
import { applyImport } from '../../server/modules/portability/import/import-archive.ts';
import { type ImportHarness, localHarness } from '../fixtures/hostile/import-harness.ts';
import { buildZip } from '../fixtures/hostile/make-hostile.ts';
import { makeTwoSchools, makeUser } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { readZipMap as readZip } from '../helpers/zip.ts';

// Issue 9, item 4: tags travel in portfolio.json (an optional field: archives from before tags still
// import) and in LEAP2A as Mahara writes them; tags from an archive are cleaned to the API's rules.

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const FIXTURES = path.join(import.meta.dirname, '../fixtures/leap2a');

let app: TestApp;
let w: Awaited<ReturnType<typeof makeTwoSchools>>;
let h: ImportHarness;
let work: string;
let entries: Map<string, Buffer>;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'polku-tags-'));
  app = await startTestApp();
  h = await localHarness();
  w = await makeTwoSchools(app.database.db);
  const pupil = await app.as(w.pupil.username);
  for (const body of [{ title: 'Linnut', tags: ['Kevät', 'linnut & muut eläimet'], visibility: 'guardians' }, { title: 'Ilman tageja' }]) {
    const res = await pupil.post<Artefact>('/api/artefacts', body);
    expect(res.status, res.text).toBe(201);
  }
  const file = path.join(work, 'export.zip');
  await writeExportArchive({ db: app.database.db, blobs: app.polku.blobs, pupilId: w.pupil.id, scope: 'full', locale: 'fi' }, createWriteStream(file));
  entries = await readZip(file);
});
afterAll(async () => {
  await h?.close();
  await app?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const documentOf = (files: Map<string, Buffer>) => JSON.parse(files.get(ARCHIVE_PATHS.document)?.toString('utf8') ?? 'null') as PortfolioDocument;

/** The export with portfolio.json changed and SHA256SUMS written again. */
async function repack(name: string, change: (doc: PortfolioDocument) => void): Promise<string> {
  const files = new Map(entries);
  const doc = documentOf(files);
  change(doc);
  files.set(ARCHIVE_PATHS.document, Buffer.from(JSON.stringify(doc)));
  const sums = [...files]
    .filter(([n]) => n !== ARCHIVE_PATHS.manifest)
    .map(([n, b]) => `${sha256(b)}  ${n}`)
    .join('\n');
  files.set(ARCHIVE_PATHS.manifest, Buffer.from(`${sums}\n`));
  const file = path.join(work, name);
  await writeFile(file, buildZip([...files].map(([n, data]) => ({ name: n, data }))));
  return file;
}

/** Imports into a fresh pupil of school A; their artefacts' titles → tags. */
async function importTags(filePath: string): Promise<Map<string, string[]>> {
  const target = await makeUser(app.database.db, { role: 'pupil', schoolId: w.schoolA.id });
  await applyImport({ db: app.database.db, blobs: h.blobs, filePath, target: { kind: 'existing', pupilId: target.id }, actorId: null, media: h.media });
  const rows = await app.database.db.selectFrom('artefacts').select(['title', 'tags']).where('ownerId', '=', target.id).execute();
  return new Map(rows.map((r) => [r.title, r.tags]));
}

describe('tags in portfolio.json', () => {
  it('are written for every artefact, as the pupil wrote them', () => {
    const doc = documentOf(entries);
    expect(doc.artefacts.map((a) => [a.title, a.tags])).toEqual([
      ['Ilman tageja', []],
      ['Linnut', ['Kevät', 'linnut & muut eläimet']],
    ]);
  });

  it('come back on import', async () => {
    const file = path.join(work, 'as-is.zip');
    await writeFile(file, buildZip([...entries].map(([n, data]) => ({ name: n, data }))));
    const tags = await importTags(file);
    expect(tags.get('Linnut')).toEqual(['Kevät', 'linnut & muut eläimet']);
    expect(tags.get('Ilman tageja')).toEqual([]);
  });

  it('an archive from before tags (no field) imports, untagged', async () => {
    const file = await repack('older.zip', (doc) => {
      for (const a of doc.artefacts) delete a.tags;
    });
    const tags = await importTags(file);
    expect(tags.get('Linnut')).toEqual([]);
  });

  it("an archive's tags that break the rules are cleaned, not refused: marks and commas out, cut to 40, once each, at most 20", async () => {
    const many = Array.from({ length: 30 }, (_, i) => `t${i}`);
    const file = await repack('hostile.zip', (doc) => {
      const linnut = doc.artefacts.find((a) => a.title === 'Linnut');
      if (linnut) linnut.tags = ['abc\u202Efdp', 'KEVÄT', 'kevät', '  ', 'a,b', 'x'.repeat(100), 'a\u0000b', ...many];
    });
    const tags = (await importTags(file)).get('Linnut') ?? [];
    expect(tags.slice(0, 5)).toEqual(['abcfdp', 'KEVÄT', 'a b', 'x'.repeat(40), 'ab']);
    expect(tags).toHaveLength(20);
  });
});

describe('tags in LEAP2A', () => {
  it('Mahara-style plain categories become tags, and those naming a subject still become subjects', async () => {
    const xml = await readFile(path.join(FIXTURES, 'variants-2010-07.xml'));
    const file = path.join(work, 'variants.zip');
    await writeFile(file, buildZip([{ name: 'leap2a.xml', data: xml }]));
    const target = await makeUser(app.database.db, { role: 'pupil', schoolId: w.schoolA.id });
    await applyImport({ db: app.database.db, blobs: h.blobs, filePath: file, target: { kind: 'existing', pupilId: target.id }, actorId: null, media: h.media });
    const plain = await app.database.db
      .selectFrom('artefacts')
      .select(['subjectCodes', 'tags'])
      .where('ownerId', '=', target.id)
      .where('title', '=', 'Plain Atom entry')
      .executeTakeFirstOrThrow();
    expect(plain).toEqual({ subjectCodes: ['BI'], tags: ['not a subject'] });
  });
});

describe('tags in the LEAP2A export', () => {
  it('each tag is a category term without a scheme, as Mahara writes tags', () => {
    const xml = entries.get(ARCHIVE_PATHS.leap2a)?.toString('utf8') ?? '';
    const entry = xml.split('<entry>').find((e) => e.includes('<title>Linnut</title>')) ?? '';
    expect(entry).toContain('<category term="Kevät"/>');
    expect(entry).toContain('<category term="linnut &amp; muut eläimet"/>');
  });
});

describe('tags in the offline site', () => {
  it("are listed among the artefact page's facts", () => {
    const linnut = documentOf(entries).artefacts.find((a) => a.title === 'Linnut');
    const html = entries.get(`site/artefact-${linnut?.id ?? ''}.html`)?.toString('utf8') ?? '';
    expect(html).toMatch(/Tunnisteet<\/dt>\s*<dd>Kevät, linnut &amp; muut eläimet<\/dd>/);
  });
});
