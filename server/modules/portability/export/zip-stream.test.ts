import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readZip } from '../../../../test/helpers/zip.ts';
import { zipStream, type ZipSource } from './zip-stream.ts';

const run = promisify(execFile);

async function* chunks(...parts: Buffer[]): AsyncGenerator<Buffer> {
  for (const part of parts) yield part;
}

function sources(): ZipSource[] {
  const mtime = new Date('2026-05-04T10:20:30Z');
  const media = Buffer.alloc(200_000, 7);
  return [
    { kind: 'stored', path: 'files/kuva.png', mtime, size: media.length, open: async () => chunks(media.subarray(0, 65_536), media.subarray(65_536)) },
    { kind: 'stored', path: 'files/tyhjä.txt', mtime, size: 0, open: async () => chunks() },
    { kind: 'deflated', path: 'portfolio.json', mtime, render: () => Buffer.from(`${JSON.stringify({ otsikko: 'Syksyn lehdet', n: [1, 2, 3] })}\n`) },
    { kind: 'deflated', path: 'sivut/index.html', mtime, render: async () => Buffer.from('<p>Hei! Hej! Hello!</p>'.repeat(500)) },
  ];
}

async function archive(forceZip64: boolean): Promise<Buffer> {
  return Buffer.concat(await Readable.from(zipStream(sources(), { forceZip64 }), { objectMode: false }).toArray());
}

describe('the export ZIP writer', () => {
  for (const forceZip64 of [false, true]) {
    it(`writes an archive that strict readers and Info-ZIP accept${forceZip64 ? ' (ZIP64 forms throughout)' : ''}`, async () => {
      const bytes = await archive(forceZip64);
      const entries = await readZip(bytes);
      expect(entries.map((e) => [e.name, e.compressionMethod])).toEqual([
        ['files/kuva.png', 0],
        ['files/tyhjä.txt', 0],
        ['portfolio.json', 8],
        ['sivut/index.html', 8],
      ]);
      expect(entries[0]?.bytes.equals(Buffer.alloc(200_000, 7))).toBe(true);
      expect(entries[3]?.bytes.toString()).toBe('<p>Hei! Hej! Hello!</p>'.repeat(500));
      // Info-ZIP's own test of every entry's CRC and sizes.
      const dir = await mkdtemp(path.join(tmpdir(), 'polku-zip-'));
      try {
        const file = path.join(dir, 'a.zip');
        await writeFile(file, bytes);
        const { stdout } = await run('unzip', ['-t', file]);
        expect(stdout).toContain('No errors detected');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }

  it("leaves other libraries' internals alone: loading the exporter does not patch yazl's CRC module", async () => {
    const require = createRequire(import.meta.url);
    const yazlCrc = () => require(require.resolve('buffer-crc32', { paths: [path.dirname(require.resolve('yazl'))] })) as { unsigned: unknown };
    const before = yazlCrc().unsigned;
    await import('./export-archive.ts');
    expect(yazlCrc().unsigned).toBe(before);
  });

  it('refuses a stored file whose bytes are not the size it was announced with', async () => {
    const wrong: ZipSource = { kind: 'stored', path: 'a.bin', mtime: new Date(), size: 10, open: async () => chunks(Buffer.alloc(4)) };
    await expect(Readable.from(zipStream([wrong]), { objectMode: false }).toArray()).rejects.toThrow('a.bin has 4 bytes, not the 10 expected.');
  });
});
