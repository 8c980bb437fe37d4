import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { BadRequest, HttpError, PayloadTooLarge, ServiceUnavailable } from '../http/errors.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import { blobKey } from '../storage/blob-store.ts';
import {
  type AvInfo,
  MediaUnreadable,
  TRANSCODED,
  ToolTimeout,
  ToolUnavailable,
  TranscodeQueueFull,
  extractFrame,
  probe,
  remuxWithoutMetadata,
  transcode,
} from './av.ts';
import { playsInBrowsers, toUtf8, withExtension } from './conversions.ts';
import { processImage } from './image.ts';
import { makeTempDir } from './temp-files.ts';
import { type AcceptedType, type ImageFormat, TEXT_MIME, type TextEncoding, checkSize, quoteName, safeFileName, sniff } from './sniff.ts';

/**
 * Audio or video that yields nothing to play: damaged, truncated, or a container without a single
 * audio or video stream. 400, naming the file. The importer catches it to mark one file not importable.
 */
export class UnplayableMedia extends BadRequest {
  constructor(readonly fileName: string | null) {
    super(`${fileName ? `${quoteName(fileName)} cannot` : 'This recording cannot'} be played: it may be damaged or incomplete, or hold no sound or picture.`);
    this.reason = 'media_unplayable';
    if (fileName) this.reasonParams = { name: fileName };
  }
}

/** Audio and video are refused while ffmpeg cannot be run: stored as uploaded they would keep their metadata (GPS). */
export class MediaToolMissing extends HttpError {
  constructor(fileName: string | null) {
    // 415: on this server, as it is set up now, the type is not supported.
    super(
      415,
      'unsupported_media_type',
      `${fileName ? `${quoteName(fileName)} was not uploaded` : 'Audio and video cannot be uploaded'}: audio and video need ffmpeg, which this server cannot run. Ask the administrator to install it; images and documents can be uploaded meanwhile.`,
    );
    this.reason = 'media_tool_missing';
  }
}

/**
 * A recording that must be converted to play in browsers is longer than the server converts
 * (MEDIA_MAX_TRANSCODE_MINUTES), or its conversion ran out of time and was stopped. 413.
 */
export class TranscodeTooLong extends PayloadTooLarge {
  constructor(fileName: string, maxSeconds: number) {
    super(
      `${quoteName(fileName) ?? 'The recording'} must be converted to play in browsers, and at most ${Math.round(maxSeconds / 60)} minutes can be converted. Upload it as MP4 (H.264) or shorten it.`,
    );
    this.reason = 'media_transcode_too_long';
    this.reasonParams = { minutes: Math.round(maxSeconds / 60) };
  }
}

/** Enough recordings already wait to be converted: this one is refused at once (503 with Retry-After), not queued. */
export class MediaBusy extends ServiceUnavailable {
  constructor(fileName: string) {
    super(`${quoteName(fileName) ?? 'The recording'} was not uploaded: Polku is converting other recordings right now. Please try again in a minute.`, 60);
    this.reason = 'media_busy';
  }
}

export type ProcessedVariantName = 'original' | 'display' | 'thumb' | 'poster';

export interface ProcessedVariant {
  path: string;
  mime: string;
  size: number;
}

export interface ProcessedMedia {
  kind: 'image' | 'audio' | 'video' | 'file';
  mime: string;
  /** Of the stored original, hex. */
  sha256: string;
  /** Of the stored original. */
  size: number;
  originalName: string | null;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  /**
   * Always true from this pipeline: audio and video are refused (MediaToolMissing) when ffmpeg cannot
   * clean them. PDFs and office documents are stored as uploaded by design.
   */
  metadataStripped: boolean;
  /**
   * Set when the recording was converted (3GP → MP4 …): the extension of what is stored, so that a
   * download is not named `.3gp` while it holds an MP4 (see withExtension).
   */
  convertedTo?: string;
  /**
   * Temp files to store. A variant may be the upload file itself (documents, or audio/video without
   * ffmpeg): that file belongs to the upload middleware, not to `cleanup`.
   */
  variants: Partial<Record<ProcessedVariantName, ProcessedVariant>>;
  /**
   * SHA-256 and size of every variant as stored. The export names files by content hash before it
   * streams them, so the hashes are taken here, where the temp files are at hand (they are small
   * apart from the original, which is hashed anyway). Optional for media made outside this
   * pipeline; the export hashes what is missing (and saves it) when it first needs it.
   */
  digests?: Partial<Record<ProcessedVariantName, VariantDigest>>;
  /** Removes every temp file this processing made (call in finally). */
  cleanup(): Promise<void>;
}

export interface VariantDigest {
  sha256: string;
  size: number;
}

export interface MediaOptions {
  maxBytes: { image: number; audio: number; video: number; file: number };
  ffmpegPath: string;
  tmpDir: string;
  /** The longest recording that is transcoded (default 20 minutes); see av.ts transcode. */
  maxTranscodeSeconds?: number;
  /** How many transcodes may wait for the one running (default 4); more are refused at once. */
  maxWaitingTranscodes?: number;
}

const DEFAULT_MAX_TRANSCODE_SECONDS = 20 * 60;

type Processed = Omit<ProcessedMedia, 'cleanup' | 'sha256' | 'size' | 'originalName' | 'digests'>;

/**
 * The middle of the upload state machine: sniffed → checked → processed. Throws 415 for types outside
 * the allow-list, 413 over the per-kind limit, 400 for damaged content; on any failure every temp file
 * made here is already gone. The upload file itself is left to its owner.
 */
export async function processUpload(file: { path: string; originalName: string; size: number }, options: MediaOptions): Promise<ProcessedMedia> {
  // The size on disk, not the one reported by the caller: it is what will be stored.
  const { size } = await stat(file.path);
  if (size === 0) throw new BadRequest(`${quoteName(file.originalName) ?? 'The file'} is empty (0 bytes).`);
  const accepted = await sniff(file.path, file.originalName);
  const workDir = await makeTempDir(options.tmpDir, 'media');
  let cleaned: Promise<void> | undefined;
  const cleanup = () => (cleaned ??= rm(workDir, { recursive: true, force: true }));
  try {
    const processed = await processAccepted(accepted, file, size, workDir, options);
    const original = processed.variants.original;
    if (!original) throw new Error('processing produced no original');
    const digests = await digestVariants(processed.variants);
    return {
      ...processed,
      digests,
      sha256: digests.original?.sha256 ?? (await sha256File(original.path)),
      size: original.size,
      originalName: withExtension(cleanName(file.originalName), processed.convertedTo),
      cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

function processAccepted(
  accepted: AcceptedType,
  file: { path: string; originalName: string },
  size: number,
  workDir: string,
  options: MediaOptions,
): Promise<Processed> {
  switch (accepted.kind) {
    case 'image':
      checkSize('image', size, options.maxBytes.image, file.originalName);
      return processImageUpload(file.path, accepted.format, workDir);
    case 'audio':
    case 'video':
      return processAudioVideo(file, accepted, size, workDir, options);
    case 'file':
      checkSize('file', size, options.maxBytes.file, file.originalName);
      if (accepted.text && accepted.text !== 'utf-8') return convertText(file.path, accepted.text, workDir);
      return Promise.resolve(asUploaded('file', accepted.mime, file.path, size, null));
  }
}

async function processImageUpload(input: string, format: ImageFormat, workDir: string): Promise<Processed> {
  const image = await processImage(input, format, workDir, { keepOriginal: true });
  return {
    kind: 'image',
    mime: image.original?.mime ?? 'application/octet-stream',
    width: image.width,
    height: image.height,
    durationMs: null,
    metadataStripped: true,
    variants: { original: image.original, display: image.display, thumb: image.thumb },
  };
}

async function processAudioVideo(
  file: { path: string; originalName: string },
  accepted: AcceptedType & { kind: 'audio' | 'video' },
  size: number,
  workDir: string,
  options: MediaOptions,
): Promise<Processed> {
  const info = await readInfo(options.ffmpegPath, file.path, accepted.ext, file.originalName);
  if (!info.hasVideo && !info.hasAudio) throw new UnplayableMedia(file.originalName);
  // The container alone does not tell: WebM and MP4 hold audio-only recordings too. The other way
  // round (a picture track in an .m4a) stays audio, and the remux keeps only its sound.
  const audioOnly = accepted.kind === 'video' && !info.hasVideo;
  const kind = audioOnly ? 'audio' : accepted.kind;
  const mime = audioOnly ? audioMimeFor(accepted.mime) : accepted.mime;
  checkSize(kind, size, options.maxBytes[kind], file.originalName);

  const convert = !playsInBrowsers(accepted.ext, info);
  const maxSeconds = options.maxTranscodeSeconds ?? DEFAULT_MAX_TRANSCODE_SECONDS;
  if (convert && info.durationMs !== null && info.durationMs > maxSeconds * 1000) throw new TranscodeTooLong(file.originalName, maxSeconds);
  const target = convert ? { ext: TRANSCODED[kind].ext, mime: TRANSCODED[kind].mime } : { ext: accepted.ext, mime };
  const output = path.join(workDir, `original.${target.ext}`);
  try {
    if (convert) {
      // The encoder's file goes through the same remux as every kept recording: remuxing is idempotent
      // from then on, so a re-import of this file finds nothing to change (byte-stable round trip).
      const encoded = path.join(workDir, `encoded.${target.ext}`);
      await transcode(options.ffmpegPath, file.path, accepted.ext, encoded, kind, 60_000 + maxSeconds * 3000, maxSeconds, options.maxWaitingTranscodes);
      await remuxWithoutMetadata(options.ffmpegPath, encoded, target.ext, output, kind);
      await rm(encoded, { force: true });
    } else {
      await remuxWithoutMetadata(options.ffmpegPath, file.path, accepted.ext, output, kind);
    }
  } catch (err) {
    if (err instanceof ToolUnavailable) throw new MediaToolMissing(file.originalName);
    if (err instanceof TranscodeQueueFull) throw new MediaBusy(file.originalName);
    if (err instanceof ToolTimeout && convert) throw new TranscodeTooLong(file.originalName, maxSeconds);
    throw unreadable(err, file.originalName);
  }
  // What will be stored must itself play: a remux of a damaged file can come out empty.
  const stored = await readInfo(options.ffmpegPath, output, target.ext, file.originalName);
  if (!stored.hasVideo && !stored.hasAudio) throw new UnplayableMedia(file.originalName);
  // The probe before converting read the container's claim; this is the length actually encoded (cut at the cap + 1 s).
  // Half a second of slack: an encoder's priming samples make an honest recording at the cap a little longer.
  if (convert && stored.durationMs !== null && stored.durationMs > maxSeconds * 1000 + 500) throw new TranscodeTooLong(file.originalName, maxSeconds);
  const stripped: Processed = {
    ...asUploaded(kind, target.mime, output, (await stat(output)).size, convert ? stored : info),
    metadataStripped: true,
    ...(convert ? { convertedTo: target.ext } : {}),
  };
  if (kind === 'video') Object.assign(stripped.variants, await makePoster(output, target.ext, workDir, info, options));
  return stripped;
}

async function convertText(input: string, encoding: TextEncoding, workDir: string): Promise<Processed> {
  const utf8 = await toUtf8(input, encoding, workDir);
  return asUploaded('file', TEXT_MIME, utf8.path, utf8.size, null);
}

/** ffprobe's view of the file. */
async function readInfo(ffmpegPath: string, input: string, container: string, originalName: string): Promise<AvInfo> {
  try {
    return await probe(ffmpegPath, input, container);
  } catch (err) {
    if (err instanceof ToolUnavailable) throw new MediaToolMissing(originalName);
    throw unreadable(err, originalName);
  }
}

/**
 * A poster frame at min(1 s, half the duration), through image.ts for sizes and metadata stripping.
 * A missing poster is not an error: the video itself was read and remuxed, and the client shows a placeholder.
 */
async function makePoster(video: string, container: string, workDir: string, info: AvInfo | null, options: MediaOptions): Promise<Processed['variants']> {
  const frame = path.join(workDir, 'frame.png');
  const at = Math.min(1, (info?.durationMs ?? 0) / 2000);
  const taken =
    (await extractFrame(options.ffmpegPath, video, container, frame, at)) || (at > 0 && (await extractFrame(options.ffmpegPath, video, container, frame, 0)));
  if (!taken) return {};
  const image = await processImage(frame, 'png', workDir, { keepOriginal: false, prefix: 'poster-' });
  return { poster: image.display, thumb: image.thumb };
}

function asUploaded(kind: ProcessedMedia['kind'], mime: string, filePath: string, size: number, info: AvInfo | null): Processed {
  return {
    kind,
    mime,
    width: info?.width ?? null,
    height: info?.height ?? null,
    durationMs: info?.durationMs ?? null,
    metadataStripped: true,
    variants: { original: { path: filePath, mime, size } },
  };
}

function audioMimeFor(videoMime: string): string {
  if (videoMime === 'video/mp4') return 'audio/mp4';
  if (videoMime === 'video/webm') return 'audio/webm';
  return videoMime;
}

function unreadable(err: unknown, originalName: string): unknown {
  return err instanceof MediaUnreadable ? new UnplayableMedia(originalName) : err;
}

async function digestVariants(variants: Processed['variants']): Promise<NonNullable<ProcessedMedia['digests']>> {
  const digests: NonNullable<ProcessedMedia['digests']> = {};
  for (const [name, variant] of Object.entries(variants) as Array<[ProcessedVariantName, ProcessedVariant | undefined]>) {
    if (variant) digests[name] = { sha256: await sha256File(variant.path), size: variant.size };
  }
  return digests;
}

/** Streamed, so a gigabyte video never sits in memory. */
export async function sha256File(filePath: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(filePath)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Control and bidirectional control characters removed, Unicode composed (macOS sends decomposed names), at most 255 characters. */
export function cleanName(name: string): string | null {
  const clean = safeFileName(name.normalize('NFC'));
  return clean ? [...clean].slice(0, 255).join('') : null;
}

/**
 * Stored → the caller writes the row. Variants go one after another from their temp files; if one
 * put fails, the ones already stored are deleted again and the put's error is rethrown.
 */
export async function storeProcessedMedia(blobs: BlobStore, mediaId: string, media: ProcessedMedia): Promise<Partial<Record<ProcessedVariantName, string>>> {
  const id = mediaId.replaceAll('-', '');
  const stored: Partial<Record<ProcessedVariantName, string>> = {};
  try {
    for (const name of VARIANT_ORDER) {
      const variant = media.variants[name];
      if (!variant) continue;
      const key = blobKey('media', id, name);
      const body = createReadStream(variant.path);
      try {
        await blobs.putStream(key, body, { contentType: variant.mime, size: variant.size });
      } finally {
        // A store that failed before reading the body must not leak its file descriptor.
        body.destroy();
      }
      stored[name] = key;
    }
    return stored;
  } catch (err) {
    try {
      await deleteMediaBlobs(blobs, stored);
    } catch (cleanupErr) {
      // Both are reported: the cause of the failure, and which stored objects are now orphans.
      throw new AggregateError([err, cleanupErr], 'Storing media failed, and removing the variants already stored failed too');
    }
    throw err;
  }
}

const VARIANT_ORDER: readonly ProcessedVariantName[] = ['original', 'display', 'thumb', 'poster'];

/** Deletes every key; tries them all even when one fails, then reports the failures together. */
export async function deleteMediaBlobs(blobs: BlobStore, keys: Record<string, string>): Promise<void> {
  const results = await Promise.allSettled(Object.values(keys).map((key) => blobs.delete(key)));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length > 0) throw new AggregateError(failures, `Could not delete ${failures.length} media object(s)`);
}
