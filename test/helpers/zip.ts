import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import yauzl from 'yauzl';

/**
 * Reading the archives our tests make or download. Strict on purpose (file names, entry sizes):
 * the tests read Polku's own archives, which must pass. The importer's hostile-input reader is
 * server/modules/portability/import/safe-zip.ts, not this.
 */

export interface ZipEntry {
  name: string;
  compressionMethod: number;
  bytes: Buffer;
}

const OPTIONS = { lazyEntries: true, strictFileNames: true, validateEntrySizes: true } as const;

async function openZip(source: string | Buffer): Promise<yauzl.ZipFile> {
  return typeof source === 'string' ? yauzl.openPromise(source, OPTIONS) : yauzl.fromBufferPromise(source, OPTIONS);
}

async function eachEntry(source: string | Buffer, withBytes: boolean, visit: (entry: yauzl.Entry, bytes: Buffer) => Promise<void> | void): Promise<void> {
  const zip = await openZip(source);
  try {
    for await (const entry of zip.eachEntry()) {
      const chunks: Buffer[] = [];
      if (withBytes) for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
      await visit(entry, Buffer.concat(chunks));
    }
  } finally {
    zip.close();
  }
}

/** Every entry of a ZIP (a file path or its bytes), in archive order, with its bytes (test archives are small). */
export async function readZip(source: string | Buffer): Promise<ZipEntry[]> {
  const entries: ZipEntry[] = [];
  await eachEntry(source, true, (entry, bytes) => void entries.push({ name: entry.fileName, compressionMethod: entry.compressionMethod, bytes }));
  return entries;
}

/** The same, keyed by entry name. */
export async function readZipMap(source: string | Buffer): Promise<Map<string, Buffer>> {
  return new Map((await readZip(source)).map((e) => [e.name, e.bytes]));
}

/** The entry names only, without reading any content. */
export async function zipEntryNames(source: string | Buffer): Promise<string[]> {
  const names: string[] = [];
  await eachEntry(source, false, (entry) => void names.push(entry.fileName));
  return names;
}

/** Unpacks every entry under `dir`; returns the names. yauzl itself refuses `..` and absolute paths. */
export async function unzipTo(source: string | Buffer, dir: string): Promise<string[]> {
  const names: string[] = [];
  await eachEntry(source, true, async (entry, bytes) => {
    const target = path.join(dir, entry.fileName);
    names.push(entry.fileName);
    if (entry.fileName.endsWith('/')) return void (await mkdir(target, { recursive: true }));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, bytes);
  });
  return names;
}
