import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, open, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpError, type ServiceUnavailable } from '../../server/http/errors.ts';
import { ToolTimeout, TranscodeQueueFull, transcode } from '../../server/media/av.ts';
import { type MediaOptions, type ProcessedMedia, processUpload } from '../../server/media/pipeline.ts';
import { buildZip } from '../fixtures/hostile/make-hostile.ts';
import * as fx from '../fixtures/make-fixtures.ts';

// Issue 9, items 8 and 9: phone recordings that browsers cannot play are converted, HEIC is refused
// by name, and plain text, RTF and OpenDocument are accepted as files. Every fixture is made here
// with ffmpeg (or by hand where ffmpeg 5.1 has no encoder: AMR, HEIC), so no binary is committed.

const MB = 1024 * 1024;
const run = promisify(execFile);
let root: string;
let fixtures: string;
let tmpDir: string;
let options: MediaOptions;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'polku-formats-'));
  fixtures = path.join(root, 'fixtures');
  await mkdir(fixtures);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
beforeEach(async () => {
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

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function ffmpeg(args: string[]): Promise<void> {
  await run(fx.FFMPEG, ['-nostdin', '-v', 'error', '-y', ...args]);
}

const VIDEO = ['-f', 'lavfi', '-i', 'testsrc=duration=1:size=64x48:rate=10'];
const TONE = ['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1'];
const SECRETS = ['-metadata', `location=${fx.GPS.iso6709}`, '-metadata', 'title=Secret title'];

/**
 * One second of AMR-NB as phones' voice recorders write it: the "#!AMR" magic and 50 frames of
 * mode 4.75 kbit/s (header byte 0x04, 12 bytes of speech parameters; any bits decode to some sound).
 * ffmpeg 5.1 here has no AMR encoder, hence by hand.
 */
async function amr(name = 'puhe.amr'): Promise<string> {
  const frames = Array.from({ length: 50 }, (_, i) => Buffer.from([0x04, ...Array.from({ length: 12 }, (_, j) => (i * 31 + j * 17) & 0xff)]));
  const file = path.join(fixtures, name);
  await writeFile(file, Buffer.concat([Buffer.from('#!AMR\n', 'latin1'), ...frames]));
  return file;
}

/** A feature phone's clip: MPEG-4 part 2 video and AMR sound in 3GP, with a location tag. */
async function threeGp(): Promise<string> {
  const file = path.join(fixtures, 'VID_0001.3gp');
  await ffmpeg([...VIDEO, '-i', await amr('for-3gp.amr'), '-c:v', 'mpeg4', '-c:a', 'copy', ...SECRETS, '-movflags', 'use_metadata_tags', '-shortest', file]);
  return file;
}

/** The ISO-BMFF header of an iPhone photo; file-type knows HEIC by its `ftyp` brand alone. */
function heicHeader(): Buffer {
  const ftyp = Buffer.from('\0\0\0\x18ftypheic\0\0\0\0mif1heic', 'latin1');
  return Buffer.concat([ftyp, Buffer.alloc(200, 0)]);
}

async function probe(file: string): Promise<fx.ProbeResult> {
  return fx.ffprobe(file);
}

/** What a transcoded original must be: H.264 (if video) and AAC, no location, no title, not a byte of the GPS string. */
async function expectCleanConversion(media: ProcessedMedia, codecs: string[]): Promise<void> {
  const original = media.variants.original;
  if (!original) throw new Error('no original');
  const result = await probe(original.path);
  expect(result.streams.map((s) => s.codec_name)).toEqual(codecs);
  const tags = fx.allTags(result);
  expect(Object.keys(tags).filter((k) => /location|title|comment/.test(k))).toEqual([]);
  expect((await readFile(original.path)).includes(Buffer.from('60.1699'))).toBe(false);
  expect(media.sha256).toBe(sha256(await readFile(original.path)));
  expect(media.metadataStripped).toBe(true);
}

describe('phone recordings browsers cannot play are converted (issue 9, item 8)', () => {
  it('a 3GP with AMR sound becomes an H.264/AAC MP4 without its location, with a poster', async () => {
    const input = await threeGp();
    expect(fx.allTags(await probe(input))).toMatchObject({ location: fx.GPS.iso6709 });
    const media = await processFile(input);
    try {
      // Named for what it now is, so that a download opens as MP4.
      expect(media).toMatchObject({ kind: 'video', mime: 'video/mp4', width: 64, height: 48, originalName: 'VID_0001.mp4' });
      expect(media.durationMs).toBeGreaterThan(800);
      await expectCleanConversion(media, ['h264', 'aac']);
      expect(media.variants.original?.path).toMatch(/\.mp4$/);
      expect(media.variants.poster?.mime).toBe('image/webp');
      expect(media.variants.thumb?.mime).toBe('image/webp');
    } finally {
      await media.cleanup();
    }
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it('an AMR voice memo becomes AAC in M4A', async () => {
    const media = await processFile(await amr());
    try {
      expect(media).toMatchObject({ kind: 'audio', mime: 'audio/mp4', originalName: 'puhe.m4a' });
      await expectCleanConversion(media, ['aac']);
      expect(Object.keys(media.variants)).toEqual(['original']);
    } finally {
      await media.cleanup();
    }
  });

  it.each([
    ['MKV (H.264 + Vorbis)', 'clip.mkv', ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-preset', 'ultrafast', '-c:a', 'libvorbis']],
    ['Ogg video (Theora + Vorbis)', 'clip.ogv', ['-c:v', 'libtheora', '-c:a', 'libvorbis']],
    ['HEVC in MOV (iPhone)', 'IMG_0002.MOV', ['-c:v', 'libx265', '-x265-params', 'log-level=error', '-c:a', 'aac', '-f', 'mov']],
    ['HEVC in MP4', 'hevc.mp4', ['-c:v', 'libx265', '-x265-params', 'log-level=error', '-tag:v', 'hvc1', '-c:a', 'aac']],
  ])('%s becomes an H.264/AAC MP4 without metadata', async (_label, name, codec) => {
    const input = path.join(fixtures, name);
    await ffmpeg([...VIDEO, ...TONE, ...codec, ...SECRETS, '-shortest', input]);
    const media = await processFile(input);
    try {
      expect(media).toMatchObject({ kind: 'video', mime: 'video/mp4', width: 64, height: 48 });
      await expectCleanConversion(media, ['h264', 'aac']);
    } finally {
      await media.cleanup();
    }
  });

  it('Ogg Vorbis and FLAC sound: Ogg is kept as it plays (only its tags go), FLAC becomes M4A', async () => {
    const ogg = path.join(fixtures, 'voice.ogg');
    await ffmpeg([...TONE, '-c:a', 'libvorbis', ...SECRETS, ogg]);
    const kept = await processFile(ogg);
    try {
      expect(kept).toMatchObject({ kind: 'audio', mime: 'audio/ogg' });
      expect(await fx.streamHashes(kept.variants.original?.path ?? '')).toBe(await fx.streamHashes(ogg));
      expect(Object.keys(fx.allTags(await probe(kept.variants.original?.path ?? ''))).filter((k) => /location|title/.test(k))).toEqual([]);
    } finally {
      await kept.cleanup();
    }
    const flac = path.join(fixtures, 'voice.flac');
    await ffmpeg([...TONE, ...SECRETS, flac]);
    const converted = await processFile(flac);
    try {
      expect(converted).toMatchObject({ kind: 'audio', mime: 'audio/mp4' });
      await expectCleanConversion(converted, ['aac']);
    } finally {
      await converted.cleanup();
    }
  });

  it('an H.264/AAC MP4 is still only remuxed, not re-encoded', async () => {
    const input = await fx.mp4WithLocation(fixtures);
    const media = await processFile(input);
    try {
      expect(await fx.streamHashes(media.variants.original?.path ?? '')).toBe(await fx.streamHashes(input));
    } finally {
      await media.cleanup();
    }
  });

  it('refuses with 413 a recording that would need converting and is longer than the cap, leaving no temp files', async () => {
    const err = await rejection(processFile(await threeGp(), { maxTranscodeSeconds: 0.5 }));
    expect(err.status).toBe(413);
    expect(err.reason).toBe('media_transcode_too_long');
    expect(err.message).toContain('"VID_0001.3gp"');
    expect(await readdir(tmpDir)).toEqual([]);
    // An MP4 that plays needs no conversion, so the cap does not apply to it.
    const mp4 = await processFile(await fx.mp4WithLocation(fixtures), { maxTranscodeSeconds: 0.5 });
    await mp4.cleanup();
    expect(mp4.mime).toBe('video/mp4');
  });

  it("a recording whose header understates its length is still held to the cap (the duration ffprobe reads is the sender's word)", async () => {
    // Ten seconds of FLAC whose STREAMINFO claims one: ffprobe reads 1 s, the encoder would decode all ten.
    const flac = path.join(fixtures, 'lies.flac');
    await ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=10', flac]);
    const bytes = await readFile(flac);
    const at = 8 + 13; // 'fLaC', the block header, then 13 bytes into STREAMINFO: the low 36 bits are the sample count
    const field = bytes.readBigUInt64BE(at - 3) & ~0xfffffffffn;
    bytes.writeBigUInt64BE(field | 44_100n, at - 3);
    await writeFile(flac, bytes);
    expect(Number((await probe(flac)).format.duration)).toBeLessThan(2);
    const err = await rejection(processFile(flac, { maxTranscodeSeconds: 3 }));
    expect(err.status).toBe(413);
    expect(err.reason).toBe('media_transcode_too_long');
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it('a conversion over its time limit is killed and reported as such (a 1 ms limit cannot be met)', async () => {
    const err = await transcode(fx.FFMPEG, await threeGp(), '3gp', path.join(tmpDir, 'out.mp4'), 'video', 1, 60).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolTimeout);
  });

  it('refuses a conversion at once with 503 media_busy when enough wait, leaving nothing behind; one told to wait (an import) waits its turn', async () => {
    // The slot is held by a conversion reading a named pipe: it cannot finish until the pipe is closed,
    // so "busy" here does not depend on how fast this machine converts.
    const holdDir = await mkdtemp(path.join(tmpdir(), 'polku-hold-'));
    const pipe = path.join(holdDir, 'held.mkv');
    await run('mkfifo', [pipe]);
    const held = transcode(fx.FFMPEG, pipe, 'mkv', path.join(holdDir, 'out.mp4'), 'video', 60_000, 60, 0).catch((e: unknown) => e);
    let waiting: Promise<ProcessedMedia> | null = null;
    try {
      const queueFull = await transcode(fx.FFMPEG, pipe, 'mkv', path.join(holdDir, 'second.mp4'), 'video', 60_000, 60, 0).catch((e: unknown) => e);
      expect(queueFull).toBeInstanceOf(TranscodeQueueFull);
      const err = await rejection(processFile(await threeGp(), { maxWaitingTranscodes: 0 }));
      expect(err.status).toBe(503);
      expect(err.reason).toBe('media_busy');
      expect((err as ServiceUnavailable).retryAfterSeconds).toBeGreaterThan(0);
      expect(err.message).toContain('"VID_0001.3gp" was not uploaded');
      expect(await readdir(tmpDir)).toEqual([]);
    } finally {
      // What an import asks for: it is queued behind the held conversion, not refused.
      waiting = processFile(await threeGp(), { maxWaitingTranscodes: Number.POSITIVE_INFINITY });
      await (await open(pipe, 'w')).close();
      await held;
      await rm(holdDir, { recursive: true, force: true });
    }
    const converted = await waiting;
    expect(converted.mime).toBe('video/mp4');
    await converted.cleanup();
  });

  it('refuses an iPhone HEIC photo with 415, naming the format (this server cannot decode HEVC stills)', async () => {
    const file = await fx.textFile(fixtures, 'IMG_0003.HEIC', heicHeader());
    const err = await rejection(processFile(file));
    expect(err.status).toBe(415);
    expect(err.reason).toBe('media_format_unreadable');
    expect(err.reasonParams).toEqual({ format: 'HEIC' });
    expect(err.message).toContain('"IMG_0003.HEIC": HEIC files cannot be read on this server');
    expect(err.message).toContain('JPEG');
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it('a damaged 3GP is refused with 400 naming the file', async () => {
    const good = await readFile(await threeGp());
    const broken = await fx.textFile(fixtures, 'broken.3gp', Buffer.concat([good.subarray(0, 40), Buffer.alloc(400, 9)]));
    const err = await rejection(processFile(broken));
    expect(err.status).toBe(400);
    expect(err.message).toContain('"broken.3gp"');
    expect(await readdir(tmpDir)).toEqual([]);
  });
});

describe('plain text, RTF and OpenDocument are accepted as files (issue 9, item 9)', () => {
  it('keeps UTF-8 text byte for byte as text/plain, HTML and script inside included', async () => {
    const content = 'Päiväkirja\n<script>alert(1)</script><html><body onload="x()">\n';
    for (const name of ['muistiinpanot.txt', 'taulukko.csv', 'README.md']) {
      const file = await fx.textFile(fixtures, name, content);
      const media = await processFile(file);
      await media.cleanup();
      expect(media).toMatchObject({ kind: 'file', mime: 'text/plain; charset=utf-8', sha256: sha256(Buffer.from(content)), width: null });
      expect(media.variants.original?.mime).toBe('text/plain; charset=utf-8');
    }
  });

  it('converts Windows-1252 text (old Mahara exports) to UTF-8', async () => {
    const file = await fx.textFile(fixtures, 'arvosanat.csv', Buffer.from('nimi;arvosana\nMäki;9\n', 'latin1'));
    const media = await processFile(file);
    try {
      expect(media.mime).toBe('text/plain; charset=utf-8');
      expect((await readFile(media.variants.original?.path ?? '')).toString('utf8')).toBe('nimi;arvosana\nMäki;9\n');
    } finally {
      await media.cleanup();
    }
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it('refuses a .txt whose bytes are binary (a NUL) and text under another name', async () => {
    const binary = await fx.textFile(fixtures, 'ohjelma.txt', Buffer.from('MZ\0\0\x90\0binary', 'latin1'));
    expect((await rejection(processFile(binary))).status).toBe(415);
    const html = await fx.textFile(fixtures, 'sivu.html', '<html><script>alert(1)</script></html>');
    expect((await rejection(processFile(html))).status).toBe(415);
  });

  it('accepts RTF and OpenDocument by their content, as documents kept as uploaded', async () => {
    const rtf = await fx.textFile(fixtures, 'kirje.rtf', '{\\rtf1\\ansi{\\fonttbl\\f0 Arial;}\\f0 Hei maailma\\par}');
    const odt = path.join(fixtures, 'essee.odt');
    await writeFile(
      odt,
      buildZip([
        { name: 'mimetype', data: Buffer.from('application/vnd.oasis.opendocument.text'), method: 0 },
        { name: 'content.xml', data: Buffer.from('<office:document-content/>') },
      ]),
    );
    for (const [file, mime] of [
      [rtf, 'application/rtf'],
      [odt, 'application/vnd.oasis.opendocument.text'],
    ] as const) {
      const media = await processFile(file);
      await media.cleanup();
      expect(media).toMatchObject({ kind: 'file', mime, sha256: sha256(await readFile(file)) });
    }
    // A ZIP whose mimetype names something else is not an OpenDocument.
    const fake = path.join(fixtures, 'fake.odt');
    await writeFile(fake, buildZip([{ name: 'mimetype', data: Buffer.from('application/x-msdownload'), method: 0 }]));
    expect((await rejection(processFile(fake))).status).toBe(415);
  });
});

describe('test fixtures', () => {
  it('the HEIC header is what file-type calls HEIC, and not an image sharp reads', async () => {
    await expect(sharp(heicHeader()).metadata()).rejects.toThrow();
  });
});
