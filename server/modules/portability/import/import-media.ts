import { makeTempDir } from '../../../media/temp-files.ts';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../../../db/database.ts';
import { HttpError } from '../../../http/errors.ts';
import { MediaUnreadable, ToolUnavailable } from '../../../media/av.ts';
import { imageCarriesMetadata } from '../../../media/image.ts';
import { withExtension } from '../../../media/conversions.ts';
import { type MediaOptions, type ProcessedMedia, processUpload, sha256File, storeProcessedMedia } from '../../../media/pipeline.ts';
import { type AcceptedType, UnreadableFormat, UnsupportedMediaType, sniff } from '../../../media/sniff.ts';
import type { BlobStore } from '../../../storage/blob-store.ts';
import { noteBlobKeys } from '../../../storage/noted-blob-store.ts';
import { discardStored, type StoredMedia } from '../../artefacts/artefact-media.ts';
import type { MediaVariant } from '../../../../shared/portfolio.ts';
import { type ImportReason, importReason } from '../../../../shared/portability/import-reasons.ts';
import { ImportRejected } from './import-rejected.ts';
import type { PlannedMedia } from './import-plan.ts';
import type { SafeZip } from './safe-zip.ts';

interface Inspected {
  path: string;
  sha256: string;
  size: number;
  accepted: AcceptedType;
}

export type Inspection = { ok: true; sha256: string; size: number; accepted: AcceptedType } | { ok: false; reason: ImportReason };

/**
 * The archive's media files, each extracted once into a private temp folder and sniffed by its
 * bytes. Planning asks `inspect` (an unsupported type becomes an 'unmapped' item, not an error);
 * the writer then finds the extracted file by its entry name. A preview keeps no files.
 */
export class MediaFiles {
  private readonly seen = new Map<string, Inspected | { reason: ImportReason }>();
  private counter = 0;

  private constructor(
    private readonly zip: SafeZip | null,
    private readonly dir: string,
    private readonly keepFiles: boolean,
  ) {}

  static async create(zip: SafeZip | null, tmpRoot: string, keepFiles: boolean): Promise<MediaFiles> {
    await mkdir(tmpRoot, { recursive: true });
    // mkdtemp makes the folder 0700: other local users cannot read a pupil's photos meanwhile.
    return new MediaFiles(zip, await makeTempDir(tmpRoot, 'import'), keepFiles);
  }

  has(entry: string): boolean {
    return this.zip?.has(entry) ?? false;
  }

  async inspect(entry: string, expectedSha256?: string): Promise<Inspection> {
    const known = this.seen.get(entry) ?? (await this.extract(entry, expectedSha256));
    this.seen.set(entry, known);
    if ('reason' in known) return { ok: false, reason: known.reason };
    if (expectedSha256 && known.sha256 !== expectedSha256) throw mismatch(entry);
    return { ok: true, sha256: known.sha256, size: known.size, accepted: known.accepted };
  }

  file(entry: string): Inspected {
    const known = this.seen.get(entry);
    if (!known || 'reason' in known || !this.keepFiles) throw new Error(`media file ${entry} was not inspected`);
    return known;
  }

  async close(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }

  private async extract(entry: string, expectedSha256: string | undefined): Promise<Inspected | { reason: ImportReason }> {
    if (!this.zip) return { reason: importReason('media-not-included') };
    const info = this.zip.info(entry);
    if (!info || info.directory) return { reason: importReason('media-missing', { file: entry }) };
    // Never the archive's name on disk: it is only a label.
    const target = path.join(this.dir, `f${(this.counter += 1)}`);
    const { sha256, size } = await this.zip.extractTo(entry, target);
    if (expectedSha256 && sha256 !== expectedSha256) throw mismatch(entry);
    try {
      const accepted = await sniff(target, path.posix.basename(entry));
      if (!this.keepFiles) await rm(target, { force: true });
      return { path: target, sha256, size, accepted };
    } catch (err) {
      await rm(target, { force: true });
      const file = path.posix.basename(entry);
      if (err instanceof UnreadableFormat) return { reason: importReason('media-format-unreadable', { file, format: err.format }) };
      if (err instanceof UnsupportedMediaType) return { reason: importReason('media-unsupported', { file }) };
      throw err;
    }
  }
}

function mismatch(entry: string): ImportRejected {
  return new ImportRejected('checksum-mismatch', { file: entry });
}

/** A stored media item whose row is not written yet, with what the row needs beyond StoredMedia. */
export interface StoredImportMedia extends StoredMedia {
  planned: PlannedMedia;
  variantDigests: Partial<Record<MediaVariant, { sha256: string; size: number }>>;
  /** The file was re-encoded (metadata removed, or variants made) instead of kept byte for byte. */
  cleaned: boolean;
}

export interface MediaStoreDeps {
  db: Db;
  blobs: BlobStore;
  media: MediaOptions;
}

/**
 * Stores one planned media item: processed (or kept byte for byte, see PlannedMedia.mode), put into
 * the blob store, its keys noted in pending_blobs before this returns. The caller discards it if the
 * rows are not written.
 */
export async function storeImportMedia(deps: MediaStoreDeps, files: MediaFiles, planned: PlannedMedia): Promise<StoredImportMedia> {
  const source = files.file(planned.entry);
  const prepared = await prepare(deps, files, planned, source);
  try {
    const digests: StoredImportMedia['variantDigests'] = {};
    for (const [name, variant] of Object.entries(prepared.media.variants)) {
      if (!variant) continue;
      const known = prepared.known.get(variant.path);
      digests[name as MediaVariant] = known ?? { sha256: await sha256File(variant.path), size: variant.size };
    }
    const keys = await storeProcessedMedia(deps.blobs, planned.id, prepared.media);
    const stored: StoredImportMedia = {
      id: planned.id,
      kind: prepared.media.kind,
      mime: prepared.media.mime,
      sha256: prepared.media.sha256,
      size: prepared.media.size,
      originalName: withExtension(planned.originalName, prepared.media.convertedTo),
      width: prepared.media.width,
      height: prepared.media.height,
      durationMs: prepared.media.durationMs,
      variants: keys,
      planned,
      variantDigests: digests,
      cleaned: prepared.cleaned,
    };
    try {
      await noteBlobKeys(
        deps.db,
        Object.values(keys).filter((k): k is string => typeof k === 'string'),
      );
    } catch (err) {
      await discardStored(deps, [stored]);
      throw err;
    }
    return stored;
  } finally {
    await prepared.media.cleanup();
  }
}

interface Prepared {
  media: ProcessedMedia;
  cleaned: boolean;
  /** Digests already known (archive files), by temp path. */
  known: Map<string, { sha256: string; size: number }>;
}

async function prepare(deps: MediaStoreDeps, files: MediaFiles, planned: PlannedMedia, source: Inspected): Promise<Prepared> {
  const known = new Map([[source.path, { sha256: source.sha256, size: source.size }]]);
  const accepted = source.accepted;
  if (planned.mode === 'keep' && accepted.kind === 'file') {
    // Documents are stored as uploaded by design (see pipeline.ts), so the archive's copy is what an upload would store.
    return { media: asIs(source, planned, accepted.mime, 'file', {}), cleaned: false, known };
  }
  if (planned.mode === 'keep' && accepted.kind === 'image' && !(await carriesMetadata(source, files, planned))) {
    const display = planned.variants.display && files.file(planned.variants.display.entry);
    const thumb = planned.variants.thumb && files.file(planned.variants.thumb.entry);
    if (display && thumb) {
      for (const v of [display, thumb]) known.set(v.path, { sha256: v.sha256, size: v.size });
      return { media: asIs(source, planned, accepted.mime, 'image', { display: variantOf(display), thumb: variantOf(thumb) }), cleaned: false, known };
    }
    // The original is clean but the archive lacks the smaller sizes: make those, keep the original's bytes.
    const processed = await processOrReject(deps, planned, source);
    return {
      media: { ...processed, sha256: source.sha256, size: source.size, variants: { ...processed.variants, original: variantOf(source) } },
      cleaned: false,
      known,
    };
  }
  const processed = await processOrReject(deps, planned, source);
  if (planned.mode === 'keep' && (accepted.kind === 'audio' || accepted.kind === 'video') && processed.sha256 === source.sha256) {
    return keepCleanRecording(files, planned, source, processed, known);
  }
  return { media: processed, cleaned: planned.mode === 'keep', known };
}

/**
 * A Polku archive's recording that the pipeline gave back byte for byte: nothing was removed, so
 * the archive's file is stored and the report does not say "cleaned". The check is made on the
 * bytes themselves (the archive's digest only names the file, anyone can compute one), so a file
 * with metadata under a correct digest is still cleaned. The archive's poster and thumbnail are
 * reused when they too carry no metadata, so that a round trip keeps every file as it was.
 */
async function keepCleanRecording(
  files: MediaFiles,
  planned: PlannedMedia,
  source: Inspected,
  processed: ProcessedMedia,
  known: Prepared['known'],
): Promise<Prepared> {
  const variants: ProcessedMedia['variants'] = { ...processed.variants, original: variantOf(source) };
  const poster = planned.variants.poster && files.file(planned.variants.poster.entry);
  const thumb = planned.variants.thumb && files.file(planned.variants.thumb.entry);
  if (processed.variants.poster && poster && thumb && (await cleanImages([poster, thumb]))) {
    variants.poster = variantOf(poster);
    variants.thumb = variantOf(thumb);
    for (const v of [poster, thumb]) known.set(v.path, { sha256: v.sha256, size: v.size });
  }
  return { media: { ...processed, variants }, cleaned: false, known };
}

async function cleanImages(images: readonly Inspected[]): Promise<boolean> {
  for (const image of images) {
    if (image.accepted.kind !== 'image' || (await imageCarriesMetadata(image.path, image.accepted.format))) return false;
  }
  return true;
}

async function carriesMetadata(source: Inspected, files: MediaFiles, planned: PlannedMedia): Promise<boolean> {
  if (source.accepted.kind !== 'image') return true;
  if (await imageCarriesMetadata(source.path, source.accepted.format)) return true;
  for (const v of Object.values(planned.variants)) {
    const file = files.file(v.entry);
    if (file.accepted.kind !== 'image' || (await imageCarriesMetadata(file.path, file.accepted.format))) return true;
  }
  return false;
}

function variantOf(file: Inspected) {
  return { path: file.path, mime: file.accepted.mime, size: file.size };
}

function asIs(source: Inspected, planned: PlannedMedia, mime: string, kind: 'image' | 'file', more: ProcessedMedia['variants']): ProcessedMedia {
  return {
    kind,
    mime,
    sha256: source.sha256,
    size: source.size,
    originalName: planned.originalName,
    width: planned.dims.width,
    height: planned.dims.height,
    durationMs: planned.dims.durationMs,
    metadataStripped: true,
    variants: { original: variantOf(source), ...more },
    // The files belong to MediaFiles, which removes its folder at the end.
    cleanup: () => Promise.resolve(),
  };
}

/**
 * One media file the upload pipeline refused (damaged, no playable stream, too large, not what it
 * claims to be): the writer reports that file as not importable and imports the rest.
 */
export class MediaRefused extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(detail);
    this.name = 'MediaRefused';
  }
}

/** The pipeline's refusals (its typed 4xx errors, and ffmpeg's) become MediaRefused; anything else (disk, store) fails the import. */
async function processOrReject(deps: MediaStoreDeps, planned: PlannedMedia, source: Inspected): Promise<ProcessedMedia> {
  const name = planned.originalName ?? path.posix.basename(planned.entry);
  try {
    // An import waits its turn to transcode, however many uploads wait: a job runs one file at a time,
    // and a busy moment must not drop a recording from the pupil's archive (see av.ts Slot).
    return await processUpload({ path: source.path, originalName: name, size: source.size }, { ...deps.media, maxWaitingTranscodes: Number.POSITIVE_INFINITY });
  } catch (err) {
    if ((err instanceof HttpError && err.status < 500) || err instanceof MediaUnreadable || err instanceof ToolUnavailable) {
      // The pipeline's own English words say what exactly is wrong: kept as the detail for the CLI and logs.
      throw new MediaRefused(name, err.message);
    }
    throw err;
  }
}
