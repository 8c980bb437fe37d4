import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import express from 'express';
import { pino } from 'pino';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../server/auth/actor.ts';
import { HttpError, errorMiddleware } from '../../server/http/errors.ts';
import { type MediaOptions, type ProcessedMedia, UnplayableMedia, deleteMediaBlobs, processUpload, storeProcessedMedia } from '../../server/media/pipeline.ts';
import { wavTone } from '../helpers/artefact-upload.ts';
import { uploadMiddleware } from '../../server/media/upload.ts';
import type { BlobStore } from '../../server/storage/blob-store.ts';
import { LocalBlobStore } from '../../server/storage/local-blob-store.ts';
import * as fx from '../fixtures/make-fixtures.ts';

const MB = 1024 * 1024;
const SECRET = 'test-secret-that-is-long-enough-for-signing';
let root: string;
let fixtures: string;
let tmpDir: string;
let options: MediaOptions;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'polku-media-'));
  fixtures = path.join(root, 'fixtures');
  await mkdir(fixtures);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
beforeEach(async () => {
  // A fresh processing folder per test, so "no temp files left" can be checked exactly.
  tmpDir = await mkdtemp(path.join(root, 'tmp-'));
  options = { maxBytes: { image: 40 * MB, audio: 100 * MB, video: 1000 * MB, file: 100 * MB }, ffmpegPath: fx.FFMPEG, tmpDir };
});

async function processFile(file: string, overrides: Partial<MediaOptions> = {}, originalName = path.basename(file)): Promise<ProcessedMedia> {
  const { size } = await stat(file);
  return processUpload({ path: file, originalName, size }, { ...options, ...overrides });
}

async function rejection(promise: Promise<unknown>): Promise<HttpError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof HttpError)) throw new Error(`expected an HttpError, got ${String(err)}`);
  return err;
}

async function sha256(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}

/** No EXIF, XMP, IPTC or ICC as sharp sees it, and none of the fixture's GPS bytes anywhere in the file. */
async function expectNoMetadata(file: string): Promise<void> {
  const meta = await sharp(file).metadata();
  expect({ exif: meta.exif, xmp: meta.xmp, iptc: meta.iptc, icc: meta.icc }).toEqual({ exif: undefined, xmp: undefined, iptc: undefined, icc: undefined });
  const bytes = await readFile(file);
  for (const needle of [
    Buffer.from('Exif\0\0', 'latin1'),
    fx.GPS.latitudeRationals,
    Buffer.from('GPSLatitude'),
    Buffer.from(fx.GPS.xmpLatitude),
    Buffer.from('PolkuPhone'),
  ]) {
    expect(bytes.includes(needle), `${file} contains ${JSON.stringify(needle.toString('latin1'))}`).toBe(false);
  }
}

describe('images', () => {
  it('turns a phone JPEG upright and strips EXIF, GPS and XMP from every variant', async () => {
    const input = await fx.jpegWithGps(fixtures);
    const inputMeta = await sharp(input).metadata();
    // The fixture really carries what we strip.
    expect(inputMeta.orientation).toBe(6);
    expect((await readFile(input)).includes(fx.GPS.latitudeRationals)).toBe(true);

    const media = await processFile(input);
    try {
      expect(media).toMatchObject({
        kind: 'image',
        mime: 'image/jpeg',
        width: 1600,
        height: 2400,
        durationMs: null,
        originalName: 'phone-photo.jpg',
        metadataStripped: true,
      });
      const { original, display, thumb } = media.variants;
      if (!original || !display || !thumb) throw new Error('variants missing');
      expect(media.variants.poster).toBeUndefined();
      for (const variant of [original, display, thumb]) {
        await expectNoMetadata(variant.path);
        expect((await stat(variant.path)).size).toBe(variant.size);
      }
      const [o, d, t] = await Promise.all([original, display, thumb].map((v) => sharp(v.path).metadata()));
      expect([o?.format, o?.width, o?.height, o?.orientation]).toEqual(['jpeg', 1600, 2400, undefined]);
      expect([d?.format, d?.width, d?.height]).toEqual(['webp', 1067, 1600]);
      expect([t?.format, t?.width, t?.height]).toEqual(['webp', 267, 400]);
      // Turned clockwise, not just swapped: the red top of the stored picture is now on the right.
      const [right, left] = await Promise.all(
        [1500, 100].map((x) => sharp(original.path).extract({ left: x, top: 1200, width: 1, height: 1 }).raw().toBuffer()),
      );
      expect(right?.[0]).toBeGreaterThan(150);
      expect(left?.[2]).toBeGreaterThan(150);
      expect(media.sha256).toBe(await sha256(original.path));
      expect(media.size).toBe(original.size);
    } finally {
      await media.cleanup();
    }
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it('goes by content, not by name: a PNG called photo.jpg is a PNG', async () => {
    const input = await fx.png(fixtures, 'photo.jpg');
    const media = await processFile(input);
    await media.cleanup();
    expect(media).toMatchObject({ kind: 'image', mime: 'image/png', width: 320, height: 200 });
    expect(media.variants.original?.mime).toBe('image/png');
  });

  it.each([
    ['webp', 'image/webp', () => fx.imageAs(fixtures, 'still.webp', 'webp'), 1],
    ['avif', 'image/avif', () => fx.imageAs(fixtures, 'still.avif', 'avif'), 1],
    ['gif', 'image/gif', () => fx.animatedGif(fixtures), 3],
  ] as const)('keeps a %s original in its format (animations included)', async (_name, mime, make, pages) => {
    const media = await processFile(await make());
    try {
      expect(media.mime).toBe(mime);
      for (const variant of Object.values(media.variants)) {
        await expectNoMetadata(variant.path);
        expect((await sharp(variant.path, { animated: true }).metadata()).pages ?? 1).toBe(pages);
      }
    } finally {
      await media.cleanup();
    }
  });

  it('refuses text, HTML and SVG with 415 and says what was found', async () => {
    const cases = [
      await fx.textFile(fixtures, 'notes.png', 'Just some notes, not a picture.\n'),
      await fx.textFile(fixtures, 'page.png', '<!doctype html><html><body><script>alert(1)</script></body></html>'),
      await fx.textFile(fixtures, 'icon.svg', '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'),
      await fx.textFile(fixtures, 'icon-xml.svg', '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'),
    ];
    for (const file of cases) {
      const err = await rejection(processFile(file));
      expect(err.status).toBe(415);
      expect(err.code).toBe('unsupported_media_type');
      expect(err.message).toContain(`"${path.basename(file)}"`);
      expect(err.message).toMatch(/an unknown type|application\/xml/);
      expect(err.message).toContain('Accepted are images');
    }
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it('answers 413 with the limit when an image is over its kind limit', async () => {
    const input = await fx.png(fixtures, 'big.png', 640, 480);
    const err = await rejection(processFile(input, { maxBytes: { ...options.maxBytes, image: 1024 } }));
    expect(err.status).toBe(413);
    expect(err.message).toBe('The image "big.png" is too large: the limit is 1 KB.');
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it("keeps sharp's pixel limit: a 900-megapixel PNG header is refused with 413 before decoding", async () => {
    const err = await rejection(processFile(await fx.pngBomb(fixtures)));
    expect([err.status, err.message]).toEqual([413, 'The image has too many pixels: the limit is 268 megapixels.']);
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it('answers 400 for a truncated JPEG and leaves no temp files', async () => {
    const err = await rejection(processFile(await fx.truncatedJpeg(fixtures)));
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/could not be read: it may be damaged or incomplete/);
    expect(await readdir(tmpDir)).toEqual([]);
  });
});

describe('audio and video', () => {
  it('strips the location from an MP4 without re-encoding and makes a clean poster', async () => {
    const input = await fx.mp4WithLocation(fixtures);
    expect(fx.allTags(await fx.ffprobe(input))).toMatchObject({ location: fx.GPS.iso6709 });

    const media = await processFile(input);
    try {
      expect(media).toMatchObject({ kind: 'video', mime: 'video/mp4', width: 320, height: 240, metadataStripped: true });
      expect(media.durationMs).toBeGreaterThan(1900);
      expect(media.durationMs).toBeLessThan(2100);
      const { original, poster, thumb } = media.variants;
      if (!original || !poster || !thumb) throw new Error('variants missing');
      const probe = await fx.ffprobe(original.path);
      const tags = fx.allTags(probe);
      expect(Object.keys(tags).filter((k) => /location|title|encoder/.test(k))).toEqual([]);
      expect(JSON.stringify(probe)).not.toContain('60.1699');
      expect((await readFile(original.path)).includes(Buffer.from('60.1699'))).toBe(false);
      expect(probe.streams.map((s) => s.codec_name)).toEqual(['h264', 'aac']);
      expect(await fx.streamHashes(original.path)).toBe(await fx.streamHashes(input));
      expect(media.sha256).toBe(await sha256(original.path));
      for (const image of [poster, thumb]) await expectNoMetadata(image.path);
      expect(await sharp(poster.path).metadata()).toMatchObject({ format: 'webp', width: 320, height: 240 });
    } finally {
      await media.cleanup();
    }
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it("removes Apple's ISO 6709 location from a MOV and keeps it upright", async () => {
    const input = await fx.movWithAppleLocation(fixtures);
    expect(fx.allTags(await fx.ffprobe(input))).toMatchObject({ 'com.apple.quicktime.location.iso6709': fx.GPS.iso6709 });
    const media = await processFile(input);
    try {
      expect(media).toMatchObject({ kind: 'video', mime: 'video/quicktime', width: 240, height: 320 });
      const probe = await fx.ffprobe(media.variants.original?.path ?? '');
      expect(JSON.stringify(fx.allTags(probe))).not.toMatch(/60\.1699|com\.apple|location/i);
      const bytes = await readFile(media.variants.original?.path ?? '');
      for (const needle of ['60.1699', 'com.apple', 'ISO6709']) expect(bytes.includes(Buffer.from(needle))).toBe(false);
      expect(Math.abs(probe.streams[0]?.side_data_list?.[0]?.rotation ?? 0)).toBe(90);
      // ffmpeg applies the rotation when it takes the poster frame.
      expect(await sharp(media.variants.poster?.path ?? '').metadata()).toMatchObject({ width: 240, height: 320 });
    } finally {
      await media.cleanup();
    }
  });

  it.each(['m4a', 'webm', 'mp3'] as const)('strips the tags from %s audio', async (format) => {
    const input = await fx.audioWithTags(fixtures, format);
    expect(Object.values(fx.allTags(await fx.ffprobe(input)))).toContain('Recorded at home');
    const media = await processFile(input);
    try {
      // WebM is sniffed as video; ffprobe finds only audio.
      const mime = { m4a: 'audio/mp4', webm: 'audio/webm', mp3: 'audio/mpeg' }[format];
      expect(media).toMatchObject({ kind: 'audio', mime, width: null, height: null, metadataStripped: true });
      expect(media.durationMs).toBeGreaterThan(1900);
      expect(media.durationMs).toBeLessThan(2200);
      expect(Object.keys(media.variants)).toEqual(['original']);
      const original = media.variants.original?.path ?? '';
      const text = JSON.stringify(await fx.ffprobe(original));
      expect(text).not.toMatch(/Recorded at home|Secret title|60\.1699|location/);
      expect((await readFile(original)).includes(Buffer.from('Recorded at home'))).toBe(false);
    } finally {
      await media.cleanup();
    }
  });

  it('refuses audio and video, naming the file, when ffmpeg cannot be run (it would keep their GPS)', async () => {
    const input = await fx.mp4WithLocation(fixtures, 'no-ffmpeg.mp4');
    for (const file of [input, await fx.textFile(fixtures, 'tone.wav', wavTone())]) {
      const err = await rejection(processFile(file, { ffmpegPath: path.join(root, 'missing', 'ffmpeg') }));
      expect([err.status, err.reason]).toEqual([415, 'media_tool_missing']);
      expect(err.message).toContain(`"${path.basename(file)}" was not uploaded: audio and video need ffmpeg`);
    }
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it('answers 400 naming the file for a damaged video', async () => {
    const input = await fx.mp4WithLocation(fixtures, 'damaged.mp4');
    const bytes = await readFile(input);
    // Keep the ftyp box (so it sniffs as MP4) and scramble the rest.
    const damaged = Buffer.concat([bytes.subarray(0, 32), Buffer.alloc(bytes.length - 32, 0x5a)]);
    const file = await fx.textFile(fixtures, 'damaged-2.mp4', damaged);
    const err = await rejection(processFile(file));
    expect(err).toBeInstanceOf(UnplayableMedia);
    expect([err.status, err.reason, err.message]).toEqual([
      400,
      'media_unplayable',
      '"damaged-2.mp4" cannot be played: it may be damaged or incomplete, or hold no sound or picture.',
    ]);
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it('refuses a video that ffprobe reads but that holds no stream at all', async () => {
    // A well-formed MP4 (ftyp + moov with only its header): nothing to play, once stored as 144 bytes.
    const box = (type: string, payload: Buffer) => Buffer.concat([u32(8 + payload.length), Buffer.from(type, 'latin1'), payload]);
    const u32 = (n: number) => {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(n);
      return b;
    };
    const matrix = [0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000].map(u32);
    const mvhd = box(
      'mvhd',
      Buffer.concat([
        Buffer.alloc(4),
        u32(0),
        u32(0),
        u32(1000),
        u32(0),
        u32(0x10000),
        Buffer.from([1, 0]),
        Buffer.alloc(10),
        ...matrix,
        Buffer.alloc(24),
        u32(2),
      ]),
    );
    const file = await fx.textFile(
      fixtures,
      'empty-video.mp4',
      Buffer.concat([box('ftyp', Buffer.concat([Buffer.from('isom'), u32(512), Buffer.from('isomiso2mp41')])), box('moov', mvhd)]),
    );
    const err = await rejection(processFile(file));
    expect([err.status, err.reason, err.message]).toEqual([
      400,
      'media_unplayable',
      '"empty-video.mp4" cannot be played: it may be damaged or incomplete, or hold no sound or picture.',
    ]);
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it('strips bidirectional controls from names, so a name cannot pose as another type', async () => {
    const pdf = await fx.textFile(fixtures, 'raportti.pdf', Buffer.from('%PDF-1.4\n%%EOF\n'));
    const media = await processFile(pdf, {}, 'kuva\u202Egpj.exe\u2066\u200F\u061C');
    await media.cleanup();
    expect(media.originalName).toBe('kuvagpj.exe');
    const err = await rejection(processFile(await fx.textFile(fixtures, 'note.txt', 'hei'), {}, 'kuva\u202Egpj.exe'));
    expect(err.message).toMatch(/^Cannot upload "kuvagpj\.exe": /);
  });

  it('says a file of 0 bytes is empty, naming it', async () => {
    const file = await fx.textFile(fixtures, 'tyhjä.jpg', Buffer.alloc(0));
    const err = await rejection(processFile(file));
    expect([err.status, err.message]).toEqual([400, '"tyhjä.jpg" is empty (0 bytes).']);
  });
});

describe('documents', () => {
  it('keeps a PDF as uploaded and refuses a plain ZIP', async () => {
    const pdf = await fx.largePdf(fixtures, 64 * 1024, 'report.pdf');
    const media = await processFile(pdf);
    await media.cleanup();
    expect(media).toMatchObject({ kind: 'file', mime: 'application/pdf', sha256: await sha256(pdf), width: null, durationMs: null });
    const zip = await fx.textFile(fixtures, 'homework.docx', 'PK\u0003\u0004' + '\0'.repeat(60));
    expect((await rejection(processFile(zip))).status).toBe(415);
  });
});

describe('storing', () => {
  async function processedImage(): Promise<ProcessedMedia> {
    return processFile(await fx.png(fixtures, 'store.png'));
  }

  it('stores every variant under the media id and deletes them again', async () => {
    const store = new LocalBlobStore({ root: path.join(root, 'blobs-ok'), secret: SECRET });
    const media = await processedImage();
    const mediaId = '0b9c3f0e-6f0a-4c4e-9a43-2f1b7f3c1d2e';
    const keys = await storeProcessedMedia(store, mediaId, media);
    await media.cleanup();
    expect(keys).toEqual({
      original: 'media/0b/9c/0b9c3f0e6f0a4c4e9a432f1b7f3c1d2e.original',
      display: 'media/0b/9c/0b9c3f0e6f0a4c4e9a432f1b7f3c1d2e.display',
      thumb: 'media/0b/9c/0b9c3f0e6f0a4c4e9a432f1b7f3c1d2e.thumb',
    });
    expect(await store.head(keys.original ?? '')).toMatchObject({ size: media.size, contentType: 'image/png' });
    await deleteMediaBlobs(store, keys);
    for (const key of Object.values(keys)) expect(await store.head(key)).toBeNull();
  });

  it('removes the variants already stored when a later put fails', async () => {
    const real = new LocalBlobStore({ root: path.join(root, 'blobs-fail'), secret: SECRET });
    let puts = 0;
    // The real store, except that its second put fails (a full disk, a dropped S3 connection).
    const failing: BlobStore = {
      kind: real.kind,
      putStream: (key, body, opts) => (++puts === 2 ? Promise.reject(new Error('simulated: no space left')) : real.putStream(key, body, opts)),
      getStream: (key, range) => real.getStream(key, range),
      head: (key) => real.head(key),
      delete: (key) => real.delete(key),
      signedUrl: (key, opts) => real.signedUrl(key, opts),
      ping: () => real.ping(),
      close: () => real.close(),
    };
    const media = await processedImage();
    const mediaId = '1c2d3e4f-0000-4000-8000-000000000001';
    await expect(storeProcessedMedia(failing, mediaId, media)).rejects.toThrow('simulated: no space left');
    await media.cleanup();
    expect(puts).toBe(2);
    expect(await real.head('media/1c/2d/1c2d3e4f000040008000000000000001.original')).toBeNull();
    expect(await readdir(real.root, { recursive: true }).then((names) => names.filter((n) => n.includes('.original')))).toEqual([]);
  });

  it('processes and stores a 60 MB file without holding it in memory', async () => {
    const pdf = await fx.largePdf(fixtures, 60 * MB);
    const store = new LocalBlobStore({ root: path.join(root, 'blobs-big'), secret: SECRET });
    const run = async (file: string, mediaId: string) => {
      const media = await processFile(file);
      try {
        return await storeProcessedMedia(store, mediaId, media);
      } finally {
        await media.cleanup();
      }
    };
    // Warm up with a small file, so the baseline already holds the code's steady working set.
    await run(await fx.largePdf(fixtures, 2 * MB, 'warm-up.pdf'), '2d3e4f50-0000-4000-8000-000000000001');
    const gc = exposeGc();
    gc();
    const baseline = process.memoryUsage();
    let rssGrowth = 0;
    let liveGrowth = 0;
    // Collected before each sample: V8 lets tens of MB of dead Buffers pile up before collecting on its own.
    const sample = () => {
      gc();
      const now = process.memoryUsage();
      rssGrowth = Math.max(rssGrowth, now.rss - baseline.rss);
      liveGrowth = Math.max(liveGrowth, now.arrayBuffers + now.heapUsed - baseline.arrayBuffers - baseline.heapUsed);
    };
    // Rescheduled after each sample rather than setInterval, so that collections never queue up.
    let timer = setTimeout(function tick() {
      sample();
      timer = setTimeout(tick, 50);
    }, 50);
    try {
      const keys = await run(pdf, '2d3e4f50-0000-4000-8000-000000000002');
      expect((await store.head(keys.original ?? ''))?.size).toBe((await stat(pdf)).size);
    } finally {
      clearTimeout(timer);
    }
    sample();
    const report = `live memory grew by ${(liveGrowth / MB).toFixed(1)} MB, rss by ${(rssGrowth / MB).toFixed(1)} MB`;
    // Reading the file whole (to hash or to store it) adds 60 MB of live Buffers; streaming stays near
    // zero, with a rare transient spike of 10–20 MB from elsewhere in the worker, hence half the size.
    expect(liveGrowth, report).toBeLessThan(30 * MB);
    // rss also counts allocator slack (15–20 MB here), so a looser bound that still catches memory outside V8.
    expect(rssGrowth, report).toBeLessThan(45 * MB);
  });
});

/** V8's gc(), exposed at run time (as in blob-store.test.ts), since vitest does not pass --expose-gc. */
function exposeGc(): () => void {
  if (globalThis.gc) return globalThis.gc;
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (() => void) | undefined;
  if (typeof gc !== 'function') throw new Error('Could not expose gc()');
  return gc;
}

const UPLOADER: Actor = {
  id: '00000000-0000-4000-8000-000000000001',
  username: 'oppilas',
  displayName: 'Oppilas',
  locale: null,
  roles: [],
  teacherGroupIds: new Set(),
  pupilGroupIds: new Set(),
  childIds: new Set(),
  childGroupIds: new Set(),
  sessionId: 's',
};

describe('uploadMiddleware', () => {
  let server: Server;
  let baseUrl: string;
  let uploadDir: string;

  beforeAll(async () => {
    uploadDir = path.join(root, 'uploads');
    const app = express();
    // Signed in as someone (the app's session middleware does this): the upload step checks it first.
    app.use((req, _res, next) => {
      req.actor = UPLOADER;
      next();
    });
    app.post(
      '/upload',
      uploadMiddleware({ tmpDir: uploadDir, maxFileBytes: 1 * MB, maxFiles: 2, maxRequestBytes: 10 * MB, authorize: () => undefined }),
      (req, res) => {
        const files = Array.isArray(req.files) ? req.files : [];
        res.json({ body: req.body as unknown, files: files.map((f) => ({ path: f.path, name: f.originalname, size: f.size, exists: existsSync(f.path) })) });
      },
    );
    app.use(errorMiddleware(pino({ level: 'silent' })));
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function form(files: Array<{ name: string; bytes: number }>, fields: Record<string, string> = {}): FormData {
    const data = new FormData();
    for (const [k, v] of Object.entries(fields)) data.append(k, v);
    for (const f of files) data.append('files', new Blob([Buffer.alloc(f.bytes, 0x61)], { type: 'image/jpeg' }), f.name);
    return data;
  }

  async function waitForEmpty(dir: string): Promise<string[]> {
    for (let i = 0; i < 50 && (await readdir(dir)).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    return readdir(dir);
  }

  it('streams files into tmpDir with random names and removes them after the response', async () => {
    const res = await fetch(`${baseUrl}/upload`, { method: 'POST', body: form([{ name: 'Äänitys ja kuva.jpg', bytes: 5000 }], { title: 'Vesi' }) });
    expect(res.status).toBe(200);
    const json = (await res.json()) as { body: Record<string, string>; files: Array<{ path: string; name: string; size: number; exists: boolean }> };
    expect(json.body).toEqual({ title: 'Vesi' });
    expect(json.files).toHaveLength(1);
    expect(json.files[0]).toMatchObject({ name: 'Äänitys ja kuva.jpg', size: 5000, exists: true });
    expect(path.dirname(json.files[0]?.path ?? '')).toBe(uploadDir);
    expect(path.basename(json.files[0]?.path ?? '')).toMatch(/^upload-\d+-[0-9a-f-]{36}$/);
    expect(await waitForEmpty(uploadDir)).toEqual([]);
  });

  it('answers 413 with the limit for an over-limit file and leaves no partial file', async () => {
    const res = await fetch(`${baseUrl}/upload`, {
      method: 'POST',
      body: form([
        { name: 'small.jpg', bytes: 100 },
        { name: 'huge.jpg', bytes: 3 * MB },
      ]),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: { code: 'payload_too_large', message: 'This file ("huge.jpg") is too large: the limit is 1 MB.' } });
    expect(await waitForEmpty(uploadDir)).toEqual([]);
  });

  it('answers 400 for too many files', async () => {
    const res = await fetch(`${baseUrl}/upload`, { method: 'POST', body: form([1, 2, 3].map((i) => ({ name: `${i}.jpg`, bytes: 10 }))) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe('Too many files: at most 2 can be uploaded at once.');
    expect(await waitForEmpty(uploadDir)).toEqual([]);
  });
});
