import type { ImportReason } from '../../../../shared/portability/import-reasons.ts';
import type { ImportItem } from './import-plan.ts';
import { ImportRejected } from './import-rejected.ts';
import type { SafeZip } from './safe-zip.ts';

/** Reading many small files of a download (sidecars, pages) within a byte budget per parse task. */

/** A small file's bytes, or null if it is larger than `maxBytes` (reported by the caller, not fatal). */
export async function readSmall(zip: SafeZip, name: string, maxBytes: number): Promise<Buffer | null> {
  try {
    return await zip.readBuffer(name, maxBytes, () => new ImportRejected('too-large', { context: 'file', file: name, max: maxBytes }));
  } catch (err) {
    if (err instanceof ImportRejected && err.code === 'too-large') return null;
    throw err;
  }
}

/** Splits work into batches of at most `budget` bytes, so one parse task never holds the whole download. */
export async function inBatches<T, R>(list: readonly T[], size: (t: T) => number, budget: number, run: (batch: T[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  let batch: T[] = [];
  let bytes = 0;
  for (const item of list) {
    if (batch.length > 0 && bytes + size(item) > budget) {
      out.push(...(await run(batch)));
      batch = [];
      bytes = 0;
    }
    batch.push(item);
    bytes += size(item);
  }
  if (batch.length > 0) out.push(...(await run(batch)));
  return out;
}

/** A line for a part of the download that is not imported. */
export function note(file: string, reason: ImportReason, type: ImportItem['type'] = 'entry'): ImportItem {
  return { type, sourceId: file, title: file, action: 'unmapped', ...reason };
}

/** Files only a browser needs to show the download's own pages. */
export function isViewerAsset(name: string): boolean {
  return /\.(?:css|js|mjs|map|woff2?|ttf|otf|eot|ico|svg)$/i.test(name);
}
