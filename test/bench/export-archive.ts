/**
 * Portfolio export: throughput of `writeExportArchive` on a portfolio with 1 GB of media, against
 * `zip -0 -r` of the same media files in the same run; and peak memory (RSS) of the exporting
 * process for a 100 MB and a 1 GB portfolio. Targets: ≥ 0.7 × zip's throughput; peak RSS of the
 * two within 50 MB of each other and under 250 MB.
 *
 * Setup: a fresh PostgreSQL database (`polku_bench_<random>`), migrated; two pupils, each with
 * TEXT_ARTEFACTS (200) text artefacts with two feedback messages each, and media artefacts whose
 * originals are random bytes (incompressible, like photos and video) in files of FILE_MB (8) MB:
 * 100 MB for one pupil, 1 GB for the other, in a local blob folder (the embedded default store).
 * Export: a child process per run (so that its RSS is the export's own) opens the database and the
 * blob folder as the server does and streams the archive to a file; it samples its RSS every 20 ms
 * and reports the peak (and the kernel's maxRSS). Baseline: `zip -0 -r -q` over a folder of hard
 * links to the same media files (same bytes, same disk, page cache warm for both after the warm-up).
 * Throughput = media bytes ÷ wall time. RUNS (3) runs each, alternating, after one unrecorded warm-up of each.
 *
 * Run: npm run bench:export   (RUNS=3 FILE_MB=8 SMALL_MB=100 LARGE_MB=1024 TEXT_ARTEFACTS=200)
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { link, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { openDatabase } from '../../server/db/database.ts';
import { migrate } from '../../server/db/migrate.ts';
import { writeExportArchive } from '../../server/modules/portability/export/export-archive.ts';
import { blobKey } from '../../server/storage/blob-store.ts';
import { LocalBlobStore } from '../../server/storage/local-blob-store.ts';
import { installCleanupHandlers, onCleanup, runCleanups } from './support/cleanup.ts';
import { createBenchDatabase, seedPeople } from './support/db.ts';
import { spawnNode, TSX } from './support/proc.ts';
import { fmt, median, table } from './support/stats.ts';

const MB = 1024 * 1024;
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const RUNS = env('RUNS', 3);
const FILE_MB = env('FILE_MB', 8);
const SIZES_MB = [env('SMALL_MB', 100), env('LARGE_MB', 1024)] as const;
const TEXT_ARTEFACTS = env('TEXT_ARTEFACTS', 200);
const SECRET = 'polku-bench-blob-secret-0123456789';

interface ExportResult {
  seconds: number;
  bytes: number;
  peakRssMb: number;
  maxRssMb: number;
  startRssMb: number;
}

if (process.argv[2] === '--export') await exportProcess();
else await main();

// ───────────────────────── the exporting child process ─────────────────────────

async function exportProcess(): Promise<void> {
  const { databaseUrl, blobRoot, pupilId, out } = JSON.parse(process.argv[3] ?? '{}') as {
    databaseUrl: string;
    blobRoot: string;
    pupilId: string;
    out: string;
  };
  const database = await openDatabase({ kind: 'postgres', url: databaseUrl, poolSize: 4 });
  const blobs = new LocalBlobStore({ root: blobRoot, secret: SECRET });
  // Everything the export needs is loaded; what it adds from here on is the export's own memory.
  const startRss = process.memoryUsage.rss();
  let peak = startRss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  const started = performance.now();
  const { bytes } = await writeExportArchive({ db: database.db, blobs, pupilId, scope: 'full', locale: 'fi' }, createWriteStream(out));
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  await database.close();
  const result: ExportResult = { seconds, bytes, peakRssMb: peak / MB, maxRssMb: process.resourceUsage().maxRSS / 1024, startRssMb: startRss / MB };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

// ───────────────────────── the benchmark ─────────────────────────

interface Portfolio {
  sizeMb: number;
  pupilId: string;
  mediaBytes: number;
  /** A folder with `files/<sha256>.mp4` hard links to the stored originals, for zip. */
  zipRoot: string;
}

async function main(): Promise<void> {
  installCleanupHandlers();
  const work = await mkdtemp(path.join(os.tmpdir(), 'polku-bench-export-'));
  onCleanup('remove temp folder', () => rm(work, { recursive: true, force: true }));
  try {
    const bench = await createBenchDatabase();
    const database = await openDatabase({ kind: 'postgres', url: bench.url, poolSize: 4 });
    onCleanup('close database', () => database.close());
    await migrate(database.db);
    const client = await bench.client();
    const people = await seedPeople(client, { pupils: SIZES_MB.length, groupSize: SIZES_MB.length });
    const blobRoot = path.join(work, 'blobs');
    const blobs = new LocalBlobStore({ root: blobRoot, secret: SECRET });

    console.log(`Seeding: ${SIZES_MB.join(' MB and ')} MB of media in ${FILE_MB} MB files, ${TEXT_ARTEFACTS} text artefacts per pupil…`);
    const portfolios: Portfolio[] = [];
    for (const [i, sizeMb] of SIZES_MB.entries()) {
      const pupilId = people.pupilIds[i] ?? '';
      portfolios.push(await seedPortfolio({ client, blobs, work, pupilId, teacherId: people.teacherId, sizeMb }));
    }

    const rows: Array<Array<string | number>> = [['portfolio', 'zip -0 -r MB/s', 'export MB/s', 'ratio', 'export peak RSS', 'start RSS', 'archive']];
    const summary: Record<number, { ratio: number; peak: number }> = {};
    for (const p of portfolios) {
      const zipSeconds: number[] = [];
      const exports: ExportResult[] = [];
      for (let run = -1; run < RUNS; run++) {
        // Alternate which goes first, so neither always meets a colder cache.
        const order = run % 2 === 0 ? (['zip', 'export'] as const) : (['export', 'zip'] as const);
        for (const what of order) {
          if (what === 'zip') {
            const s = await zipBaseline(p.zipRoot, path.join(work, 'baseline.zip'));
            if (run >= 0) zipSeconds.push(s);
          } else {
            const r = await runExport({ databaseUrl: bench.url, blobRoot, pupilId: p.pupilId, out: path.join(work, 'export.zip') });
            if (run >= 0) exports.push(r);
          }
        }
        process.stdout.write('.');
      }
      const zipMbps = p.mediaBytes / MB / median(zipSeconds);
      const exportMbps = p.mediaBytes / MB / median(exports.map((e) => e.seconds));
      const peak = median(exports.map((e) => Math.max(e.peakRssMb, e.maxRssMb)));
      summary[p.sizeMb] = { ratio: exportMbps / zipMbps, peak };
      rows.push([
        `${p.sizeMb} MB media`,
        fmt(zipMbps, 0),
        fmt(exportMbps, 0),
        `${fmt(exportMbps / zipMbps, 2)}×`,
        `${fmt(peak, 0)} MB`,
        `${fmt(median(exports.map((e) => e.startRssMb)), 0)} MB`,
        `${fmt(median(exports.map((e) => e.bytes)) / MB, 0)} MB`,
      ]);
    }
    console.log(`\n\nMedians of ${RUNS} runs (on ${os.cpus().length} cores):\n${table(rows)}`);
    const large = summary[SIZES_MB[1]];
    const small = summary[SIZES_MB[0]];
    if (large && small) {
      console.log(`\nThroughput at ${SIZES_MB[1]} MB: ${fmt(large.ratio, 2)}× zip (target ≥ 0.7×): ${large.ratio >= 0.7 ? 'met' : 'missed'}`);
      const spread = Math.abs(large.peak - small.peak);
      const ok = spread <= 50 && large.peak < 250 && small.peak < 250;
      console.log(
        `Peak RSS ${fmt(small.peak, 0)} MB vs ${fmt(large.peak, 0)} MB: differ by ${fmt(spread, 0)} MB (target ≤ 50 MB, both < 250 MB): ${ok ? 'met' : 'missed'}`,
      );
    }
  } finally {
    await runCleanups();
  }
}

async function seedPortfolio(o: {
  client: pg.Client;
  blobs: LocalBlobStore;
  work: string;
  pupilId: string;
  teacherId: string;
  sizeMb: number;
}): Promise<Portfolio> {
  const { client, blobs, pupilId, teacherId, sizeMb } = o;
  const zipRoot = path.join(o.work, `zip-${sizeMb}`);
  await mkdir(path.join(zipRoot, 'files'), { recursive: true });
  // Text artefacts with a feedback thread each: the pages, portfolio.json and leap2a.xml have something to say.
  await client.query(
    `with a as (
       insert into artefacts (owner_id, kind, title, body_html, created_at)
       select $1, 'text', 'Pohdinta ' || i, '<p>' || repeat('Tänään opin, miten lähiluonto muuttuu syksyllä. ', 20) || '</p>',
         date_trunc('milliseconds', now()) - i * interval '1 hour'
       from generate_series(1, $2::int) i returning id)
     insert into feedback (artefact_id, author_id, body)
     select a.id, $3, 'Hienoa havainnointia! Mitä muuta huomasit?' from a cross join generate_series(1, 2)`,
    [pupilId, TEXT_ARTEFACTS, teacherId],
  );
  const files = Math.ceil(sizeMb / FILE_MB);
  let mediaBytes = 0;
  for (let i = 0; i < files; i++) {
    const size = Math.min(FILE_MB * MB, sizeMb * MB - mediaBytes);
    const id = randomBytes(16).toString('hex');
    const key = blobKey('media', id, 'original');
    const hash = createHash('sha256');
    await blobs.putStream(key, randomStream(size, hash), { contentType: 'video/mp4', size });
    const sha256 = hash.digest('hex');
    mediaBytes += size;
    await link(path.join(blobs.root, key), path.join(zipRoot, 'files', `${sha256}.mp4`));
    const artefact = await client.query<{ id: string }>(`insert into artefacts (owner_id, kind, title) values ($1, 'video', $2) returning id`, [
      pupilId,
      `Video ${i + 1}`,
    ]);
    await client.query(
      `insert into media_items (id, artefact_id, owner_id, kind, mime, sha256, size, original_name, variants, variant_digests)
       values (gen_random_uuid(), $1, $2, 'video', 'video/mp4', $3, $4, $5, $6, $7)`,
      [artefact.rows[0]?.id, pupilId, sha256, size, `video-${i + 1}.mp4`, JSON.stringify({ original: key }), JSON.stringify({ original: { sha256, size } })],
    );
  }
  return { sizeMb, pupilId, mediaBytes, zipRoot };
}

/** `size` random bytes in 1 MB chunks, hashed on the way. */
function randomStream(size: number, hash: ReturnType<typeof createHash>): Readable {
  let left = size;
  return new Readable({
    read() {
      if (left === 0) return void this.push(null);
      const chunk = randomBytes(Math.min(MB, left));
      left -= chunk.length;
      hash.update(chunk);
      this.push(chunk);
    },
  });
}

async function zipBaseline(root: string, out: string): Promise<number> {
  await rm(out, { force: true });
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const zip = spawn('zip', ['-0', '-r', '-q', out, 'files'], { cwd: root, stdio: 'inherit' });
    zip.once('error', reject);
    zip.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`zip exited with ${code}`))));
  });
  const seconds = (performance.now() - started) / 1000;
  await stat(out);
  return seconds;
}

async function runExport(args: { databaseUrl: string; blobRoot: string; pupilId: string; out: string }): Promise<ExportResult> {
  await rm(args.out, { force: true });
  const child = spawnNode([...TSX, path.join(import.meta.dirname, 'export-archive.ts'), '--export', JSON.stringify(args)], { label: 'export' });
  let result: ExportResult | null = null;
  child.child.stdout?.on('data', (chunk: Buffer) => {
    const line = chunk
      .toString('utf8')
      .split('\n')
      .find((l) => l.startsWith('RESULT '));
    if (line) result = JSON.parse(line.slice('RESULT '.length)) as ExportResult;
  });
  const code = await child.exited;
  if (code !== 0 || !result) throw new Error(`export process failed (${code}):\n${child.output()}`);
  return result;
}
