import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';
import { SaxesParser } from 'saxes';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Artefact } from '../../shared/api/artefacts.ts';
import type { Feedback } from '../../shared/api/feedback.ts';
import type { Project } from '../../shared/api/projects.ts';
import { ARCHIVE_PATHS, VOLATILE_FIELDS, portfolioDocumentSchema, type PortfolioDocument } from '../../shared/portability/portfolio-format.ts';
import { loadPortfolioDocument, writeExportArchive, type ExportOptions, type ExportProgress } from '../../server/modules/portability/export/export-archive.ts';
import { backfillVariantDigests } from '../../server/modules/portability/export/variant-digests.ts';
import { blobKey, type BlobStore } from '../../server/storage/blob-store.ts';
import { openBlobStore } from '../../server/storage/open-blob-store.ts';
import { makeArtefact, makeTwoSchools, makeUser } from '../helpers/factories.ts';
import { postSampleProject } from '../helpers/sample-project.ts';
import { startS3Server, type S3TestServer } from '../helpers/s3-server.ts';
import { artefactForm as form, wavTone } from '../helpers/artefact-upload.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { readZip } from '../helpers/zip.ts';

const run = promisify(execFile);

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Removes the JSON pointers of VOLATILE_FIELDS (`*` = any index). */
function withoutVolatile(doc: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
  for (const pointer of VOLATILE_FIELDS) {
    const parts = pointer.split('/').slice(1);
    const drop = (node: unknown, i: number): void => {
      if (node === null || typeof node !== 'object') return;
      const part = parts[i] ?? '';
      const record = node as Record<string, unknown>;
      const keys = part === '*' ? Object.keys(record) : [part];
      for (const key of keys) {
        if (i === parts.length - 1) delete record[key];
        else drop(record[key], i + 1);
      }
    };
    drop(copy, 0);
  }
  return copy;
}

interface LeapEntry {
  id: string;
  type: string;
  categories: Array<{ scheme: string; term: string }>;
  links: Array<Record<string, string>>;
  inReplyTo: string | null;
  hasPolkuData: boolean;
  contentType: string | null;
}

/** Parses leap2a.xml strictly (namespaces on) and lists the feed's entries. */
function parseLeap(xml: string): { version: string | null; authorUri: string | null; entries: LeapEntry[] } {
  const parser = new SaxesParser({ xmlns: true });
  const entries: LeapEntry[] = [];
  const path: string[] = [];
  let version: string | null = null;
  let authorUri: string | null = null;
  let entry: LeapEntry | null = null;
  let text = '';
  parser.on('opentag', (tag) => {
    const key = `${tag.uri}|${tag.local}`;
    path.push(key);
    text = '';
    const attr = (name: string) => {
      const a = tag.attributes[name];
      return a && typeof a !== 'string' ? a.value : '';
    };
    if (key === 'http://www.w3.org/2005/Atom|entry')
      entry = { id: '', type: '', categories: [], links: [], inReplyTo: null, hasPolkuData: false, contentType: null };
    if (!entry) return;
    if (key === 'http://www.w3.org/1999/02/22-rdf-syntax-ns#|type') entry.type = attr('rdf:resource');
    if (key === 'http://www.w3.org/2005/Atom|category') entry.categories.push({ scheme: attr('scheme'), term: attr('term') });
    if (key === 'http://www.w3.org/2005/Atom|link') {
      const link: Record<string, string> = {};
      for (const [name, a] of Object.entries(tag.attributes)) link[name] = typeof a === 'string' ? a : a.value;
      entry.links.push(link);
    }
    if (key === 'http://purl.org/syndication/thread/1.0|in-reply-to') entry.inReplyTo = attr('ref');
    if (key === 'https://polku.fi/ns/leap2a-extension/1|data') entry.hasPolkuData = true;
    if (key === 'http://www.w3.org/2005/Atom|content' && path.length === 3) entry.contentType = attr('type');
  });
  parser.on('text', (t) => (text += t));
  parser.on('closetag', () => {
    const key = path.pop();
    if (key === 'http://terms.leapspecs.org/|version' && path.length === 1) version = text;
    if (key === 'http://www.w3.org/2005/Atom|uri' && path.length === 2) authorUri = text;
    if (key === 'http://www.w3.org/2005/Atom|id' && path.length === 2 && entry) entry.id = text;
    if (key === 'http://www.w3.org/2005/Atom|entry' && entry) {
      entries.push(entry);
      entry = null;
    }
  });
  parser.write(xml).close();
  return { version, authorUri, entries };
}

/** Relative href/src targets of a page, resolved against the archive root. */
function localReferences(page: string, html: string): string[] {
  const dir = path.posix.dirname(page);
  return [...html.matchAll(/\s(?:href|src|poster)="([^"]*)"/g)]
    .map((m) => m[1] ?? '')
    .filter((ref) => !/^(https?:|mailto:|#)/.test(ref))
    .map((ref) => path.posix.normalize(path.posix.join(dir, ref.split('#')[0] ?? '')));
}

for (const storeKind of ['local', 's3'] as const) {
  describe(`portfolio export archive (${storeKind} blob store)`, () => {
    let app: TestApp;
    let s3: S3TestServer | null = null;
    let blobs: BlobStore;
    let w: Awaited<ReturnType<typeof makeTwoSchools>>;
    let workDir: string;
    let project: Project;
    let shared: Artefact;
    let privateOne: Artefact;
    let legacyKey: string;
    let legacyBytes: Buffer;
    let legacy: Awaited<ReturnType<typeof makeArtefact>>;
    let deleted: Awaited<ReturnType<typeof makeArtefact>>;

    async function exportTo(name: string, options: Partial<ExportOptions> = {}) {
      const file = path.join(workDir, name);
      const result = await writeExportArchive(
        { db: app.database.db, blobs, pupilId: w.pupil.id, scope: 'full', locale: 'fi', ...options },
        createWriteStream(file),
      );
      return { file, result, entries: await readZip(file) };
    }

    beforeAll(async () => {
      workDir = await mkdtemp(path.join(tmpdir(), 'polku-export-test-'));
      if (storeKind === 's3') {
        s3 = await startS3Server();
        blobs = await openBlobStore(
          {
            kind: 's3',
            endpoint: s3.endpoint,
            bucket: s3.bucket,
            region: s3.region,
            accessKeyId: s3.accessKeyId,
            secretAccessKey: s3.secretAccessKey,
            forcePathStyle: true,
          },
          { secret: 'test-secret-that-is-long-enough-for-signing' },
        );
        app = await startTestApp({ blobs });
      } else {
        app = await startTestApp();
        blobs = app.polku.blobs;
      }
      const db = app.database.db;
      w = await makeTwoSchools(db);
      const [pupil, teacher] = await Promise.all([app.as(w.pupil.username), app.as(w.teacher.username)]);

      project = await postSampleProject(teacher, db, { schoolId: w.schoolA.id, groupId: w.group.id });

      const photo = await sharp({ create: { width: 120, height: 80, channels: 3, background: '#3a7' } })
        .jpeg()
        .toBuffer();
      const created = await pupil.post<Artefact>(
        '/api/artefacts',
        form(
          {
            title: 'Jää sulaa',
            bodyHtml: '<p>Jää suli <strong>kymmenessä</strong> minuutissa &amp; vesi lämpeni.</p><p>Toinen<br>rivi</p>',
            projectId: project.id,
            phaseId: project.phases[1]?.id,
            status: 'ready',
            subjectCodes: ['FY'],
            competenceIds: ['basic:L4'],
            goalIds: [project.goals[0]?.id],
            links: [{ url: 'https://example.org/jaa', title: 'Lisää jäästä' }],
          },
          [
            { name: 'jaa.jpg', type: 'image/jpeg', bytes: photo },
            { name: 'aani.wav', type: 'audio/wav', bytes: wavTone() },
          ],
        ),
      );
      expect(created.status, created.text).toBe(201);
      const edited = await pupil.patch<Artefact>(`/api/artefacts/${created.body.id}`, { title: 'Jää sulaa nopeasti', visibility: 'guardians' });
      expect(edited.status, edited.text).toBe(200);
      shared = edited.body;
      const note = await teacher.post<Feedback>(`/api/artefacts/${shared.id}/feedback`, { body: 'Hyvä mittaus!\n\nMitä tapahtuu suolalle?' });
      const reply = await pupil.post<Feedback>(`/api/artefacts/${shared.id}/feedback`, { body: 'Se sulattaa jään <nopeammin>.', parentId: note.body.id });
      expect(reply.status).toBe(201);
      await db
        .insertInto('feedback')
        .values({
          artefactId: shared.id,
          authorId: null,
          parentId: reply.body.id,
          body: 'Tuotu kommentti',
          importedAuthor: JSON.stringify({ id: null, displayName: 'Maija Mahara', role: 'teacher' }),
        })
        .execute();

      const secret = await sharp({ create: { width: 60, height: 60, channels: 3, background: '#a13' } })
        .png()
        .toBuffer();
      privateOne = (
        await pupil.post<Artefact>(
          '/api/artefacts',
          form({ title: 'Oma luonnos', projectId: project.id }, [{ name: 'oma.png', type: 'image/png', bytes: secret }]),
        )
      ).body;

      // A row written before digests were recorded, pointing twice at one object: the export backfills it.
      legacyBytes = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#44c' } })
        .png()
        .toBuffer();
      legacyKey = blobKey('media', randomBytes(12).toString('hex'));
      await blobs.putStream(legacyKey, Readable.from([legacyBytes]), { contentType: 'image/png', size: legacyBytes.length });
      legacy = await makeArtefact(db, { ownerId: w.pupil.id, visibility: 'guardians', title: 'Vanha kuva', mediaKey: legacyKey });
      deleted = await makeArtefact(db, { ownerId: w.pupil.id, title: 'Poistettu työ', deleted: true });
    });

    afterAll(async () => {
      await app?.close();
      if (storeKind === 's3') await blobs?.close();
      await s3?.close();
      if (workDir) await rm(workDir, { recursive: true, force: true });
    });

    it('uploads record a digest of every stored variant', async () => {
      const rows = await app.database.db
        .selectFrom('mediaItems')
        .select(['variants', 'variantDigests', 'sha256'])
        .where('artefactId', '=', shared.id)
        .execute();
      expect(rows).toHaveLength(2);
      for (const row of rows) {
        expect(Object.keys(row.variantDigests).sort()).toEqual(Object.keys(row.variants).sort());
        expect(row.variantDigests.original?.sha256).toBe(row.sha256);
        for (const [variant, key] of Object.entries(row.variants)) {
          const chunks: Buffer[] = [];
          for await (const c of await blobs.getStream(key)) chunks.push(c as Buffer);
          expect(row.variantDigests[variant as 'original']?.sha256).toBe(sha256(Buffer.concat(chunks)));
        }
      }
    });

    it('writes a complete archive whose every file is listed once and verifies', async () => {
      const progress: ExportProgress[] = [];
      const { file, result, entries } = await exportTo('full.zip', { onProgress: (p) => progress.push(p) });
      const names = entries.map((e) => e.name);
      expect(new Set(names).size).toBe(names.length);
      expect(result.entries).toBe(entries.length);
      for (const required of [ARCHIVE_PATHS.site, ARCHIVE_PATHS.document, ARCHIVE_PATHS.schema, ARCHIVE_PATHS.leap2a, ARCHIVE_PATHS.manifest])
        expect(names).toContain(required);
      expect(names.at(-1)).toBe(ARCHIVE_PATHS.manifest);

      const byName = new Map(entries.map((e) => [e.name, e]));
      const sums = (byName.get(ARCHIVE_PATHS.manifest)?.bytes.toString('utf8') ?? '').split('\n').filter(Boolean);
      const listed = sums.map((line) => {
        const match = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
        expect(match, line).not.toBeNull();
        return { hash: match?.[1] ?? '', name: match?.[2] ?? '' };
      });
      expect(listed.map((l) => l.name).sort()).toEqual(names.filter((n) => n !== ARCHIVE_PATHS.manifest).sort());
      for (const { hash, name } of listed) expect(sha256(byName.get(name)?.bytes ?? Buffer.alloc(0)), name).toBe(hash);
      // Media are stored as they are; text is deflated.
      for (const e of entries) expect(e.compressionMethod, e.name).toBe(e.name.startsWith('files/') ? 0 : 8);

      // The same check a person would run on the unpacked archive.
      const unpacked = path.join(workDir, 'unpacked-full');
      for (const e of entries) {
        await mkdir(path.dirname(path.join(unpacked, e.name)), { recursive: true });
        await writeFile(path.join(unpacked, e.name), e.bytes);
      }
      if (existsSync('/usr/bin/sha256sum')) {
        const { stdout } = await run('sha256sum', ['-c', '--strict', ARCHIVE_PATHS.manifest], { cwd: unpacked });
        expect(stdout.trim().split('\n')).toHaveLength(listed.length);
      }

      const phases = new Set(progress.map((p) => p.phase));
      expect([...phases]).toEqual(['collecting', 'media', 'pages', 'finishing']);
      const mediaBytes = entries.filter((e) => e.name.startsWith('files/')).reduce((n, e) => n + e.bytes.length, 0);
      expect(progress.at(-1)).toMatchObject({ phase: 'finishing', bytes: mediaBytes });
      expect(result.bytes).toBeGreaterThan(mediaBytes);
      expect(file).toMatch(/full\.zip$/);
    });

    it('portfolio.json holds the whole portfolio, and media hashes match the files', async () => {
      const { entries } = await exportTo('doc.zip');
      const byName = new Map(entries.map((e) => [e.name, e.bytes]));
      const doc: PortfolioDocument = portfolioDocumentSchema.parse(JSON.parse(byName.get(ARCHIVE_PATHS.document)?.toString('utf8') ?? ''));
      expect(doc.pupil).toMatchObject({ id: w.pupil.id, username: w.pupil.username });
      expect(doc.artefacts.map((a) => a.id)).toEqual([legacy.id, privateOne.id, shared.id]);
      expect(doc.artefacts.map((a) => a.id)).not.toContain(deleted.id);

      const a = doc.artefacts.find((x) => x.id === shared.id);
      expect(a).toMatchObject({
        title: 'Jää sulaa nopeasti',
        visibility: 'guardians',
        projectId: project.id,
        phaseId: project.phases[1]?.id,
        goalIds: [project.goals[0]?.id],
        links: [{ url: 'https://example.org/jaa', title: 'Lisää jäästä' }],
      });
      expect(a?.versions.map((v) => v.version)).toEqual([1, 2]);
      expect(a?.versions[0]).toMatchObject({ title: 'Jää sulaa', visibility: 'private', author: { id: w.pupil.id, role: 'pupil', imported: false } });
      expect(a?.feedback.map((f) => f.body)).toEqual(['Hyvä mittaus!\n\nMitä tapahtuu suolalle?', 'Se sulattaa jään <nopeammin>.', 'Tuotu kommentti']);
      const [note, reply, imported] = a?.feedback ?? [];
      expect(note?.author).toMatchObject({ id: w.teacher.id, role: 'teacher', imported: false });
      expect(reply?.parentId).toBe(note?.id);
      expect(imported).toMatchObject({ parentId: reply?.id, author: { id: null, displayName: 'Maija Mahara', role: 'teacher', imported: true } });
      expect(a?.media.map((m) => m.kind)).toEqual(['image', 'audio']);
      expect(Object.keys(a?.media[0]?.files ?? {}).sort()).toEqual(['display', 'original', 'thumb']);

      for (const artefact of doc.artefacts) {
        for (const media of artefact.media) {
          for (const f of Object.values(media.files)) {
            const bytes = byName.get(f.path);
            expect(bytes, f.path).toBeDefined();
            expect(sha256(bytes ?? Buffer.alloc(0))).toBe(f.sha256);
            expect(bytes?.length).toBe(f.size);
          }
          expect(media.files.original?.sha256).toBe(media.sha256);
        }
      }
      // The legacy row's two variants are one object: one file, named once, and its digests saved.
      const old = doc.artefacts.find((x) => x.id === legacy.id)?.media[0];
      expect(old?.files.original?.path).toBe(`files/${sha256(legacyBytes)}.png`);
      expect(old?.files.thumb?.path).toBe(old?.files.original?.path);
      const saved = await app.database.db
        .selectFrom('mediaItems')
        .select('variantDigests')
        .where('id', '=', legacy.mediaId ?? '')
        .executeTakeFirstOrThrow();
      expect(saved.variantDigests).toEqual({
        original: { sha256: sha256(legacyBytes), size: legacyBytes.length },
        thumb: { sha256: sha256(legacyBytes), size: legacyBytes.length },
      });
      // Saved digests are used from then on: the next export hashes nothing.
      expect(await backfillVariantDigests(app.database.db, blobs, w.pupil.id)).toBe(0);

      const p = doc.projects.find((x) => x.id === project.id);
      expect(p).toMatchObject({ title: 'Vesi ympärillämme', phases: project.phases, goals: project.goals, schoolYear: '2026-2027' });
      expect(p?.teachers).toEqual(
        [
          { id: null, displayName: 'Opettaja Muualta', role: 'teacher', imported: true },
          { id: w.teacher.id, displayName: w.teacher.displayName, role: 'teacher', imported: false },
        ].sort((x, y) => x.displayName.localeCompare(y.displayName, 'fi')),
      );
      expect(doc.reference.subjects.map((s) => s.code).sort()).toEqual(['BI', 'FY']);
      expect(doc.reference.competences.map((c) => c.id).sort()).toEqual(['basic:L1', 'basic:L4']);
      expect(doc.reference.subjects.find((s) => s.code === 'BI')?.labels.fi).toBeTruthy();

      const schema = JSON.parse(byName.get(ARCHIVE_PATHS.schema)?.toString('utf8') ?? '{}') as { $id?: string };
      expect(schema.$id).toMatch(/^https:\/\/polku\.fi\/schemas\/portfolio-v\d+\.json$/);
    });

    it('two exports of the same data are equal apart from the volatile fields', async () => {
      const first = await loadPortfolioDocument(app.database.db, w.pupil.id, 'full', 'fi');
      const { entries } = await exportTo('again.zip');
      const second = JSON.parse(entries.find((e) => e.name === ARCHIVE_PATHS.document)?.bytes.toString('utf8') ?? '') as unknown;
      expect(withoutVolatile(second)).toEqual(withoutVolatile(first.document));
      expect(withoutVolatile(first.document)).not.toHaveProperty('exportedAt');
    });

    it("scope 'shared' holds only what guardians see: no private artefact, none of its media", async () => {
      const full = await loadPortfolioDocument(app.database.db, w.pupil.id, 'full', 'fi');
      const privateFiles = Object.values(full.document.artefacts.find((a) => a.id === privateOne.id)?.media[0]?.files ?? {}).map((f) => f.path);
      expect(privateFiles.length).toBeGreaterThan(0);
      const { entries } = await exportTo('shared.zip', { scope: 'shared' });
      const names = entries.map((e) => e.name);
      const doc = portfolioDocumentSchema.parse(JSON.parse(entries.find((e) => e.name === ARCHIVE_PATHS.document)?.bytes.toString('utf8') ?? ''));
      expect(doc.scope).toBe('shared');
      expect(doc.artefacts.map((a) => a.id).sort()).toEqual([legacy.id, shared.id].sort());
      for (const f of privateFiles) expect(names).not.toContain(f);
      const everything = entries.map((e) => e.bytes.toString('latin1')).join('\n');
      expect(everything).not.toContain(privateOne.id);
      expect(everything).not.toContain('Oma luonnos');
      expect(doc.artefacts.find((a) => a.id === shared.id)?.feedback).toHaveLength(3);
    });

    it('leap2a.xml is a well-formed LEAP2A 2010-07 feed laid out for Mahara', async () => {
      const { entries } = await exportTo('leap.zip');
      const byName = new Map(entries.map((e) => [e.name, e.bytes]));
      const feed = parseLeap(byName.get(ARCHIVE_PATHS.leap2a)?.toString('utf8') ?? '');
      expect(feed.version).toBe('http://www.leapspecs.org/2010-07/2A/');
      const ids = new Map(feed.entries.map((e) => [e.id, e]));
      expect(ids.size).toBe(feed.entries.length);

      const person = ids.get(feed.authorUri ?? '');
      expect(person?.type).toBe('leap2:person');
      expect(person?.categories).toContainEqual({ scheme: 'categories:person_type#', term: 'Self' });

      const selection = ids.get(`urn:uuid:${project.id}`);
      expect(selection?.type).toBe('leap2:selection');
      expect(selection?.categories).toContainEqual({ scheme: 'categories:selection_type#', term: 'Grouping' });
      const parts = selection?.links.filter((l) => l.rel === 'leap2:has_part') ?? [];
      // The one-file piece is a member by its own is_part_of only (Mahara: a file, not a journal post).
      expect(parts.map((l) => l.href)).toEqual([`urn:uuid:${shared.id}`]);
      expect(ids.get(`urn:uuid:${privateOne.id}`)?.links).toContainEqual(expect.objectContaining({ rel: 'leap2:is_part_of', href: `urn:uuid:${project.id}` }));
      expect(parts.every((l) => /^\d+$/.test(l['leap2:display_order'] ?? ''))).toBe(true);

      const item = ids.get(`urn:uuid:${shared.id}`);
      expect(item?.type).toBe('leap2:resource');
      expect(item?.contentType).toBe('xhtml');
      expect(item?.categories).toContainEqual({ scheme: 'categories:resource_type#', term: 'Offline' });
      expect(item?.links).toContainEqual(expect.objectContaining({ rel: 'leap2:is_part_of', href: `urn:uuid:${project.id}` }));
      const enclosures = item?.links.filter((l) => l.rel === 'enclosure') ?? [];
      expect(enclosures).toHaveLength(2);
      for (const e of enclosures) {
        const bytes = byName.get(e.href ?? '');
        expect(bytes, e.href).toBeDefined();
        expect(String(bytes?.length)).toBe(e.length);
        expect(e.type).toMatch(/^(image|audio)\//);
      }
      expect(item?.hasPolkuData).toBe(true);
      expect(item?.categories.some((c) => c.scheme === '' && c.term.length > 0)).toBe(true); // the subject as a tag

      const web = feed.entries.find((e) => e.categories.some((c) => c.term === 'Web'));
      expect(web?.links).toContainEqual({ rel: 'alternate', href: 'https://example.org/jaa' });

      const abilities = feed.entries.filter((e) => e.type === 'leap2:ability');
      expect(abilities.map((e) => e.id).sort()).toEqual(['urn:polku:competence:basic%3AL1', 'urn:polku:competence:basic%3AL4']);
      expect(abilities.find((e) => e.id.endsWith('L4'))?.links).toContainEqual({ rel: 'leap2:has_evidence', href: `urn:uuid:${shared.id}` });

      const doc = portfolioDocumentSchema.parse(JSON.parse(byName.get(ARCHIVE_PATHS.document)?.toString('utf8') ?? ''));
      const [note, reply, imported] = doc.artefacts.find((a) => a.id === shared.id)?.feedback ?? [];
      expect(ids.get(`urn:uuid:${note?.id}`)?.inReplyTo).toBe(`urn:uuid:${shared.id}`);
      expect(ids.get(`urn:uuid:${reply?.id}`)?.inReplyTo).toBe(`urn:uuid:${note?.id}`);
      expect(ids.get(`urn:uuid:${imported?.id}`)?.inReplyTo).toBe(`urn:uuid:${reply?.id}`);
    });

    it('the offline site has a page for every project and artefact, linking only to files in the archive', async () => {
      const { entries } = await exportTo('site.zip');
      const byName = new Map(entries.map((e) => [e.name, e.bytes.toString('utf8')]));
      const pages = [ARCHIVE_PATHS.site, `site/project-${project.id}.html`, ...[legacy.id, privateOne.id, shared.id].map((id) => `site/artefact-${id}.html`)];
      for (const page of pages) {
        const html = byName.get(page);
        expect(html, page).toBeDefined();
        expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="fi">/);
        expect(html).not.toMatch(/<script/i);
        for (const ref of localReferences(page, html ?? '')) expect(byName.has(ref), `${page} → ${ref}`).toBe(true);
      }
      const index = byName.get(ARCHIVE_PATHS.site) ?? '';
      expect(index).toContain('Vesi ympärillämme');
      expect(index).toContain('Osaan kuvata veden olomuodot');
      expect(index).toContain('Tutkiminen');
      expect(index.indexOf('Vanha kuva')).toBeLessThan(index.indexOf('Jää sulaa nopeasti'));
      const page = byName.get(`site/artefact-${shared.id}.html`) ?? '';
      expect(page).toContain('<strong>kymmenessä</strong>');
      expect(page).toContain('Se sulattaa jään &lt;nopeammin&gt;.');
      expect(page).toContain('Maija Mahara');
      expect(page).toMatch(/<audio[^>]*controls/);
      expect(page).toMatch(/<img[^>]*alt="Jää sulaa nopeasti: Kuva 1"/);
      expect(page).toContain('Versio 1: Jää sulaa');
      expect(byName.get(`site/project-${project.id}.html`)).toContain('Tutkimme &lt;vettä&gt; &amp; jäätä.');
    });

    it('fails, and says so on the output, when a stored file has gone missing', async () => {
      const db = app.database.db;
      const other = await makeUser(db, { role: 'pupil', schoolId: w.schoolA.id });
      const gone = await makeArtefact(db, { ownerId: other.id, mediaKey: blobKey('media', randomBytes(12).toString('hex')) });
      const digest = { sha256: 'a'.repeat(64), size: 10 };
      await db
        .updateTable('mediaItems')
        .set({ variantDigests: JSON.stringify({ original: digest, thumb: digest }) })
        .where('id', '=', gone.mediaId ?? '')
        .execute();
      const output = createWriteStream(path.join(workDir, 'broken.zip'));
      const outputError = new Promise<unknown>((resolve) => output.once('error', resolve));
      await expect(writeExportArchive({ db, blobs, pupilId: other.id, scope: 'full', locale: 'sv' }, output)).rejects.toThrow(/No stored object/);
      expect(await outputError).toBeInstanceOf(Error);
    });

    it('stops on abort: the output errors and the promise rejects', async () => {
      const controller = new AbortController();
      const chunks: Buffer[] = [];
      let finished = false;
      const output = new Writable({
        write(chunk: Buffer, _enc, cb) {
          chunks.push(chunk);
          cb();
        },
        final(cb) {
          finished = true;
          cb();
        },
      });
      const outputError = new Promise<unknown>((resolve) => output.once('error', resolve));
      const exporting = writeExportArchive(
        {
          db: app.database.db,
          blobs,
          pupilId: w.pupil.id,
          scope: 'full',
          locale: 'fi',
          signal: controller.signal,
          onProgress: (p) => {
            if (p.phase === 'media') controller.abort();
          },
        },
        output,
      );
      await expect(exporting).rejects.toThrow(/abort/i);
      expect(await outputError).toBeInstanceOf(Error);
      expect(finished).toBe(false);
    });
  });
}
