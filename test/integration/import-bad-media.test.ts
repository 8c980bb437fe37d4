import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../server/db/database.ts';
import { applyImport, previewImport } from '../../server/modules/portability/import/import-archive.ts';
import { ARCHIVE_PATHS, PORTFOLIO_FORMAT, PORTFOLIO_FORMAT_VERSION, type MediaDoc, type PortfolioDocument } from '../../shared/portability/portfolio-format.ts';
import { localHarness, type ImportHarness } from '../fixtures/hostile/import-harness.ts';
import { FEED_START, buildZip } from '../fixtures/hostile/make-hostile.ts';
import { FFMPEG } from '../fixtures/make-fixtures.ts';
import { makeSchool } from '../helpers/factories.ts';
import { openTestDatabase } from '../helpers/test-db.ts';

// Issue 8, D16: a Polku archive holding one damaged video (an MP4 whose data ffmpeg cannot read)
// imported nothing at all. Now that one file is reported as not importable and the rest comes in.

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const AT = '2025-03-01T10:00:00.000Z';

function box(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, body]);
}

describe('one bad media file does not fail a Polku import (issue 8, D16)', () => {
  let database: DatabaseHandle;
  let h: ImportHarness;
  let dir: string;

  beforeAll(async () => {
    database = await openTestDatabase();
    h = await localHarness();
    dir = await mkdtemp(path.join(tmpdir(), 'polku-bad-media-'));
  });
  afterAll(async () => {
    await h?.close();
    await database?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the damaged video is not importable, the photo and the artefact are imported', async () => {
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#2a6' } })
      .png()
      .toBuffer();
    // Sniffed as MP4 by its ftyp box; the rest is noise, so ffprobe/ffmpeg refuse it.
    const video = Buffer.concat([box('ftyp', Buffer.from('isom\0\0\x02\0isomiso2mp41', 'latin1')), box('mdat', Buffer.alloc(200, 7))]);
    const file = (b: Buffer, ext: string, mime: string) => ({ path: `files/${sha256(b)}.${ext}`, sha256: sha256(b), size: b.length, mime });
    const media = (b: Buffer, kind: MediaDoc['kind'], ext: string, mime: string, name: string, position: number): MediaDoc => ({
      id: randomUUID(),
      kind,
      mime,
      sha256: sha256(b),
      size: b.length,
      originalName: name,
      width: null,
      height: null,
      durationMs: null,
      position,
      createdAt: AT,
      removedAt: null,
      files: { original: file(b, ext, mime) },
    });
    const photo = media(png, 'image', 'png', 'image/png', 'kuva.png', 0);
    const clip = media(video, 'video', 'mp4', 'video/mp4', 'video.mp4', 1);
    const doc: PortfolioDocument = {
      format: PORTFOLIO_FORMAT,
      version: PORTFOLIO_FORMAT_VERSION,
      exportedAt: AT,
      generator: { name: 'polku', version: '0.1.0' },
      scope: 'full',
      locale: 'fi',
      pupil: { id: randomUUID(), username: 'video.oppilas', displayName: 'Video Oppilas', locale: null },
      schools: [],
      projects: [],
      artefacts: [
        {
          id: randomUUID(),
          projectId: null,
          phaseId: null,
          kind: 'video',
          title: 'Koe videolla',
          bodyHtml: '<p>Katso video</p>',
          links: [],
          subjectCodes: [],
          competenceIds: [],
          goalIds: [],
          status: 'draft',
          visibility: 'private',
          version: 1,
          createdAt: AT,
          updatedAt: AT,
          readyAt: null,
          origin: null,
          media: [photo, clip],
          versions: [
            {
              version: 1,
              author: null,
              createdAt: AT,
              title: 'Koe videolla',
              bodyHtml: '<p>Katso video</p>',
              status: 'draft',
              visibility: 'private',
              mediaIds: [photo.id, clip.id],
            },
          ],
          feedback: [],
        },
      ],
      reference: { subjects: [], competences: [] },
    };
    const json = Buffer.from(JSON.stringify(doc));
    const files = [
      { name: ARCHIVE_PATHS.document, data: json },
      { name: photo.files.original?.path ?? '', data: png },
      { name: clip.files.original?.path ?? '', data: video },
    ];
    const sums = files.map((f) => `${sha256(f.data)}  ${f.name}`).join('\n');
    const archive = path.join(dir, 'bad-video.zip');
    await writeFile(archive, buildZip([...files, { name: ARCHIVE_PATHS.manifest, data: Buffer.from(`${sums}\n`) }]));

    const school = await makeSchool(database.db);
    const target = { kind: 'new' as const, schoolId: school.id };
    const preview = await previewImport({ db: database.db, filePath: archive, target });
    expect(preview.items.find((i) => i.sourceId === clip.id)?.action).toBe('create');
    const report = await applyImport({ db: database.db, blobs: h.blobs, filePath: archive, target, actorId: null, media: h.media });
    expect(report.items.find((i) => i.sourceId === clip.id)).toMatchObject({
      action: 'unmapped',
      reasonCode: 'media-refused',
      reasonParams: { file: 'video.mp4' },
    });
    expect(report.created).toMatchObject({ artefacts: 1, media: 1 });
    const rows = await database.db.selectFrom('mediaItems').select(['id', 'originalName']).where('ownerId', '=', report.pupilId).execute();
    expect(rows.map((r) => r.originalName)).toEqual(['kuva.png']);
    const version = await database.db
      .selectFrom('artefactVersions')
      .select('snapshot')
      .where('artefactId', '=', doc.artefacts[0]?.id ?? '')
      .executeTakeFirstOrThrow();
    expect(version.snapshot.mediaIds).toEqual([photo.id]);
    expect(await h.tmpFiles()).toEqual([]);
  });
});

// Issue 9, items 8 and 9: Mahara portfolios are full of phone recordings and everyday files. Imported
// media go through the upload pipeline: converted where browsers cannot play them, refused by name
// where this server cannot decode them, and the rest of the import goes on.
describe('phone recordings and everyday files in a LEAP2A import (issue 9)', () => {
  let database: DatabaseHandle;
  let h: ImportHarness;
  let dir: string;

  beforeAll(async () => {
    database = await openTestDatabase();
    h = await localHarness();
    dir = await mkdtemp(path.join(tmpdir(), 'polku-phone-media-'));
  });
  afterAll(async () => {
    await h?.close();
    await database?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('3GP and AMR are converted, text and RTF kept as files, HEIC reported by its format name', async () => {
    const clip = path.join(dir, 'VID.3gp');
    await promisify(execFile)(FFMPEG, [
      '-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=duration=1:size=64x48:rate=10', '-f', 'lavfi', '-i', 'sine=duration=1',
      '-c:v', 'mpeg4', '-c:a', 'aac', '-metadata', 'location=+60.1699+024.9384/', '-movflags', 'use_metadata_tags', '-shortest', clip,
    ]); // prettier-ignore
    // AMR-NB by hand (no AMR encoder in this ffmpeg): the magic and 50 frames of 4.75 kbit/s.
    const amr = Buffer.concat([
      Buffer.from('#!AMR\n', 'latin1'),
      ...Array.from({ length: 50 }, (_, i) => Buffer.from([0x04, ...Array.from({ length: 12 }, (_, j) => (i * 7 + j * 13) & 0xff)])),
    ]);
    const files: Record<string, Buffer> = {
      'files/VID_0001.3gp': await readFile(clip),
      'files/puhe.amr': amr,
      'files/muistio.txt': Buffer.from('<script>alert(1)</script> muistiinpanot\n'),
      'files/kirje.rtf': Buffer.from('{\\rtf1\\ansi Hei\\par}'),
      'files/IMG_0003.HEIC': Buffer.concat([Buffer.from('\0\0\0\x18ftypheic\0\0\0\0mif1heic', 'latin1'), Buffer.alloc(100)]),
    };
    const enclosures = Object.keys(files)
      .map((f) => `<link rel="enclosure" href="${f}"/>`)
      .join('');
    const feed =
      `${FEED_START}  <entry><id>urn:files</id><title>Puhelimelta</title><updated>2024-01-01T00:00:00Z</updated><content type="text">Tiedostoja</content>` +
      `<rdf:type rdf:resource="leap2:resource"/>${enclosures}</entry>\n</feed>\n`;
    const archive = path.join(dir, 'phone.zip');
    await writeFile(archive, buildZip([{ name: 'leap2a.xml', data: Buffer.from(feed) }, ...Object.entries(files).map(([name, data]) => ({ name, data }))]));

    const school = await makeSchool(database.db);
    const report = await applyImport({
      db: database.db,
      blobs: h.blobs,
      filePath: archive,
      target: { kind: 'new', schoolId: school.id },
      actorId: null,
      media: h.media,
    });
    expect(report.items.find((i) => i.sourceId === 'files/IMG_0003.HEIC')).toMatchObject({
      action: 'unmapped',
      reasonCode: 'media-format-unreadable',
      reasonParams: { file: 'IMG_0003.HEIC', format: 'HEIC' },
    });
    const rows = await database.db
      .selectFrom('mediaItems')
      .select(['originalName', 'kind', 'mime'])
      .where('ownerId', '=', report.pupilId)
      .orderBy('position')
      .execute();
    expect(rows.map((r) => [r.originalName, r.kind, r.mime])).toEqual([
      ['VID_0001.mp4', 'video', 'video/mp4'],
      ['puhe.m4a', 'audio', 'audio/mp4'],
      ['muistio.txt', 'file', 'text/plain; charset=utf-8'],
      ['kirje.rtf', 'file', 'application/rtf'],
    ]);
    expect(await h.tmpFiles()).toEqual([]);
  });
});
