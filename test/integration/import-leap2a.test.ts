import { showcasesDb } from '../../server/modules/showcases/showcase-tables.ts';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../server/db/database.ts';
import { applyImport, previewImport, type ImportItem, type ImportPreview } from '../../server/modules/portability/import/import-archive.ts';
import { type ImportHarness, localHarness, pendingFor, schoolState } from '../fixtures/hostile/import-harness.ts';
import { buildZip } from '../fixtures/hostile/make-hostile.ts';
import { jpegWithGps } from '../fixtures/make-fixtures.ts';
import { makeSchool, makeUser } from '../helpers/factories.ts';
import { openTestDatabase } from '../helpers/test-db.ts';

const FIXTURES = path.join(import.meta.dirname, '../fixtures/leap2a');
let database: DatabaseHandle;
let h: ImportHarness;
let dir: string;
let schoolId: string;
let photo: Buffer;

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');

beforeAll(async () => {
  database = await openTestDatabase();
  h = await localHarness();
  dir = await mkdtemp(path.join(tmpdir(), 'polku-leap2a-'));
  schoolId = (await makeSchool(database.db)).id;
  photo = await readFile(await jpegWithGps(dir));
});
afterAll(async () => {
  await h?.close();
  await database?.close();
  await rm(dir, { recursive: true, force: true });
});

async function maharaZip(
  name: string,
  files: Record<string, Buffer> = { 'files/photo.jpg': photo, 'files/notes.pdf': PDF, 'files/drawing.svg': SVG },
): Promise<string> {
  const xml = await readFile(path.join(FIXTURES, 'mahara-2010-07.xml'));
  const file = path.join(dir, name);
  await writeFile(file, buildZip([{ name: 'leap2a.xml', data: xml }, ...Object.entries(files).map(([n, data]) => ({ name: n, data }))]));
  return file;
}

async function newPupil() {
  return makeUser(database.db, { role: 'pupil', schoolId });
}

function item(preview: ImportPreview, sourceId: string): ImportItem {
  const found = preview.items.find((i) => i.sourceId === sourceId);
  if (!found) throw new Error(`no item ${sourceId}`);
  return found;
}

const apply = (filePath: string, pupilId: string, signal?: AbortSignal, onProgress?: Parameters<typeof applyImport>[0]['onProgress']) =>
  applyImport({
    db: database.db,
    blobs: h.blobs,
    filePath,
    target: { kind: 'existing', pupilId },
    actorId: pupilId,
    media: h.media,
    ...(signal ? { signal } : {}),
    ...(onProgress ? { onProgress } : {}),
  });

describe('a Mahara-style LEAP2A 2010-07 ZIP', () => {
  it('previews every entry with what happens to it and why', async () => {
    const pupil = await newPupil();
    const file = await maharaZip('preview.zip');
    const before = { rows: await schoolState(database.db, schoolId), blobs: await h.blobKeys() };
    const preview = await previewImport({ db: database.db, filePath: file, target: { kind: 'existing', pupilId: pupil.id } });
    expect(preview).toMatchObject({ format: 'leap2a', sourceVersion: '2010-07', pupilName: 'Aino Virtanen' });
    expect(preview.items).toHaveLength(20);
    expect(preview.counts).toEqual({ create: 15, skip: 1, unmapped: 4 });
    expect(item(preview, 'portfolio:self')).toMatchObject({ action: 'skip', reasonCode: 'learner-profile', reasonParams: { count: 1 } });
    expect(item(preview, 'portfolio:artefact11')).toMatchObject({ type: 'artefact', action: 'create' });
    expect(item(preview, 'files/drawing.svg')).toMatchObject({ type: 'media', action: 'unmapped' });
    expect(item(preview, 'files/drawing.svg')).toMatchObject({ reasonCode: 'media-unsupported', reasonParams: { file: 'drawing.svg' } });
    expect(item(preview, 'files/drawing.svg').reason).toMatch(/“drawing\.svg” is of a type Polku does not accept/);
    expect(item(preview, 'portfolio:artefact15')).toMatchObject({ action: 'unmapped' });
    expect(item(preview, 'files/missing.png')).toMatchObject({ reasonCode: 'media-missing', reasonParams: { file: 'files/missing.png' } });
    expect(item(preview, 'files/missing.png').reason).toMatch(/not in the archive/);
    expect(item(preview, 'portfolio:artefact21')).toMatchObject({ type: 'feedback', action: 'create' });
    expect(item(preview, 'portfolio:artefact23')).toMatchObject({ type: 'feedback', action: 'unmapped' });
    expect(item(preview, 'portfolio:ability1')).toMatchObject({ reasonCode: 'competence-assigned', reasonParams: { label: 'L4', count: 1 } });
    expect(item(preview, 'portfolio:ability1').reason).toBe('Becomes the competence L4 of 1 piece of work.');
    expect(item(preview, 'portfolio:ability2').reason).toMatch(/subject BI/);
    expect(item(preview, 'portfolio:ability3')).toMatchObject({ type: 'artefact', action: 'create' });
    // Issue 12 §3: the collection of one page is a showcase (it was once dropped as holding no work), the page part of it.
    expect(item(preview, 'portfolio:view3')).toMatchObject({
      type: 'showcase',
      action: 'create',
      reasonCode: 'page-in-collection',
      reasonParams: { title: 'Syksy 2023' },
    });
    expect(item(preview, 'portfolio:collection1')).toMatchObject({
      type: 'showcase',
      action: 'create',
      reasonCode: 'collection-as-showcase',
      reasonParams: { count: 1 },
    });
    expect(item(preview, 'portfolio:plan1')).toMatchObject({ reasonCode: 'leap-type-as-text', reasonParams: { type: 'plan' } });
    expect(item(preview, 'portfolio:plan1').reason).toMatch(/"plan" has no counterpart/);
    // Every item that says why says it as a code too, and the English is the code's template.
    for (const i of preview.items) expect(i.reason === undefined, `${i.sourceId}: reason and reasonCode together`).toBe(i.reasonCode === undefined);
    // A preview writes nothing and leaves no files.
    expect(await schoolState(database.db, schoolId)).toEqual(before.rows);
    expect(await h.blobKeys()).toEqual(before.blobs);
  });

  it('imports it: text, media, links, a showcase, competences, threaded feedback; the second import skips everything', async () => {
    const pupil = await newPupil();
    const file = await maharaZip('apply.zip');
    const target = { kind: 'existing' as const, pupilId: pupil.id };
    const preview = await previewImport({ db: database.db, filePath: file, target });
    const progress: string[] = [];
    const report = await apply(file, pupil.id, undefined, (p) => progress.push(`${p.phase}:${p.done}/${p.total}`));
    expect(report.counts).toEqual(preview.counts);
    expect(report.items.map((i) => [i.sourceId, i.action])).toEqual(preview.items.map((i) => [i.sourceId, i.action]));
    expect(report.created).toEqual({ projects: 0, artefacts: 7, media: 2, feedback: 2 });
    expect(report.pupilId).toBe(pupil.id);
    expect(progress).toContain('media:2/2');
    expect(progress.at(-1)).toBe('rows:1/1');

    const db = database.db;
    const artefacts = await db.selectFrom('artefacts').selectAll().where('ownerId', '=', pupil.id).execute();
    expect(artefacts).toHaveLength(7);
    const byOrigin = new Map(artefacts.map((a) => [a.origin?.id, a]));
    expect(artefacts.every((a) => a.origin?.source === 'leap2a:mahara')).toBe(true);
    const post = byOrigin.get('portfolio:artefact11');
    const next = byOrigin.get('portfolio:artefact12');
    const image = byOrigin.get('portfolio:artefact13');
    if (!post || !next || !image) throw new Error('artefacts missing');
    // XHTML kept as HTML, scripts gone, links between entries and to files point at the imported work.
    expect(post.bodyHtml).toContain('<strong>kolme</strong>');
    expect(post.bodyHtml).not.toMatch(/script|alert/);
    expect(post.bodyHtml).toContain(`href="/artefacts/${next.id}"`);
    expect(post.bodyHtml).toContain(`href="/artefacts/${image.id}"`);
    expect(next.bodyHtml).toBe('<p>Kanttarelli, herkkutatti &amp; suppilovahvero.</p>');
    expect(post.competenceIds).toEqual(['basic:L4']);
    expect(image.subjectCodes).toEqual(['BI']);
    expect(image.kind).toBe('image');
    expect(byOrigin.get('portfolio:artefact14')?.kind).toBe('file');
    expect(byOrigin.get('portfolio:artefact16')).toMatchObject({
      kind: 'link',
      links: [{ url: 'https://luontoportti.example/sienet', title: 'Luontoportti' }],
    });
    expect(byOrigin.get('portfolio:plan1')?.bodyHtml).toBe('<p>Hae kesätöitä<br />ennen maaliskuuta.</p>');
    expect(post.createdAt.toISOString()).toBe('2023-10-01T06:00:00.000Z');

    // Issue 12 §3: the collection became one private showcase: its page's title and text, then the page's work in the page's order.
    const sdb = showcasesDb(db);
    const showcase = await sdb.selectFrom('showcases').selectAll().where('ownerId', '=', pupil.id).executeTakeFirstOrThrow();
    expect(showcase).toMatchObject({ title: 'Syksy 2023', visibility: 'private', origin: { source: 'leap2a:mahara', id: 'portfolio:collection1' } });
    const parts = await sdb.selectFrom('showcaseItems').selectAll().where('showcaseId', '=', showcase.id).orderBy('position').execute();
    expect(parts.map((p) => [p.position, p.artefactId, p.heading, p.bodyHtml])).toEqual([
      [0, null, 'Sieniretki', ''],
      [1, null, '', '<p>Syksyn retki</p>'],
      [2, next.id, '', ''],
      [3, post.id, '', ''],
      [4, image.id, '', ''],
    ]);
    expect([post.projectId, next.projectId, image.projectId]).toEqual([null, null, null]);

    // The comment and its reply, imported under their authors' names.
    const feedback = await db.selectFrom('feedback').selectAll().where('artefactId', '=', post.id).orderBy('createdAt').execute();
    expect(feedback.map((f) => [f.body, f.importedAuthor?.displayName, f.authorId])).toEqual([
      ['Hyvä havainto! Mikä sieni oli suurin?', 'Opettaja Olli', null],
      ['Herkkutatti.', 'Aino Virtanen', null],
    ]);
    expect(feedback[1]?.parentId).toBe(feedback[0]?.id);

    // Media went through the pipeline: no EXIF/GPS left, every variant stored with its digest.
    const media = await db.selectFrom('mediaItems').selectAll().where('artefactId', '=', image.id).executeTakeFirstOrThrow();
    expect(Object.keys(media.variants).sort()).toEqual(['display', 'original', 'thumb']);
    for (const [variant, key] of Object.entries(media.variants)) {
      const bytes = await buffer(await h.blobs.getStream(key));
      expect(media.variantDigests[variant as 'original']).toEqual({ sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length });
      // From a file: image.ts allows libvips only its file loaders, process-wide.
      const copy = path.join(dir, `variant-${variant}`);
      await writeFile(copy, bytes);
      const meta = await sharp(copy).metadata();
      expect(meta.exif).toBeUndefined();
    }
    expect(media.originalName).toBe('photo.jpg');
    const keys = await h.blobKeys();
    expect(await pendingFor(db, keys)).toBe(0);
    expect(await h.tmpFiles()).toEqual([]);
    const versions = await db.selectFrom('artefactVersions').selectAll().where('artefactId', '=', image.id).execute();
    expect(versions.map((v) => [v.version, v.authorId, v.snapshot.mediaIds])).toEqual([[1, pupil.id, [media.id]]]);

    const audit = await db.selectFrom('auditEvents').select(['action', 'actorId', 'details']).where('subjectUserId', '=', pupil.id).execute();
    expect(audit).toEqual([
      { action: 'portfolio.import', actorId: pupil.id, details: expect.objectContaining({ format: 'leap2a', newAccount: false }) as unknown },
    ]);

    // Importing the same feed again creates nothing.
    const before = await schoolState(db, schoolId);
    const again = await apply(file, pupil.id);
    expect(again.counts.create).toBe(0);
    expect(again.created).toEqual({ projects: 0, artefacts: 0, media: 0, feedback: 0 });
    expect(await sdb.selectFrom('showcases').select('id').where('ownerId', '=', pupil.id).execute()).toHaveLength(1);
    expect(item(again, 'portfolio:artefact11').action).toBe('skip');
    expect(item(again, 'portfolio:view3').action).toBe('skip');
    expect(item(again, 'portfolio:artefact21').action).toBe('skip');
    const after = await schoolState(db, schoolId);
    expect(after).toEqual({ ...before, audit: (before.audit ?? 0) + 1 });
    expect(await h.blobKeys()).toEqual(keys);
  });

  it('a new account takes the learner’s name from the person entry', async () => {
    const report = await applyImport({
      db: database.db,
      blobs: h.blobs,
      filePath: await maharaZip('new.zip'),
      target: { kind: 'new', schoolId },
      actorId: null,
      media: h.media,
    });
    const user = await database.db.selectFrom('users').selectAll().where('id', '=', report.pupilId).executeTakeFirstOrThrow();
    expect(user.displayName).toBe('Aino Virtanen');
    expect(user.username).toMatch(/^aino\.virtanen(-\d+)?$/);
    const roles = await database.db.selectFrom('schoolRoles').select(['schoolId', 'role']).where('userId', '=', user.id).execute();
    expect(roles).toEqual([{ schoolId, role: 'pupil' }]);
    expect(report.created.artefacts).toBe(7);
  });
});

describe('other LEAP2A versions and notations', () => {
  it('names what the feed leaves unnamed with a code the page words (an untitled entry, its web link, an unknown learner)', async () => {
    const pupil = await newPupil();
    const file = path.join(FIXTURES, 'unnamed.xml');
    const preview = await previewImport({ db: database.db, filePath: file, target: { kind: 'existing', pupilId: pupil.id } });
    // English for the CLI, a code for the page: no English word reaches a Finnish or Swedish reader.
    expect(preview).toMatchObject({ pupilName: 'Unknown', pupilNameCode: 'unknown-learner' });
    expect(item(preview, 'urn:entry:untitled')).toMatchObject({ type: 'artefact', action: 'create', title: 'Untitled', titleCode: 'untitled' });
    expect(item(preview, 'urn:entry:untitled').titleParams).toBeUndefined();
    expect(item(preview, 'urn:link:1')).toMatchObject({
      title: 'A page about cranes',
      reasonCode: 'web-link-added',
      reasonParams: { context: 'untitled' },
      reason: 'A web link of an untitled entry: added to its links.',
    });
    expect(item(preview, 'urn:link:1').titleCode).toBeUndefined();
    // A named entry keeps its own title and no code.
    const named = await previewImport({ db: database.db, filePath: path.join(FIXTURES, 'leap-2009-03.xml'), target: { kind: 'existing', pupilId: pupil.id } });
    expect(named.pupilNameCode).toBeUndefined();
    expect(named.items.filter((i) => i.titleCode)).toEqual([]);
  });

  it('reads a 2009-03 bare XML feed (leaptype:, leap: relations, no version element)', async () => {
    const pupil = await newPupil();
    const file = path.join(FIXTURES, 'leap-2009-03.xml');
    const preview = await previewImport({ db: database.db, filePath: file, target: { kind: 'existing', pupilId: pupil.id } });
    expect(preview).toMatchObject({ sourceVersion: '2009-03', pupilName: 'Eero Esimerkki' });
    expect(preview.items.map((i) => [i.sourceId, i.type, i.action])).toEqual([
      ['portfolio:self', 'entry', 'skip'],
      ['portfolio:artefact1', 'artefact', 'create'],
      ['portfolio:artefact2', 'artefact', 'unmapped'],
      ['files/kuva.jpg', 'media', 'unmapped'],
      ['portfolio:view1', 'project', 'create'],
    ]);
    expect(item(preview, 'files/kuva.jpg')).toMatchObject({
      reasonCode: 'media-not-included',
      reason: expect.stringMatching(/bare XML feed carries no files/) as unknown,
    });
    const report = await apply(file, pupil.id);
    expect(report.counts).toEqual(preview.counts);
    const a = await database.db.selectFrom('artefacts').selectAll().where('ownerId', '=', pupil.id).executeTakeFirstOrThrow();
    expect(a.bodyHtml).toBe('<p>Aloitin<br />uuden koulun.</p><p>Se oli jännää &amp; hauskaa.</p>');
    expect(a.origin).toEqual({ source: 'leap2a:mahara', id: 'portfolio:artefact1' });
    expect(a.projectId).not.toBeNull();
  });

  it('reads full URIs, the leap: prefix for 2010-07 terms, plain Atom entries and unknown types', async () => {
    const pupil = await newPupil();
    const file = path.join(FIXTURES, 'variants-2010-07.xml');
    const preview = await previewImport({ db: database.db, filePath: file, target: { kind: 'existing', pupilId: pupil.id } });
    expect(preview).toMatchObject({ sourceVersion: '2010-07', pupilName: 'Saga Svensson' });
    expect(preview.items.map((i) => [i.sourceId, i.type, i.action])).toEqual([
      ['urn:person:saga', 'entry', 'skip'],
      ['urn:entry:1', 'artefact', 'create'],
      ['urn:entry:2', 'artefact', 'create'],
      ['urn:entry:3', 'artefact', 'create'],
      ['urn:entry:4', 'artefact', 'create'],
      ['urn:comment:1', 'feedback', 'create'],
      ['urn:selection:1', 'project', 'create'],
      ['urn:ability:1', 'entry', 'create'],
    ]);
    expect(item(preview, 'urn:entry:3').reason).toMatch(/Unknown LEAP2A type "recipe"/);
    expect(item(preview, 'urn:ability:1').reason).toMatch(/competence L5/);
    await apply(file, pupil.id);
    const rows = await database.db.selectFrom('artefacts').selectAll().where('ownerId', '=', pupil.id).execute();
    const byOrigin = new Map(rows.map((r) => [r.origin?.id, r]));
    expect(rows.every((r) => r.origin?.source === 'leap2a')).toBe(true);
    const reflection = byOrigin.get('urn:entry:1');
    const plain = byOrigin.get('urn:entry:2');
    expect(reflection?.bodyHtml).toBe(
      `<h2>Vad jag lärde mig</h2><p>Mycket<br />om <a href="/artefacts/${plain?.id}" rel="noopener noreferrer nofollow" target="_blank">projektet</a>.</p>`,
    );
    expect(plain?.competenceIds).toEqual(['basic:L5']);
    expect(plain?.subjectCodes).toEqual(['BI']);
    expect(byOrigin.get('urn:entry:4')).toMatchObject({ kind: 'link', links: [{ url: 'https://example.org/page', title: 'Web link' }] });
    const feedback = await database.db
      .selectFrom('feedback')
      .selectAll()
      .where('artefactId', '=', reflection?.id ?? '')
      .execute();
    expect(feedback.map((f) => [f.body, f.importedAuthor])).toEqual([['Bra skrivet.', { id: null, displayName: 'Lärare Lena', role: null, imported: true }]]);
  });
});

describe('nothing half-imported', () => {
  it('a file that passes the preview but the pipeline refuses is reported as not importable; the rest is imported (issue 8, D16)', async () => {
    const pupil = await newPupil();
    // A JPEG cut in half: its first bytes say JPEG, its data is incomplete.
    const broken = photo.subarray(0, Math.floor(photo.length / 2));
    const file = await maharaZip('broken.zip', { 'files/photo.jpg': photo, 'files/notes.pdf': PDF, 'files/drawing.svg': SVG });
    const xml = (await readFile(path.join(FIXTURES, 'mahara-2010-07.xml'), 'utf8')).replace('href="files/notes.pdf"', 'href="files/broken.jpg"');
    await writeFile(
      file,
      buildZip([
        { name: 'leap2a.xml', data: Buffer.from(xml) },
        { name: 'files/photo.jpg', data: photo },
        { name: 'files/broken.jpg', data: broken },
        { name: 'files/drawing.svg', data: SVG },
      ]),
    );
    const preview = await previewImport({ db: database.db, filePath: file, target: { kind: 'existing', pupilId: pupil.id } });
    expect(item(preview, 'files/broken.jpg').action).toBe('create');
    const report = await apply(file, pupil.id);
    expect(item(report, 'files/broken.jpg')).toMatchObject({
      action: 'unmapped',
      reasonCode: 'media-refused',
      reasonParams: { file: 'broken.jpg' },
      reason: expect.stringMatching(/broken\.jpg.*imported without it/) as unknown,
    });
    expect(item(report, 'files/photo.jpg').action).toBe('create');
    expect(report.counts.unmapped).toBe(preview.counts.unmapped + 1);
    expect(report.created.media).toBeGreaterThanOrEqual(1);
    const media = await database.db.selectFrom('mediaItems').select(['originalName', 'variants']).where('ownerId', '=', pupil.id).execute();
    expect(media.map((m) => m.originalName)).not.toContain('broken.jpg');
    expect(media.map((m) => m.originalName)).toContain('photo.jpg');
    expect(await h.tmpFiles()).toEqual([]);
  });

  it('an abort after the media were stored rolls everything back', async () => {
    const pupil = await newPupil();
    const file = await maharaZip('abort.zip');
    const before = { rows: await schoolState(database.db, schoolId), blobs: await h.blobKeys() };
    const controller = new AbortController();
    const err = await apply(file, pupil.id, controller.signal, (p) => {
      if (p.phase === 'media' && p.done === p.total && p.total > 0) controller.abort(new Error('stopped by the test'));
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect((err as Error).message).toBe('stopped by the test');
    expect(await schoolState(database.db, schoolId)).toEqual(before.rows);
    expect(await h.blobKeys()).toEqual(before.blobs);
    expect(await h.tmpFiles()).toEqual([]);
  });
});
