import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Artefact } from '../../shared/api/artefacts.ts';
import { ARCHIVE_PATHS, type PortfolioDocument } from '../../shared/portability/portfolio-format.ts';
import { writeExportArchive } from '../../server/modules/portability/export/export-archive.ts';
import { ImportRejected, applyImport } from '../../server/modules/portability/import/import-archive.ts';
import { type ImportHarness, localHarness } from '../fixtures/hostile/import-harness.ts';
import { buildZip } from '../fixtures/hostile/make-hostile.ts';
import * as fx from '../fixtures/make-fixtures.ts';
import { makeSchool, makeTwoSchools } from '../helpers/factories.ts';
import { artefactForm as form, wavTone } from '../helpers/artefact-upload.ts';
import type { TestClient } from '../helpers/test-client.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { readZipMap as readZip } from '../helpers/zip.ts';

// Issue 9, items 9 and 15: a text file is served inert, and media Polku already cleaned come back
// from export → import → export byte for byte, without "cleaned" in the report; a file that does
// carry metadata is cleaned whatever the archive says about it.

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const run = promisify(execFile);

let app: TestApp;
let work: string;
let pupil: TestClient;
let created: Artefact;
let exported: string;
let h: ImportHarness;
const TEXT = '<!doctype html><html><body><script>alert(document.cookie)</script>Hei</body></html>\n';

/** A 1 s 3GP (MPEG-4 part 2 + AAC): browsers cannot play it, so the upload converts it. */
async function threeGp(dir: string): Promise<Buffer> {
  const file = path.join(dir, 'VID.3gp');
  await run(fx.FFMPEG, [
    '-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=duration=1:size=64x48:rate=10', '-f', 'lavfi', '-i', 'sine=duration=1',
    '-c:v', 'mpeg4', '-c:a', 'aac', '-shortest', file,
  ]); // prettier-ignore
  return readFile(file);
}

function documentOf(entries: Map<string, Buffer>): PortfolioDocument {
  return JSON.parse(entries.get(ARCHIVE_PATHS.document)?.toString('utf8') ?? 'null') as PortfolioDocument;
}

const mediaFiles = (m: Map<string, Buffer>) =>
  [...m]
    .filter(([n]) => n.startsWith(ARCHIVE_PATHS.filesDir))
    .map(([n, b]) => `${n} ${sha256(b)}`)
    .sort();

async function repack(entries: Map<string, Buffer>, name: string): Promise<string> {
  const sums = [...entries]
    .filter(([n]) => n !== ARCHIVE_PATHS.manifest)
    .map(([n, b]) => `${sha256(b)}  ${n}`)
    .join('\n');
  entries.set(ARCHIVE_PATHS.manifest, Buffer.from(`${sums}\n`));
  const file = path.join(work, name);
  await writeFile(file, buildZip([...entries].map(([n, data]) => ({ name: n, data }))));
  return file;
}

async function importInto(file: string) {
  const school = await makeSchool(app.database.db);
  return applyImport({ db: app.database.db, blobs: h.blobs, filePath: file, target: { kind: 'new', schoolId: school.id }, actorId: null, media: h.media });
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'polku-media-trip-'));
  app = await startTestApp();
  h = await localHarness();
  const w = await makeTwoSchools(app.database.db);
  pupil = await app.as(w.pupil.username);
  const photo = await sharp({ create: { width: 90, height: 60, channels: 3, background: '#37a' } })
    .jpeg()
    .toBuffer();
  const voice = await readFile(await fx.audioWithTags(work, 'm4a'));
  const res = await pupil.post<Artefact>(
    '/api/artefacts',
    form({ title: 'Kaikki muodot' }, [
      { name: 'kuva.jpg', type: 'image/jpeg', bytes: photo },
      { name: 'video.3gp', type: 'video/3gpp', bytes: await threeGp(work) },
      { name: 'puhe.m4a', type: 'audio/mp4', bytes: voice },
      { name: 'aani.wav', type: 'audio/wav', bytes: wavTone() },
      { name: 'muistio.txt', type: 'text/html', bytes: Buffer.from(TEXT) },
    ]),
  );
  expect(res.status, res.text).toBe(201);
  created = res.body;
  exported = path.join(work, 'first.zip');
  await writeExportArchive({ db: app.database.db, blobs: app.polku.blobs, pupilId: w.pupil.id, scope: 'full', locale: 'fi' }, createWriteStream(exported));
});

afterAll(async () => {
  await h?.close();
  await app?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('a text file with HTML inside (issue 9, item 9)', () => {
  it('is stored as text/plain and served as a UTF-8 text download with nosniff, never as HTML', async () => {
    const text = created.media.find((m) => m.originalName === 'muistio.txt');
    expect(text).toMatchObject({ kind: 'file', mime: 'text/plain; charset=utf-8' });
    const first = await pupil.get(text?.urls.original ?? '');
    expect(first.status).toBe(302);
    const res = await fetch(new URL(first.headers.get('location') ?? '', pupil.baseUrl));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="muistio\.txt"/);
    expect(await res.text()).toBe(TEXT);
  });
});

describe('round trip of cleaned media (issue 9, item 15)', () => {
  it('export → import → export gives identical media bytes, and the report says "cleaned" for none of them', async () => {
    const first = await readZip(exported);
    expect(documentOf(first).artefacts[0]?.media.map((m) => m.mime)).toEqual([
      'image/jpeg',
      'video/mp4',
      'audio/mp4',
      'audio/wav',
      'text/plain; charset=utf-8',
    ]);
    const report = await importInto(exported);
    const media = report.items.filter((i) => i.type === 'media');
    expect(media).toHaveLength(5);
    for (const item of media) {
      expect(item.action).toBe('create');
      expect(item.reasonCode, item.title).toBeUndefined();
    }
    const again = path.join(work, 'again.zip');
    await writeExportArchive({ db: app.database.db, blobs: h.blobs, pupilId: report.pupilId, scope: 'full', locale: 'fi' }, createWriteStream(again));
    const second = await readZip(again);
    expect(mediaFiles(second)).toEqual(mediaFiles(first));
    // Originals, the photo's display and thumb, the video's poster and thumb.
    expect(mediaFiles(first)).toHaveLength(9);
  });

  it('a recording with metadata under an honest digest is still cleaned, and reported so', async () => {
    const entries = await readZip(exported);
    const doc = documentOf(entries);
    const item = doc.artefacts[0]?.media.find((m) => m.originalName === 'puhe.m4a');
    const original = item?.files.original;
    if (!item || !original) throw new Error('no m4a in the export');
    // The pupil's tagged recording as uploaded (GPS inside), under its own correct SHA-256.
    const tagged = await readFile(await fx.audioWithTags(work, 'm4a', 'tagged.m4a'));
    entries.delete(original.path);
    const name = `files/${sha256(tagged)}.m4a`;
    entries.set(name, tagged);
    Object.assign(original, { path: name, sha256: sha256(tagged), size: tagged.length });
    Object.assign(item, { sha256: sha256(tagged), size: tagged.length });
    entries.set(ARCHIVE_PATHS.document, Buffer.from(JSON.stringify(doc)));
    const report = await importInto(await repack(entries, 'tagged.zip'));
    expect(report.items.find((i) => i.sourceId === item.id)).toMatchObject({ action: 'create', reasonCode: 'media-cleaned' });
    const row = await app.database.db
      .selectFrom('mediaItems')
      .select(['sha256', 'variants'])
      .where('ownerId', '=', report.pupilId)
      .where('originalName', '=', 'puhe.m4a')
      .executeTakeFirstOrThrow();
    expect(row.sha256).not.toBe(sha256(tagged));
    const chunks: Buffer[] = [];
    for await (const c of await h.blobs.getStream(row.variants.original ?? '')) chunks.push(c as Buffer);
    const stored = path.join(work, 'stored.m4a');
    await writeFile(stored, Buffer.concat(chunks));
    expect(Object.keys(fx.allTags(await fx.ffprobe(stored))).filter((k) => /location|title|comment/.test(k))).toEqual([]);
  });

  it('a digest claimed for bytes that differ is not trusted: the archive is refused', async () => {
    const entries = await readZip(exported);
    const doc = documentOf(entries);
    const original = doc.artefacts[0]?.media.find((m) => m.originalName === 'puhe.m4a')?.files.original;
    if (!original) throw new Error('no m4a in the export');
    // Same name and claimed digest as the clean file, but the tagged bytes inside.
    entries.set(original.path, await readFile(await fx.audioWithTags(work, 'm4a', 'tagged2.m4a')));
    const err = await importInto(await repack(entries, 'lying.zip')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportRejected);
    expect((err as ImportRejected).code).toBe('checksum-mismatch');
  });
});
