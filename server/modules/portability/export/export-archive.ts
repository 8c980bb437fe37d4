import { createHash } from 'node:crypto';
import { PassThrough, Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import type { ExportScope } from '../../../../shared/api/portability.ts';
import { ARCHIVE_PATHS, portfolioJsonSchema } from '../../../../shared/portability/portfolio-format.ts';
import type { Locale } from '../../../../shared/roles.ts';
import type { Db } from '../../../db/database.ts';
import type { BlobStore } from '../../../storage/blob-store.ts';
import { buildLeap2a } from './leap2a.ts';
import { loadPortfolioDocument } from './portfolio-document.ts';
import { sitePages } from './site/site.tsx';
import { backfillVariantDigests } from './variant-digests.ts';
import './zip-crc.ts';

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
export async function writeExportArchive(options: ExportOptions, output: NodeJS.WritableStream): Promise<{ entries: number; bytes: number }> {
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
    const zip = new ZipFile();
    // The one source being read into the ZIP right now (a blob or a rendered page).
    const reading: { stream: Readable | null } = { stream: null };
    let mediaBytes = 0;
    let mediaDone = 0;
    let textsDone = 0;
    const fail = (err: unknown) => {
      reading.stream?.destroy();
      (zip.outputStream as PassThrough).destroy(err instanceof Error ? err : new Error(String(err)));
    };
    zip.on('error', fail);

    for (const file of files) {
      sums.push(`${file.sha256}  ${file.path}`);
      zip.addReadStreamLazy(file.path, { compress: false, size: file.size, mtime }, (cb) => {
        progress({ phase: 'media', done: mediaDone, total: files.length, bytes: mediaBytes }, mediaDone === 0);
        blobs.getStream(file.blobKey).then(
          (stream) => {
            reading.stream = stream;
            stream.once('error', fail);
            stream.once('end', () => (mediaDone += 1));
            stream.on('data', (chunk: Buffer) => {
              mediaBytes += chunk.length;
              progress({ phase: 'media', done: mediaDone, total: files.length, bytes: mediaBytes });
            });
            // 'data' listeners would start the flow early; pipe() below resumes it when yazl reads.
            stream.pause();
            cb(null, stream);
          },
          (err: unknown) => cb(err, new PassThrough()),
        );
      });
    }
    for (const entry of texts) {
      zip.addReadStreamLazy(entry.path, { compress: true, mtime }, (cb) => {
        try {
          progress({ phase: 'pages', done: textsDone, total: texts.length, bytes: mediaBytes }, textsDone === 0);
          const bytes = Buffer.from(entry.render(), 'utf8');
          sums.push(`${createHash('sha256').update(bytes).digest('hex')}  ${entry.path}`);
          textsDone += 1;
          reading.stream = Readable.from([bytes]);
          cb(null, reading.stream);
        } catch (err) {
          cb(err, new PassThrough());
        }
      });
    }
    zip.addReadStreamLazy(ARCHIVE_PATHS.manifest, { compress: true, mtime }, (cb) => {
      progress({ phase: 'finishing', done: 0, total: 1, bytes: mediaBytes }, true);
      reading.stream = Readable.from([Buffer.from(sums.map((line) => `${line}\n`).join(''), 'utf8')]);
      cb(null, reading.stream);
    });
    zip.end();

    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
        bytes += chunk.length;
        callback(null, chunk);
      },
    });
    const onAbort = () => reading.stream?.destroy();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await pipeline(zip.outputStream, counter, output, ...(signal ? [{ signal }] : []));
    } catch (err) {
      // The output failed or was aborted: the blob being read must not keep its connection open.
      reading.stream?.destroy();
      throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      reading.stream = null;
    }
    progress({ phase: 'finishing', done: 1, total: 1, bytes: mediaTotal }, true);
    return { entries: files.length + texts.length + 1, bytes };
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
