import { createHash } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ZipStream from 'zip-stream';
import type { ExportScope } from '../../../../shared/api/portability.ts';
import { ARCHIVE_PATHS, portfolioJsonSchema } from '../../../../shared/portability/portfolio-format.ts';
import type { Locale } from '../../../../shared/roles.ts';
import type { Db } from '../../../db/database.ts';
import type { BlobStore } from '../../../storage/blob-store.ts';
import { buildLeap2a } from './leap2a.ts';
import { loadPortfolioDocument } from './portfolio-document.ts';
import { sitePages } from './site/site.tsx';
import { backfillVariantDigests } from './variant-digests.ts';

export { loadPortfolioDocument } from './portfolio-document.ts';

export interface ExportProgress {
  phase: 'collecting' | 'media' | 'pages' | 'finishing';
  done: number;
  total: number;
  bytes: number;
}

export interface ExportOptions {
  db: Db;
  blobs: BlobStore;
  pupilId: string;
  /** 'shared' = only artefacts with visibility 'guardians' (what a guardian may see), with their feedback. */
  scope: ExportScope;
  /** Language of the offline pages. */
  locale: Locale;
  signal?: AbortSignal;
  /** Called at most a few times per second (and at every change of phase). */
  onProgress?: (p: ExportProgress) => void;
}

const PROGRESS_INTERVAL_MS = 250;

/** A text entry: rendered only when the ZIP reaches it, so pages never pile up in memory. */
interface TextEntry {
  path: string;
  render(): string;
}

/**
 * Streams one pupil's portfolio archive (see README, "Portfolio archive format") into `output`:
 * media first, straight from the blob store one file at a time with backpressure and stored
 * without compression; then portfolio.json, its JSON Schema, leap2a.xml and the offline site,
 * deflated; then SHA256SUMS of every other entry. Memory stays flat: the document is held, no
 * media file or rendered page is. On abort or any failure `output` is destroyed with the error
 * and the promise rejects; nothing else is left behind (no temp files are made).
 */
/** What an archive holds of the portfolio: a guardian's export is checked against it at download (see outdatedSharedExport). */
export interface ArchiveContents {
  artefactIds: string[];
  mediaIds: string[];
}

export async function writeExportArchive(
  options: ExportOptions,
  output: NodeJS.WritableStream,
): Promise<{ entries: number; bytes: number; included: ArchiveContents }> {
  const { db, blobs, pupilId, scope, locale, signal } = options;
  const progress = progressReporter(options.onProgress);
  try {
    signal?.throwIfAborted();
    progress({ phase: 'collecting', done: 0, total: 1, bytes: 0 }, true);
    await backfillVariantDigests(db, blobs, pupilId, signal);
    const { document, files, timeZone } = await loadPortfolioDocument(db, pupilId, scope, locale);
    signal?.throwIfAborted();
    progress({ phase: 'collecting', done: 1, total: 1, bytes: 0 }, true);

    const mtime = new Date(document.exportedAt);
    const mediaTotal = files.reduce((sum, f) => sum + f.size, 0);
    const texts: TextEntry[] = [
      { path: ARCHIVE_PATHS.document, render: () => `${JSON.stringify(document, null, 2)}\n` },
      { path: ARCHIVE_PATHS.schema, render: () => `${JSON.stringify(portfolioJsonSchema(), null, 2)}\n` },
      { path: ARCHIVE_PATHS.leap2a, render: () => buildLeap2a(document) },
      ...sitePages(document, timeZone),
    ];
    const sums: string[] = [];
    // zip-stream (archiver's ZIP writer): one entry at a time, streamed, ZIP64 when sizes call for
    // it; checksums by crc-32's slice-by-16 CRC, a maintained library's own.
    const zip = new ZipStream({ zlib: { level: 6 } });
    // The one source being read into the ZIP right now (a blob).
    const reading: { stream: Readable | null } = { stream: null };
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
        bytes += chunk.length;
        callback(null, chunk);
      },
    });
    const piping = pipeline(zip, counter, output, ...(signal ? [{ signal }] : []));
    // Rejects as soon as the output fails or is aborted, so that no step waits for a dead ZIP.
    const broken = new Promise<never>((_resolve, reject) => void piping.catch(reject));
    broken.catch(() => undefined);
    const add = (source: Readable | Buffer, name: string, store: boolean) =>
      Promise.race([
        broken,
        new Promise<void>((resolve, reject) => {
          if (source instanceof Readable) source.once('error', reject);
          zip.entry(source, { name, store, date: mtime }, (err) => (err ? reject(err) : resolve()));
        }),
      ]);
    const onAbort = () => reading.stream?.destroy();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      let mediaBytes = 0;
      for (const [done, file] of files.entries()) {
        signal?.throwIfAborted();
        sums.push(`${file.sha256}  ${file.path}`);
        progress({ phase: 'media', done, total: files.length, bytes: mediaBytes }, done === 0);
        const stream = await Promise.race([broken, blobs.getStream(file.blobKey)]);
        reading.stream = stream;
        stream.on('data', (chunk: Buffer) => {
          mediaBytes += chunk.length;
          progress({ phase: 'media', done, total: files.length, bytes: mediaBytes });
        });
        // Media are stored as they are (photos and video do not deflate).
        await add(stream, file.path, true);
        reading.stream = null;
      }
      for (const [done, entry] of texts.entries()) {
        signal?.throwIfAborted();
        progress({ phase: 'pages', done, total: texts.length, bytes: mediaBytes }, done === 0);
        const rendered = Buffer.from(entry.render(), 'utf8');
        sums.push(`${createHash('sha256').update(rendered).digest('hex')}  ${entry.path}`);
        await add(rendered, entry.path, false);
      }
      progress({ phase: 'finishing', done: 0, total: 1, bytes: mediaBytes }, true);
      await add(Buffer.from(sums.map((line) => `${line}\n`).join(''), 'utf8'), ARCHIVE_PATHS.manifest, false);
      zip.finish();
      await piping;
    } catch (err) {
      // The output failed or was aborted, or a blob could not be read: the blob being read must
      // not keep its connection open, and the ZIP stops.
      reading.stream?.destroy();
      zip.destroy(err instanceof Error ? err : new Error(String(err)));
      await piping.catch(() => undefined);
      throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      reading.stream = null;
    }
    progress({ phase: 'finishing', done: 1, total: 1, bytes: mediaTotal }, true);
    const included = {
      artefactIds: document.artefacts.map((a) => a.id),
      mediaIds: document.artefacts.flatMap((a) => a.media.map((m) => m.id)),
    };
    return { entries: files.length + texts.length + 1, bytes, included };
  } catch (err) {
    // The caller's stream must not look like a finished archive.
    if (!isDestroyed(output)) destroyWith(output, err);
    throw err;
  }
}

function isDestroyed(stream: NodeJS.WritableStream): boolean {
  return 'destroyed' in stream && stream.destroyed === true;
}

function destroyWith(stream: NodeJS.WritableStream, err: unknown): void {
  if ('destroy' in stream && typeof stream.destroy === 'function') (stream.destroy as (e?: Error) => void)(err instanceof Error ? err : new Error(String(err)));
  else stream.emit('error', err);
}

function progressReporter(onProgress: ExportOptions['onProgress']) {
  let last = 0;
  let lastPhase: ExportProgress['phase'] | null = null;
  return (p: ExportProgress, force = false) => {
    if (!onProgress) return;
    const now = Date.now();
    if (!force && p.phase === lastPhase && now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    lastPhase = p.phase;
    onProgress(p);
  };
}
