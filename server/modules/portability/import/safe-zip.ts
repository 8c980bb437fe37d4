import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { ImportRejected } from './import-rejected.ts';

export interface ZipLimits {
  maxArchiveBytes: number;
  maxEntries: number;
  maxTotalUncompressedBytes: number;
  maxCompressionRatio: number;
}

/**
 * Below this size an entry's compression ratio is not judged: a few kilobytes of repeated text or
 * an empty-ish XML file compress far beyond any sane ratio and are harmless.
 */
const RATIO_FLOOR_BYTES = 1024 * 1024;

export interface ZipEntryInfo {
  name: string;
  size: number;
  compressedSize: number;
  directory: boolean;
}

/**
 * A ZIP opened for reading untrusted archives. `openSafeZip` reads the whole central directory and
 * refuses the archive before a single byte is inflated (too many entries, unsafe or duplicate names,
 * symlinks, declared sizes or ratios beyond the limits). Reading an entry then counts the bytes that
 * really come out of the inflater, so a header that lies about sizes does not get past the limits,
 * and checks the CRC, so damage is found. Always `close()` it (finally).
 */
export class SafeZip {
  /** Bytes inflated so far across all reads: the total limit holds however often entries are read. */
  private inflated = 0;

  private constructor(
    private readonly zip: ZipFile,
    private readonly byName: ReadonlyMap<string, Entry>,
    readonly entries: readonly ZipEntryInfo[],
    private readonly limits: ZipLimits,
  ) {}

  static async open(filePath: string, limits: ZipLimits): Promise<SafeZip> {
    const { size } = await stat(filePath);
    if (size > limits.maxArchiveBytes) {
      throw new ImportRejected('too-large', { context: 'archive', size, max: limits.maxArchiveBytes });
    }
    let zip: ZipFile;
    try {
      // Names are decoded and checked here (decodeStrings off), sizes are counted here (validateEntrySizes
      // off): yauzl's own checks would throw plain errors we could only tell apart by their text.
      zip = await yauzl.openPromise(filePath, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: false });
    } catch {
      throw damaged();
    }
    try {
      if (zip.entryCount > limits.maxEntries) throw tooManyEntries(zip.entryCount, limits.maxEntries);
      const { byName, entries } = await readDirectory(zip, limits);
      return new SafeZip(zip, byName, entries, limits);
    } catch (err) {
      zip.close();
      throw err;
    }
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  info(name: string): ZipEntryInfo | undefined {
    const entry = this.byName.get(name);
    return entry ? infoOf(name, entry) : undefined;
  }

  /** The entry's bytes in memory, for small files (portfolio.json, leap2a.xml); over `maxBytes` is refused. */
  async readBuffer(name: string, maxBytes: number, tooLarge: () => ImportRejected): Promise<Buffer> {
    const entry = this.entry(name);
    if (entry.uncompressedSize > maxBytes) throw tooLarge();
    const chunks: Buffer[] = [];
    let length = 0;
    await this.read(name, entry, async (stream) => {
      for await (const chunk of stream) {
        const buf = chunk as Buffer;
        length += buf.length;
        if (length > maxBytes) throw tooLarge();
        chunks.push(buf);
      }
    });
    return Buffer.concat(chunks, length);
  }

  /** Writes the entry to `destPath` (a file in a private temp folder) and returns its SHA-256 and size. */
  async extractTo(name: string, destPath: string): Promise<{ sha256: string; size: number }> {
    const entry = this.entry(name);
    const hash = createHash('sha256');
    let size = 0;
    await this.read(name, entry, async (stream) => {
      const tap = new Transform({
        transform(chunk: Buffer, _enc, cb: TransformCallback) {
          hash.update(chunk);
          size += chunk.length;
          cb(null, chunk);
        },
      });
      await pipeline(stream, tap, createWriteStream(destPath, { flags: 'wx', mode: 0o600 }));
    });
    return { sha256: hash.digest('hex'), size };
  }

  /** SHA-256 and size of the entry without writing it anywhere. */
  async digest(name: string): Promise<{ sha256: string; size: number }> {
    const entry = this.entry(name);
    const hash = createHash('sha256');
    let size = 0;
    await this.read(name, entry, async (stream) => {
      for await (const chunk of stream) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
    });
    return { sha256: hash.digest('hex'), size };
  }

  close(): void {
    this.zip.close();
  }

  private entry(name: string): Entry {
    const entry = this.byName.get(name);
    if (!entry) throw new ImportRejected('missing-file', { file: name });
    return entry;
  }

  /** Opens the inflated stream behind a counter; `consume` reads it to the end. */
  private async read(name: string, entry: Entry, consume: (stream: Readable) => Promise<void>): Promise<void> {
    let raw: Readable;
    try {
      raw = await this.zip.openReadStreamPromise(entry);
    } catch {
      throw damaged(name);
    }
    const counter = new CountingStream(
      name,
      entry,
      this.limits,
      () => this.inflated,
      (n) => (this.inflated += n),
    );
    raw.on('error', (err) => counter.destroy(err instanceof ImportRejected ? err : damaged(name)));
    raw.pipe(counter);
    try {
      await consume(counter);
    } catch (err) {
      raw.destroy();
      if (err instanceof ImportRejected) throw err;
      // Our own disk (ENOSPC …) is not the archive's fault.
      if (err instanceof Error && 'code' in err && typeof err.code === 'string' && !err.code.startsWith('Z_')) throw err;
      throw damaged(name);
    }
  }
}

/** Counts real bytes against the entry's header and the archive's limits, and checks the CRC at the end. */
class CountingStream extends Transform {
  private bytes = 0;
  private crc = 0;

  constructor(
    private readonly name: string,
    private readonly entry: Entry,
    private readonly limits: ZipLimits,
    private readonly total: () => number,
    private readonly add: (n: number) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    this.add(chunk.length);
    if (this.bytes > this.entry.uncompressedSize) {
      return cb(new ImportRejected('zip-bomb', { context: 'overrun', file: this.name, size: this.entry.uncompressedSize }));
    }
    if (this.total() > this.limits.maxTotalUncompressedBytes) return cb(tooBig(this.limits.maxTotalUncompressedBytes));
    this.crc = crc32(chunk, this.crc);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    if (this.bytes !== this.entry.uncompressedSize || this.crc !== this.entry.crc32) return cb(damaged(this.name));
    cb();
  }
}

async function readDirectory(zip: ZipFile, limits: ZipLimits): Promise<{ byName: Map<string, Entry>; entries: ZipEntryInfo[] }> {
  const byName = new Map<string, Entry>();
  const folded = new Set<string>();
  const entries: ZipEntryInfo[] = [];
  let declaredTotal = 0;
  const next = () =>
    new Promise<Entry | null>((resolve, reject) => {
      const cleanup = () => {
        zip.off('entry', onEntry);
        zip.off('end', onEnd);
        zip.off('error', onError);
      };
      const onEntry = (e: Entry) => (cleanup(), resolve(e));
      const onEnd = () => (cleanup(), resolve(null));
      const onError = () => (cleanup(), reject(damaged()));
      zip.once('entry', onEntry);
      zip.once('end', onEnd);
      zip.once('error', onError);
      zip.readEntry();
    });
  for (let entry = await next(); entry; entry = await next()) {
    if (entries.length + 1 > limits.maxEntries) throw tooManyEntries(entries.length + 1, limits.maxEntries);
    const name = decodeName(entry);
    checkPath(name);
    const mode = entry.externalFileAttributes >>> 16;
    // S_IFLNK in the Unix mode bits: unpacked by a naive tool it would point anywhere on disk.
    if ((mode & 0o170000) === 0o120000) throw new ImportRejected('symlink', { file: name });
    const key = name.normalize('NFC').toLowerCase();
    if (byName.has(name) || folded.has(key)) {
      throw new ImportRejected('duplicate-name', { file: name });
    }
    if (entry.isEncrypted()) throw new ImportRejected('unsupported-zip', { context: 'password', file: name });
    if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
      throw new ImportRejected('unsupported-zip', { context: 'compression', file: name });
    }
    if (entry.compressionMethod === 0 && entry.compressedSize !== entry.uncompressedSize) throw damaged(name);
    declaredTotal += entry.uncompressedSize;
    if (declaredTotal > limits.maxTotalUncompressedBytes) throw tooBig(limits.maxTotalUncompressedBytes);
    if (entry.uncompressedSize > RATIO_FLOOR_BYTES && entry.uncompressedSize > entry.compressedSize * limits.maxCompressionRatio) {
      throw new ImportRejected('zip-bomb', {
        context: 'ratio',
        file: name,
        size: entry.uncompressedSize,
        packed: entry.compressedSize,
        ratio: limits.maxCompressionRatio,
      });
    }
    byName.set(name, entry);
    folded.add(key);
    entries.push(infoOf(name, entry));
  }
  return { byName, entries };
}

function infoOf(name: string, entry: Entry): ZipEntryInfo {
  return { name, size: entry.uncompressedSize, compressedSize: entry.compressedSize, directory: name.endsWith('/') };
}

/**
 * The name as the archive's writer meant it: the Info-ZIP Unicode path field when present, UTF-8 when
 * flagged or when the bytes are valid UTF-8 (many tools, Mahara's PHP among them, write UTF-8 without
 * the flag), else IBM code page 437 as the ZIP spec says. Backslashes are kept, so checkPath sees them.
 */
function decodeName(entry: Entry): string {
  // With decodeStrings off, yauzl leaves the raw bytes in fileName.
  const raw = entry.fileNameRaw;
  const hasUnicodeField = entry.extraFields.some((f) => f.id === 0x7075);
  const flaggedUtf8 = (entry.generalPurposeBitFlag & 0x800) !== 0;
  if (!hasUnicodeField && !flaggedUtf8) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      // not UTF-8: fall through to code page 437
    }
  }
  return yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, true);
}

function checkPath(name: string): void {
  const unsafe = (context: 'backslash' | 'absolute' | 'outside' | 'control') => new ImportRejected('unsafe-path', { context, file: name });
  if (name.length === 0) throw new ImportRejected('unsafe-path', { context: 'empty' });
  if (name.includes('\\')) throw unsafe('backslash');
  if (/^[a-zA-Z]:/.test(name) || name.startsWith('/')) throw unsafe('absolute');
  if (name.split('/').some((part) => part === '..')) throw unsafe('outside');
  if ([...name].some((c) => c < ' ' || c === '\u007f')) throw unsafe('control');
}

function tooManyEntries(entries: number, max: number): ImportRejected {
  return new ImportRejected('too-many-entries', { entries, max });
}

function tooBig(max: number): ImportRejected {
  return new ImportRejected('zip-bomb', { context: 'total', max });
}

function damaged(name?: string): ImportRejected {
  return name ? new ImportRejected('truncated', { context: 'entry', file: name }) : new ImportRejected('truncated', {});
}
