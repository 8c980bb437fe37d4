/**
 * Client bundle size: raw and gzip bytes of what `npm run build` wrote to dist/client/assets.
 * Run: npm run build && npm run bench:bundle
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const dir = path.resolve(import.meta.dirname, '../../dist/client/assets');
const files = (await readdir(dir)).filter((f) => /\.(js|css)$/.test(f));
let raw = 0;
let gz = 0;
for (const file of files) {
  const bytes = await readFile(path.join(dir, file));
  const zipped = gzipSync(bytes, { level: 9 }).length;
  raw += bytes.length;
  gz += zipped;
  console.log(`${file.padEnd(40)} ${(bytes.length / 1024).toFixed(1).padStart(8)} KiB  gzip ${(zipped / 1024).toFixed(1).padStart(7)} KiB`);
}
console.log(`${'total JS + CSS'.padEnd(40)} ${(raw / 1024).toFixed(1).padStart(8)} KiB  gzip ${(gz / 1024).toFixed(1).padStart(7)} KiB`);
