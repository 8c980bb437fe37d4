/**
 * `MODE=mahara npm run bench:import`: importing a Mahara export with media (see leap2a-import.ts for
 * the method). The archive is imported through previewImport + applyImport, the entry points the
 * jobs and the CLI use, so the benchmark holds whatever the LEAP2A mapping does inside.
 */
import { mkdtemp, rm, stat, statfs } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../../server/db/database.ts';
import { migrate } from '../../server/db/migrate.ts';
import { applyImport, previewImport } from '../../server/modules/portability/import/import-archive.ts';
import { LocalBlobStore } from '../../server/storage/local-blob-store.ts';
import { installCleanupHandlers, onCleanup } from './support/cleanup.ts';
import { createBenchDatabase } from './support/db.ts';
import { writeMaharaExport } from './support/mahara-feed.ts';
import { spawnNode, TSX } from './support/proc.ts';
import { fmt, median, table } from './support/stats.ts';

const MB = 1024 * 1024;
const QUICK = process.env.BENCH_QUICK === '1';
const env = (name: string, full: number, quick: number) => Number(process.env[name] ?? (QUICK ? quick : full));
const SECRET = 'bench-secret-bench-secret-bench-secret';

interface ChildArgs {
  databaseUrl: string;
  blobRoot: string;
  tmpDir: string;
  file: string;
  pupilId: string;
}

interface ChildResult {
  previewMs: number;
  applyMs: number;
  peakRssMb: number;
  maxRssMb: number;
  startRssMb: number;
  created: Record<string, number>;
  counts: Record<string, number>;
}

/** The importing child: one preview and one apply, its own RSS sampled throughout. */
export async function maharaImportChild(): Promise<void> {
  const args = JSON.parse(process.argv[3] ?? '{}') as ChildArgs;
  const database = await openDatabase({ kind: 'postgres', url: args.databaseUrl, poolSize: 4 });
  const blobs = new LocalBlobStore({ root: args.blobRoot, secret: SECRET });
  const media = { maxBytes: { image: 40e6, audio: 100e6, video: 500e6, file: 100e6 }, ffmpegPath: '/usr/bin/ffmpeg', tmpDir: args.tmpDir };
  const target = { kind: 'existing' as const, pupilId: args.pupilId };
  const startRss = process.memoryUsage.rss();
  let peak = startRss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  const t0 = performance.now();
  const preview = await previewImport({ db: database.db, filePath: args.file, target });
  const t1 = performance.now();
  const report = await applyImport({ db: database.db, blobs, filePath: args.file, target, actorId: null, media });
  const t2 = performance.now();
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  await database.close();
  if (report.items.length !== preview.items.length) throw new Error('preview and report disagree');
  const result: ChildResult = {
    previewMs: t1 - t0,
    applyMs: t2 - t1,
    peakRssMb: peak / MB,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    startRssMb: startRss / MB,
    created: { ...report.created },
    counts: { ...report.counts },
  };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

export async function maharaBenchmark(): Promise<void> {
  const entries = env('ENTRIES', 10_000, 2_000);
  const mediaMb = env('MEDIA_MB', 1024, 32);
  const runs = env('RUNS', 3, 1);
  installCleanupHandlers();
  const work = await mkdtemp(path.join(os.tmpdir(), 'polku-bench-mahara-'));
  onCleanup('remove temp folder', () => rm(work, { recursive: true, force: true }));
  // The archive, one run's blobs and the importer's temporary files are on disk at once.
  const fs = await statfs(work);
  const freeMb = (fs.bavail * fs.bsize) / MB;
  const needMb = 3 * mediaMb + 512;
  console.log(`free space in ${os.tmpdir()}: ${fmt(freeMb / 1024)} GB (needs about ${fmt(needMb / 1024)} GB)`);
  if (freeMb < needMb) throw new Error(`not enough free disk for MEDIA_MB=${mediaMb}: lower MEDIA_MB`);

  const file = path.join(work, 'mahara-export.zip');
  const g0 = performance.now();
  const shape = await writeMaharaExport(file, { entries, mediaBytes: mediaMb * MB });
  const archiveBytes = (await stat(file)).size;
  console.log(
    `Mahara-shaped export: ${shape.entries.toLocaleString('en')} entries (${shape.journals} journals, ${shape.posts} posts, ${shape.comments} comments, ` +
      `${shape.files} files: ${shape.images} JPEG, ${shape.pdfs} PDF), ${fmt(shape.mediaBytes / MB, 0)} MB of media, ` +
      `archive ${fmt(archiveBytes / MB, 0)} MB, generated in ${fmt((performance.now() - g0) / 1000)} s`,
  );

  const bench = await createBenchDatabase();
  const database = await openDatabase({ kind: 'postgres', url: bench.url, poolSize: 2 });
  onCleanup('close database', () => database.close());
  await migrate(database.db);
  const school = await database.db.insertInto('schools').values({ name: 'Bench school' }).returning('id').executeTakeFirstOrThrow();

  const results: ChildResult[] = [];
  for (let run = 0; run < runs; run++) {
    const pupil = await database.db
      .insertInto('users')
      .values({ username: `bench.mahara.${run}.${Date.now()}`, displayName: 'Bench Pupil' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await database.db.insertInto('schoolRoles').values({ schoolId: school.id, userId: pupil.id, role: 'pupil' }).execute();
    const blobRoot = path.join(work, `blobs-${run}`);
    const args: ChildArgs = { databaseUrl: bench.url, blobRoot, tmpDir: path.join(work, `tmp-${run}`), file, pupilId: pupil.id };
    const child = spawnNode([...TSX, path.join(import.meta.dirname, 'leap2a-import.ts'), '--import-child', JSON.stringify(args)], { label: 'import' });
    let result: ChildResult | null = null;
    child.child.stdout?.on('data', (chunk: Buffer) => {
      const line = chunk
        .toString('utf8')
        .split('\n')
        .find((l) => l.startsWith('RESULT '));
      if (line) result = JSON.parse(line.slice('RESULT '.length)) as ChildResult;
    });
    const code = await child.exited;
    await rm(blobRoot, { recursive: true, force: true });
    await rm(args.tmpDir, { recursive: true, force: true });
    if (code !== 0 || !result) throw new Error(`import process failed (${code}):\n${child.output()}`);
    const r: ChildResult = result;
    results.push(r);
    if (run === 0) console.log(`per run: created ${JSON.stringify(r.created)}; items ${JSON.stringify(r.counts)}`);
    console.log(
      `run ${run + 1}: preview ${fmt(r.previewMs / 1000)} s, apply ${fmt(r.applyMs / 1000)} s, peak RSS ${fmt(r.peakRssMb, 0)} MB (maxRSS ${fmt(r.maxRssMb, 0)} MB)`,
    );
  }

  const mediaMB = shape.mediaBytes / MB;
  const m = (f: (r: ChildResult) => number) => median(results.map(f));
  const total = (r: ChildResult) => (r.previewMs + r.applyMs) / 1000;
  console.log('');
  console.log(`Medians of ${runs} run(s) on ${os.cpus().length} cores:`);
  console.log(
    table([
      ['step', 'seconds', 'entries/s', 'media MB/s'],
      [
        'previewImport',
        fmt(m((r) => r.previewMs / 1000)),
        fmt(
          m((r) => entries / (r.previewMs / 1000)),
          0,
        ),
        '–',
      ],
      [
        'applyImport',
        fmt(m((r) => r.applyMs / 1000)),
        fmt(
          m((r) => entries / (r.applyMs / 1000)),
          0,
        ),
        fmt(m((r) => mediaMB / (r.applyMs / 1000))),
      ],
      [
        'preview + apply',
        fmt(m(total)),
        fmt(
          m((r) => entries / total(r)),
          0,
        ),
        fmt(m((r) => mediaMB / total(r))),
      ],
    ]),
  );
  console.log(
    `Peak RSS of the importing process: ${fmt(
      m((r) => r.peakRssMb),
      0,
    )} MB sampled, ${fmt(
      m((r) => r.maxRssMb),
      0,
    )} MB maxRSS (start ${fmt(
      m((r) => r.startRssMb),
      0,
    )} MB)`,
  );
}
