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

/**
 * Reads the files one by one and hands them to `run` in batches of at most `budget` bytes, so that
 * neither this thread nor a parse task ever holds more than one batch of the download. Files `read`
 * returns null for (too large) come back as null.
 */
export async function readInBatches<T extends { name: string }, R>(
  list: readonly T[],
  read: (t: T) => Promise<Buffer | null>,
  budget: number,
  run: (batch: Array<T & { bytes: Buffer }>) => Promise<R[]>,
): Promise<Map<string, R | null>> {
  const out = new Map<string, R | null>();
  let batch: Array<T & { bytes: Buffer }> = [];
  let bytes = 0;
  const flush = async () => {
    const results = await run(batch);
    batch.forEach((b, i) => out.set(b.name, results[i] ?? null));
    batch = [];
    bytes = 0;
  };
  for (const item of list) {
    const data = await read(item);
    if (!data) {
      out.set(item.name, null);
      continue;
    }
    if (batch.length > 0 && bytes + data.length > budget) await flush();
    batch.push({ ...item, bytes: data });
    bytes += data.length;
  }
  if (batch.length > 0) await flush();
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
