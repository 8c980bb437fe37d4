import { promisify } from 'node:util';
import { crc32, deflateRaw } from 'node:zlib';

/**
 * A streaming ZIP writer for our own archives (PKWARE APPNOTE 6.3: local headers, data descriptors,
 * central directory, ZIP64 where sizes or offsets need it), made for the two kinds of entry an export has:
 *
 * - media, *stored* and streamed from the blob store with their size known beforehand: the CRC-32 is
 *   computed on the way through with Node's native zlib.crc32 (about 3 GB/s, against about 360 MB/s for
 *   the JavaScript CRC that yazl has built in, which made the CRC the bottleneck of exporting media)
 *   and written in a data descriptor after the bytes;
 * - documents and pages, rendered to a buffer when the archive reaches them and *deflated* off the
 *   event loop (zlib's thread pool); their CRC and sizes go in the local header.
 *
 * It replaces yazl, whose API offers no way to supply a CRC, so that nothing patches a library's internals.
 * An async generator: consumed through Readable.from(), it reads the next source only when the
 * consumer wants more bytes (backpressure), and stopping it (destroy, abort) closes the open source.
 */
export type ZipSource =
  | { readonly kind: 'stored'; readonly path: string; readonly mtime: Date; readonly size: number; open(): Promise<AsyncIterable<Buffer>> }
  | { readonly kind: 'deflated'; readonly path: string; readonly mtime: Date; render(): Buffer | Promise<Buffer> };

const deflate = promisify(deflateRaw);

const MAX32 = 0xffffffff;
const MAX16 = 0xffff;
const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;
const VERSION_DEFAULT = 20;
const VERSION_ZIP64 = 45;
/** Made by: Unix (3), spec version 4.5; external attributes carry a regular file with mode 0664. */
const VERSION_MADE_BY = (3 << 8) | VERSION_ZIP64;
const EXTERNAL_ATTRIBUTES = (0o100664 << 16) >>> 0;

interface CentralRecord {
  name: Buffer;
  flags: number;
  method: number;
  mtime: Date;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
}

export interface ZipStreamOptions {
  /** Use the ZIP64 forms everywhere, even where the values fit in 32 bits (tests of the large-archive path). */
  forceZip64?: boolean;
}

export async function* zipStream(sources: Iterable<ZipSource>, options: ZipStreamOptions = {}): AsyncGenerator<Buffer> {
  const force = options.forceZip64 === true;
  const records: CentralRecord[] = [];
  let offset = 0;
  const emit = (chunk: Buffer) => {
    offset += chunk.length;
    return chunk;
  };

  for (const source of sources) {
    const name = Buffer.from(source.path, 'utf8');
    if (name.length > MAX16) throw new Error(`A file name in the archive is too long: ${source.path.slice(0, 80)}…`);
    const start = offset;
    if (source.kind === 'deflated') {
      const bytes = await source.render();
      const compressed = await deflate(bytes, { level: 6 });
      const record: CentralRecord = {
        name,
        flags: FLAG_UTF8,
        method: 8,
        mtime: source.mtime,
        crc: crc32(bytes),
        compressedSize: compressed.length,
        size: bytes.length,
        offset: start,
      };
      // Rendered text is far below 4 GB; the central directory still takes ZIP64 offsets.
      if (record.size >= MAX32 || record.compressedSize >= MAX32) throw new Error(`${source.path} is too large for the archive.`);
      yield emit(localHeader(record, false));
      yield emit(compressed);
      records.push(record);
      continue;
    }

    const zip64 = force || source.size >= MAX32;
    const record: CentralRecord = {
      name,
      flags: FLAG_UTF8 | FLAG_DATA_DESCRIPTOR,
      method: 0,
      mtime: source.mtime,
      crc: 0,
      compressedSize: 0,
      size: 0,
      offset: start,
    };
    yield emit(localHeader(record, zip64));
    // Leaving the loop early (a failure, or the consumer stopping) closes the source.
    const stream = await source.open();
    let crc = 0;
    let size = 0;
    for await (const chunk of stream) {
      crc = crc32(chunk, crc);
      size += chunk.length;
      if (size > source.size) throw new Error(`${source.path} is larger than the ${source.size} bytes expected.`);
      yield emit(chunk);
    }
    if (size !== source.size) throw new Error(`${source.path} has ${size} bytes, not the ${source.size} expected.`);
    record.crc = crc;
    record.size = size;
    record.compressedSize = size;
    yield emit(dataDescriptor(record, zip64));
    records.push(record);
  }

  const directoryStart = offset;
  for (const record of records) yield emit(centralHeader(record, force));
  yield* endOfCentralDirectory(records.length, directoryStart, offset - directoryStart, offset, force);
}

function localHeader(r: CentralRecord, zip64: boolean): Buffer {
  const streamed = (r.flags & FLAG_DATA_DESCRIPTOR) !== 0;
  const extra = Buffer.concat([timestampExtra(r.mtime), ...(zip64 ? [zip64Extra([0, 0])] : [])]);
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(zip64 ? VERSION_ZIP64 : VERSION_DEFAULT, 4);
  header.writeUInt16LE(r.flags, 6);
  header.writeUInt16LE(r.method, 8);
  writeDosTime(header, 10, r.mtime);
  header.writeUInt32LE(streamed ? 0 : r.crc, 14);
  header.writeUInt32LE(zip64 ? MAX32 : streamed ? 0 : r.compressedSize, 18);
  header.writeUInt32LE(zip64 ? MAX32 : streamed ? 0 : r.size, 22);
  header.writeUInt16LE(r.name.length, 26);
  header.writeUInt16LE(extra.length, 28);
  return Buffer.concat([header, r.name, extra]);
}

function dataDescriptor(r: CentralRecord, zip64: boolean): Buffer {
  const out = Buffer.alloc(zip64 ? 24 : 16);
  out.writeUInt32LE(0x08074b50, 0);
  out.writeUInt32LE(r.crc, 4);
  if (zip64) {
    out.writeBigUInt64LE(BigInt(r.compressedSize), 8);
    out.writeBigUInt64LE(BigInt(r.size), 16);
  } else {
    out.writeUInt32LE(r.compressedSize, 8);
    out.writeUInt32LE(r.size, 12);
  }
  return out;
}

function centralHeader(r: CentralRecord, force: boolean): Buffer {
  // ZIP64 values go in the extra field, in this order, for each field that does not fit (its 32-bit field says 0xffffffff).
  const needs = (v: number) => force || v >= MAX32;
  const big = [r.size, r.compressedSize, r.offset].filter(needs);
  const extra = Buffer.concat([...(big.length ? [zip64Extra(big)] : []), timestampExtra(r.mtime)]);
  const header = Buffer.alloc(46);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE(VERSION_MADE_BY, 4);
  header.writeUInt16LE(big.length ? VERSION_ZIP64 : VERSION_DEFAULT, 6);
  header.writeUInt16LE(r.flags, 8);
  header.writeUInt16LE(r.method, 10);
  writeDosTime(header, 12, r.mtime);
  header.writeUInt32LE(r.crc, 16);
  header.writeUInt32LE(needs(r.compressedSize) ? MAX32 : r.compressedSize, 20);
  header.writeUInt32LE(needs(r.size) ? MAX32 : r.size, 24);
  header.writeUInt16LE(r.name.length, 28);
  header.writeUInt16LE(extra.length, 30);
  // comment length, disk number start, internal attributes: 0
  header.writeUInt32LE(EXTERNAL_ATTRIBUTES, 38);
  header.writeUInt32LE(needs(r.offset) ? MAX32 : r.offset, 42);
  return Buffer.concat([header, r.name, extra]);
}

function* endOfCentralDirectory(count: number, start: number, size: number, zip64At: number, force: boolean): Generator<Buffer> {
  const zip64 = force || count >= MAX16 || start >= MAX32 || size >= MAX32;
  if (zip64) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE(VERSION_MADE_BY, 12);
    record.writeUInt16LE(VERSION_ZIP64, 14);
    // this disk, disk with the directory: 0
    record.writeBigUInt64LE(BigInt(count), 24);
    record.writeBigUInt64LE(BigInt(count), 32);
    record.writeBigUInt64LE(BigInt(size), 40);
    record.writeBigUInt64LE(BigInt(start), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(zip64At), 8);
    locator.writeUInt32LE(1, 16);
    yield record;
    yield locator;
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(zip64 ? MAX16 : count, 8);
  end.writeUInt16LE(zip64 ? MAX16 : count, 10);
  end.writeUInt32LE(zip64 ? MAX32 : size, 12);
  end.writeUInt32LE(zip64 ? MAX32 : start, 16);
  yield end;
}

function zip64Extra(values: number[]): Buffer {
  const out = Buffer.alloc(4 + 8 * values.length);
  out.writeUInt16LE(0x0001, 0);
  out.writeUInt16LE(8 * values.length, 2);
  values.forEach((v, i) => out.writeBigUInt64LE(BigInt(v), 4 + 8 * i));
  return out;
}

/** Info-ZIP "UT" extra field: the modification time in UTC seconds (the DOS fields are local and coarse). */
function timestampExtra(mtime: Date): Buffer {
  const out = Buffer.alloc(9);
  out.writeUInt16LE(0x5455, 0);
  out.writeUInt16LE(5, 2);
  out.writeUInt8(1, 4);
  out.writeUInt32LE(Math.min(Math.max(Math.floor(mtime.getTime() / 1000), 0), 0x7fffffff), 5);
  return out;
}

function writeDosTime(buffer: Buffer, at: number, mtime: Date): void {
  const year = Math.min(Math.max(mtime.getFullYear(), 1980), 2107);
  const clampedLow = mtime.getFullYear() < 1980;
  const time = clampedLow ? 0 : (mtime.getHours() << 11) | (mtime.getMinutes() << 5) | Math.floor(mtime.getSeconds() / 2);
  const date = clampedLow ? (0 << 9) | (1 << 5) | 1 : ((year - 1980) << 9) | ((mtime.getMonth() + 1) << 5) | mtime.getDate();
  buffer.writeUInt16LE(time, at);
  buffer.writeUInt16LE(date, at + 2);
}
