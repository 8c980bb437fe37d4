/**
 * yazl checksums every entry with buffer-crc32, a JavaScript CRC-32 that runs at ~360 MB/s here,
 * which made it the bottleneck of exporting media (0.4× the throughput of `zip -0`). Node's own
 * zlib.crc32 (native, Node ≥ 20.15) computes the same CRC-32 at ~3 GB/s, so we hand it to the
 * copy of buffer-crc32 that yazl loads. Imported for this side effect by export-archive.ts.
 */
import { createRequire } from 'node:module';
import zlib from 'node:zlib';

interface Crc32Module {
  unsigned(buffer: Buffer, previous?: number | Buffer): number;
}

const requireFromYazl = createRequire(createRequire(import.meta.url).resolve('yazl'));
const bufferCrc32 = requireFromYazl('buffer-crc32') as Crc32Module;

if (typeof zlib.crc32 === 'function') {
  const javascriptUnsigned = bufferCrc32.unsigned.bind(bufferCrc32);
  bufferCrc32.unsigned = (buffer, previous) =>
    // yazl passes the running CRC as a number; anything else keeps the original behaviour.
    previous === undefined || typeof previous === 'number' ? zlib.crc32(buffer, previous ?? 0) : javascriptUnsigned(buffer, previous);
}
