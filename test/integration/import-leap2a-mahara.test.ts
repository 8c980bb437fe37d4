import { showcasesDb } from '../../server/modules/showcases/showcase-tables.ts';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../server/db/database.ts';
import { applyImport, previewImport, type ImportItem, type ImportPreview } from '../../server/modules/portability/import/import-archive.ts';
import { MediaFiles } from '../../server/modules/portability/import/import-media.ts';
import { readFeed } from '../../server/modules/portability/import/leap2a-feed.ts';
import { planLeap2a } from '../../server/modules/portability/import/leap2a-plan.ts';
import { parseXml } from '../../server/modules/portability/import/safe-xml.ts';
import { type ImportHarness, localHarness, schoolState } from '../fixtures/hostile/import-harness.ts';
import { buildZip } from '../fixtures/hostile/make-hostile.ts';
import { audioWithTags, jpegWithGps, mp4WithLocation, phoneVideo } from '../fixtures/make-fixtures.ts';
import { makeArtefact, makeSchool, makeUser } from '../helpers/factories.ts';
import { openTestDatabase } from '../helpers/test-db.ts';

// Two generations of Mahara's LEAP2A export (test/fixtures/leap2a/mahara-18.04.xml and
// mahara-23.04.xml, written after Mahara's exporter templates) with real media, imported end to end.

const FIXTURES = path.join(import.meta.dirname, '../fixtures/leap2a');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const FILES = [
  [20, 'photo.jpg'],
  [21, 'notes.pdf'],
  [22, 'voice.mp3'],
  [23, 'clip.mp4'],
  [24, 'phone.3gp'],
  [25, 'video.mkv'],
] as const;

/** Where each generation keeps its files: 18.04 numbers them in export order, 22.10+ by artefact id. */
const GENERATIONS = [
  {
    name: '18.04',
    xml: 'mahara-18.04.xml',
    year: '2018',
    file: (id: number, i: number, name: string) => `files/${i}-${name}`,
    // 18.04 named the commenter; 22.10+ writes "Imported feedback" for everyone.
    authors: { 'portfolio:artefact30': 'Opettaja Olli', 'portfolio:artefact31': 'Vieras Ville', 'portfolio:artefact32': 'Opettaja Olli' },
  },
  {
    name: '23.04',
    xml: 'mahara-23.04.xml',
    year: '2023',
    file: (id: number, _i: number, name: string) => `export_info/files/${id}-${name}`,
    authors: { 'portfolio:artefact30': '', 'portfolio:artefact31': '', 'portfolio:artefact32': '' },
  },
] as const;
type Generation = (typeof GENERATIONS)[number];

let database: DatabaseHandle;
let h: ImportHarness;
let dir: string;
let schoolId: string;
const media = new Map<string, Buffer>();

beforeAll(async () => {
  database = await openTestDatabase();
  h = await localHarness();
  dir = await mkdtemp(path.join(tmpdir(), 'polku-mahara-'));
  schoolId = (await makeSchool(database.db)).id;
  const made = {
    'photo.jpg': await jpegWithGps(dir),
    'voice.mp3': await audioWithTags(dir, 'mp3'),
    'clip.mp4': await mp4WithLocation(dir),
    'phone.3gp': await phoneVideo(dir, '3gp'),
    'video.mkv': await phoneVideo(dir, 'mkv'),
  };
  for (const [name, file] of Object.entries(made)) media.set(name, await readFile(file));
  media.set('notes.pdf', PDF);
}, 60_000);
afterAll(async () => {
  await h?.close();
  await database?.close();
  await rm(dir, { recursive: true, force: true });
});

async function maharaZip(g: Generation, name: string): Promise<string> {
  const xml = await readFile(path.join(FIXTURES, g.xml));
  const files = FILES.map(([id, file], i) => ({ name: g.file(id, i, file), data: media.get(file) ?? Buffer.alloc(0) }));
  const out = path.join(dir, `${g.name}-${name}`);
  await writeFile(out, buildZip([{ name: 'leap2a.xml', data: xml }, ...files]));
  return out;
}

function item(preview: ImportPreview, sourceId: string): ImportItem {
  const found = preview.items.find((i) => i.sourceId === sourceId);
  if (!found) throw new Error(`no item ${sourceId}`);
  return found;
}

const apply = (filePath: string, pupilId: string) =>
  applyImport({ db: database.db, blobs: h.blobs, filePath, target: { kind: 'existing', pupilId }, actorId: pupilId, media: h.media });

async function artefactsOf(pupilId: string) {
  const rows = await database.db.selectFrom('artefacts').selectAll().where('ownerId', '=', pupilId).execute();
  return new Map(rows.map((a) => [a.origin?.id ?? a.id, a]));
}

describe.each(GENERATIONS)('a Mahara $name LEAP2A export', (g) => {
  it('previews what each entry becomes, with the learner’s profile', async () => {
    const pupil = await makeUser(database.db, { role: 'pupil', schoolId });
    const preview = await previewImport({ db: database.db, filePath: await maharaZip(g, 'preview.zip'), target: { kind: 'existing', pupilId: pupil.id } });
    expect(preview).toMatchObject({ format: 'leap2a', sourceVersion: '2010-07', pupilName: 'Aino Virtanen' });
    expect(preview.profile).toEqual([
      { field: 'legal_given_name', label: 'First name', value: 'Aino' },
      { field: 'legal_family_name', label: 'Last name', value: 'Virtanen' },
      { field: 'studentid', label: 'Student ID', value: 'S-1234' },
      { field: 'email', label: 'Email address', value: 'aino@example.org' },
    ]);
    expect(item(preview, 'portfolio:artefactinternal')).toMatchObject({ action: 'skip', reasonCode: 'learner-profile', reasonParams: { count: 4 } });
    // Issue 12 §3: a collection of pages is one showcase; its page a part of it.
    expect(item(preview, 'portfolio:view5')).toMatchObject({
      type: 'showcase',
      action: 'create',
      reasonCode: 'page-in-collection',
      reasonParams: { title: `Syksy ${g.year}` },
    });
    expect(item(preview, 'portfolio:collection1')).toMatchObject({
      type: 'showcase',
      action: 'create',
      reasonCode: 'collection-as-showcase',
      reasonParams: { count: 1 },
    });
    expect(item(preview, 'portfolio:artefact10')).toMatchObject({
      type: 'project',
      action: 'create',
      reasonCode: 'project-created',
      reasonParams: { count: 2 },
    });
    for (const id of ['portfolio:artefact20', 'portfolio:artefact21'])
      expect(item(preview, id)).toMatchObject({ action: 'create', reasonCode: 'attachment-of-post', reasonParams: { title: 'Retki' } });
    expect(item(preview, 'portfolio:artefact40')).toMatchObject({ action: 'create', reasonCode: 'plan-with-tasks', reasonParams: { count: 2 } });
    for (const id of ['portfolio:artefact41', 'portfolio:artefact42'])
      expect(item(preview, id)).toMatchObject({ action: 'create', reasonCode: 'task-in-plan', reasonParams: { title: 'Kevään tavoitteet' } });
    // Teacher comments (Mahara's "mahara:artefactplugin type=comment" in either namespace) are imported feedback;
    // Mahara's "Imported feedback" placeholder is an unknown author.
    // A comment on the page (portfolio:artefact31) has no thread in a showcase: reported, not imported.
    for (const [id, author] of Object.entries(g.authors).filter(([x]) => x !== 'portfolio:artefact31'))
      expect(item(preview, id)).toMatchObject({
        type: 'feedback',
        action: 'create',
        ...(author ? { reasonCode: 'feedback-imported', reasonParams: { author } } : { reasonCode: 'feedback-imported-anonymous' }),
      });
    // File names without Mahara's export prefix.
    const photoItem = preview.items.find((i) => i.type === 'media' && i.sourceId.endsWith('photo.jpg'));
    expect(photoItem).toMatchObject({ title: 'photo.jpg', action: 'create' });
    expect(item(preview, 'portfolio:artefact31')).toMatchObject({ type: 'feedback', action: 'unmapped', reasonCode: 'comment-on-unimported' });
  });

  it('imports pages, a collection, a journal with attachments, a plan with tasks and comments; a second import changes nothing', async () => {
    const pupil = await makeUser(database.db, { role: 'pupil', schoolId });
    const file = await maharaZip(g, 'apply.zip');
    const report = await apply(file, pupil.id);
    // 1 project (the journal); posts, plan, mp3, mp4 (+ 3GP/MKV where media-formats accepts them); the collection is a showcase.
    expect(report.created.projects).toBe(1);
    // Comments on the post and a task; the page's comment has no thread to go to in a showcase (reported, not imported).
    expect(report.created.feedback).toBe(2);
    expect(item(report, 'portfolio:artefact31')).toMatchObject({ type: 'feedback', action: 'unmapped', reasonCode: 'comment-on-unimported' });
    // The report lists the profile too: nothing of it goes unmentioned.
    expect(report.profile?.map((f) => f.value)).toEqual(['Aino', 'Virtanen', 'S-1234', 'aino@example.org']);
    const db = database.db;
    const a = await artefactsOf(pupil.id);
    const get = (id: string) => {
      const found = a.get(id);
      if (!found) throw new Error(`no artefact ${id}`);
      return found;
    };
    for (const id of ['portfolio:artefact20', 'portfolio:artefact21', 'portfolio:artefact41', 'portfolio:artefact42']) expect(a.has(id), id).toBe(false);
    const [post, untitled, plan, voice, clip] = ['11', '12', '40', '22', '23'].map((n) => get(`portfolio:artefact${n}`));
    if (!post || !untitled || !plan || !voice || !clip) throw new Error('missing');
    expect(report.created.artefacts).toBe(a.size);
    expect([...a.keys()].filter((k) => !['portfolio:artefact24', 'portfolio:artefact25'].includes(k)).sort()).toEqual(
      ['portfolio:artefact11', 'portfolio:artefact12', 'portfolio:artefact22', 'portfolio:artefact23', 'portfolio:artefact40'].sort(),
    );

    // The post's attachment and embedded image are its media; the <img> points at the stored image.
    const postMedia = await db.selectFrom('mediaItems').selectAll().where('artefactId', '=', post.id).orderBy('position').execute();
    expect(postMedia.map((m) => m.originalName)).toEqual(['photo.jpg', 'notes.pdf']);
    expect(post.bodyHtml).toContain(`<a href="/api/media/${postMedia[0]?.id}/display"`);
    expect(post.bodyHtml).toContain('Metsäkuva');
    expect(post.subjectCodes).toEqual(['BI']);
    // An untitled post is named in the pupil's language (no locale: Finnish); Mahara's download link points at the imported file.
    expect(untitled.title).toBe('Nimetön');
    expect(untitled.bodyHtml).toContain(`href="/artefacts/${voice.id}"`);
    expect((await db.selectFrom('mediaItems').select('originalName').where('artefactId', '=', voice.id).executeTakeFirstOrThrow()).originalName).toBe(
      'voice.mp3',
    );

    // The collection: one private showcase holding its page (title and description), then the page's text blocks and the
    // work its blocks show, in layout order (top to bottom, then left to right), each work once.
    const sdb = showcasesDb(db);
    const showcase = await sdb.selectFrom('showcases').selectAll().where('ownerId', '=', pupil.id).executeTakeFirstOrThrow();
    expect(showcase).toMatchObject({ title: `Syksy ${g.year}`, visibility: 'private', origin: { source: 'leap2a:mahara', id: 'portfolio:collection1' } });
    const parts = await sdb.selectFrom('showcaseItems').selectAll().where('showcaseId', '=', showcase.id).orderBy('position').execute();
    expect(parts.map((x) => [x.artefactId, x.heading])).toEqual([
      [null, 'Sieniretki'],
      [null, 'Johdanto'],
      [clip.id, ''],
      [voice.id, ''],
      [null, 'Lopuksi'],
    ]);
    expect(parts[1]?.bodyHtml).toMatch(/Ensin(&nbsp;|\u00a0| )tämä\./);
    expect(parts[4]?.bodyHtml).toBe('<p>Sitten tuo.</p>');
    if (g.name === '23.04') expect(parts[0]?.bodyHtml).toMatch(/Syksyn(&nbsp;|\u00a0)retki metsään…/);

    // The journal is a project holding its posts; the page's work stays outside any project.
    const projects = await db
      .selectFrom('projects')
      .selectAll()
      .where('id', '=', post.projectId ?? '')
      .execute();
    expect(projects.map((p) => p.title)).toEqual(['Oppimispäiväkirja']);
    expect(untitled.projectId).toBe(post.projectId);
    expect([clip.projectId, voice.projectId]).toEqual([null, null]);

    // One plan with its tasks as a checklist.
    expect(plan.bodyHtml).toContain(`☑ <strong>Lue kirja</strong> (${g.year}-03-01)`);
    expect(plan.bodyHtml).toContain(`☐ <strong>Pidä esitelmä</strong> (${g.year}-05-15)`);

    // Comments on the post and a task (its plan): imported, author unknown, never the pupil.
    const feedback = await db.selectFrom('feedback').selectAll().where('artefactId', 'in', [post.id, plan.id]).execute();
    expect(feedback.map((f) => [f.artefactId, f.body, f.authorId, f.importedAuthor?.displayName]).sort()).toEqual(
      [
        [post.id, 'Hieno havainto!', null, g.authors['portfolio:artefact30']],
        [plan.id, 'Muista harjoitella.', null, g.authors['portfolio:artefact32']],
      ].sort(),
    );

    // Importing the same export again changes nothing.
    const before = await schoolState(db, schoolId);
    const keys = await h.blobKeys();
    const again = await apply(file, pupil.id);
    expect(again.counts.create).toBe(0);
    expect(again.created).toEqual({ projects: 0, artefacts: 0, media: 0, feedback: 0 });
    expect(item(again, 'portfolio:collection1')).toMatchObject({ action: 'skip', reasonCode: 'imported-before' });
    expect(await sdb.selectFrom('showcases').select('id').where('ownerId', '=', pupil.id).execute()).toHaveLength(1);
    expect(await schoolState(db, schoolId)).toEqual({ ...before, audit: (before.audit ?? 0) + 1 });
    expect(await h.blobKeys()).toEqual(keys);
  });
});

describe('Mahara feeds, other rules', () => {
  it('plain categories become tags of the planned artefact; subject names stay subjects', async () => {
    const feed = readFeed(parseXml(await readFile(path.join(FIXTURES, 'mahara-23.04.xml')), 10_000_000, 'leap2a.xml'), 'leap2a.xml');
    const files = await MediaFiles.create(null, dir, false);
    try {
      const plan = await planLeap2a({ db: database.db, feed, files, pupilId: null, schoolId: null });
      const rowOf = (id: string) => plan.artefacts.find((x) => x.row?.origin?.id === id)?.row;
      expect(rowOf('portfolio:artefact11')).toMatchObject({ tags: ['metsä'], subjectCodes: ['BI'] });
      // A page is a showcase now (issue 12 §3), which has no tags.
      expect(plan.showcases?.map((x) => x.title)).toEqual(['Syksy 2023']);
      expect(rowOf('portfolio:artefact12')?.tags).toEqual([]);
    } finally {
      await files.close();
    }
  });

  it('importing into a second pupil neither skips what the first imported nor files work into their projects', async () => {
    const g = GENERATIONS[1];
    const file = await maharaZip(g, 'two-pupils.zip');
    const first = await makeUser(database.db, { role: 'pupil', schoolId });
    await apply(file, first.id);
    const firstPost = (await artefactsOf(first.id)).get('portfolio:artefact11');
    const firstProject = firstPost?.projectId;
    if (!firstProject) throw new Error('no project');
    // The second pupil also has work in the first pupil's imported project (filed there by hand).
    const second = await makeUser(database.db, { role: 'pupil', schoolId });
    await database.db.updateTable('users').set({ locale: 'sv' }).where('id', '=', second.id).execute();
    await makeArtefact(database.db, { ownerId: second.id, projectId: firstProject, title: 'Egen' });

    const preview = await previewImport({ db: database.db, filePath: file, target: { kind: 'existing', pupilId: second.id } });
    expect(preview.items.filter((i) => i.reasonCode === 'imported-before')).toEqual([]);
    expect(item(preview, 'portfolio:collection1')).toMatchObject({ action: 'create' });
    const report = await apply(file, second.id);
    expect(report.created.projects).toBe(1);
    const mine = await artefactsOf(second.id);
    const post = mine.get('portfolio:artefact11');
    expect(post?.projectId).toBeTruthy();
    expect(post?.projectId).not.toBe(firstProject);
    // Each pupil has their own showcase of the collection.
    expect(await showcasesDb(database.db).selectFrom('showcases').select('id').where('ownerId', '=', second.id).execute()).toHaveLength(1);
    expect(mine.get('portfolio:artefact12')?.title).toBe('Utan rubrik');
    const inFirst = await database.db.selectFrom('artefacts').select('ownerId').where('projectId', '=', firstProject).execute();
    expect(inFirst.filter((r) => r.ownerId === second.id)).toHaveLength(1);
  });

  it('a post’s enclosures and has_attachment files are its media, not artefacts of their own', async () => {
    const pupil = await makeUser(database.db, { role: 'pupil', schoolId });
    const xml = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:leap2="http://terms.leapspecs.org/">
  <leap2:version>http://www.leapspecs.org/2010-07/2A/</leap2:version>
  <title>T</title>
  <entry><id>post1</id><title>Post</title><content>Text</content><rdf:type rdf:resource="leap2:entry"/>
    <link rel="enclosure" type="application/pdf" href="files/direct.pdf"/>
    <link rel="leap2:has_attachment" href="file1"/></entry>
  <entry><id>file1</id><title>photo.jpg</title><content/><rdf:type rdf:resource="leap2:resource"/>
    <link rel="enclosure" type="image/jpeg" href="files/photo.jpg"/></entry>
</feed>`;
    const out = path.join(dir, 'attachments.zip');
    const photo = media.get('photo.jpg') ?? Buffer.alloc(0);
    await writeFile(
      out,
      buildZip([
        { name: 'leap2a.xml', data: Buffer.from(xml) },
        { name: 'files/direct.pdf', data: PDF },
        { name: 'files/photo.jpg', data: photo },
      ]),
    );
    const report = await apply(out, pupil.id);
    expect(item(report, 'file1')).toMatchObject({ action: 'create', reasonCode: 'attachment-of-post', reasonParams: { title: 'Post' } });
    const a = await artefactsOf(pupil.id);
    expect([...a.keys()]).toEqual(['post1']);
    const post = a.get('post1');
    const stored = await database.db
      .selectFrom('mediaItems')
      .select('originalName')
      .where('artefactId', '=', post?.id ?? '')
      .orderBy('position')
      .execute();
    expect(stored.map((m) => m.originalName)).toEqual(['direct.pdf', 'photo.jpg']);
    expect(post?.kind).toBe('text');
  });

  it('reads HTML named entities without a DTD, and still refuses a DTD and undefined entities', async () => {
    const pupil = await makeUser(database.db, { role: 'pupil', schoolId });
    const target = { kind: 'existing' as const, pupilId: pupil.id };
    const feed = (body: string, doctype = '') =>
      `<?xml version="1.0" encoding="utf-8"?>${doctype}<feed xmlns="http://www.w3.org/2005/Atom" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><title>T</title><entry><id>e1</id><title>Caf&eacute;&nbsp;&hellip;</title><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">${body}</div></content></entry></feed>`;
    const xmlFile = async (name: string, text: string) => {
      const p = path.join(dir, name);
      await writeFile(p, text);
      return p;
    };
    const ok = await previewImport({ db: database.db, filePath: await xmlFile('entities.xml', feed('<p>a&nbsp;b &copy; &mdash;</p>')), target });
    expect(item(ok, 'e1')).toMatchObject({ title: 'Café\u00a0…', action: 'create' });
    const laughs = '<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">';
    await expect(
      previewImport({ db: database.db, filePath: await xmlFile('bomb.xml', feed('<p>&lol2;</p>', `<!DOCTYPE feed [${laughs}]>`)), target }),
    ).rejects.toMatchObject({
      code: 'xml-dtd',
    });
    await expect(previewImport({ db: database.db, filePath: await xmlFile('bogus.xml', feed('<p>&bogus;</p>')), target })).rejects.toMatchObject({
      code: 'xml-malformed',
    });
  });
});
