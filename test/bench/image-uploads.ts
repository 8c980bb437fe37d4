/**
 * Image uploads: 12-megapixel phone JPEGs through the whole upload route (`POST /api/artefacts`,
 * multipart, as a signed-in pupil: multer to disk, sniffing, sharp, SHA-256, local blob store,
 * PostgreSQL rows, realtime announce), against bare sharp doing the same image work on the same
 * files in the same run. Target: route ≥ 0.8 × bare sharp's throughput.
 *
 * Files: FILES (12) distinct 4000×3000 JPEGs, photo-like (smooth colour fields with grain, about
 * 4–5 MB), with EXIF orientation 6, camera make, GPS and XMP, like the test fixtures' phone photo.
 * Bare sharp: a separate Node process (same flags, same sharp defaults) doing exactly what
 * server/media/image.ts does for an upload: metadata, rotate by EXIF, and from that pipeline
 * display (1600 px WebP q82), thumbnail (400 px WebP q75) and original (JPEG q90) written as files,
 * the three in parallel, each image read through a hard link of its own (libvips caches operations
 * by file name and every upload arrives under a new name; on these files it made no difference, but
 * the baseline must not be able to profit from it). Route: a server child process on a fresh PostgreSQL database
 * (`polku_bench_<random>`) with the local media folder; the files are sent from memory.
 * Both keep CONCURRENCY (2) images in flight. Each run is PASSES (2) passes over all files; RUNS
 * (3) runs each, alternating bare and route, after one unrecorded warm-up pass of each.
 * Throughput = images ÷ wall time of the run. Environment variables such as UV_THREADPOOL_SIZE
 * reach both processes alike.
 *
 * Run: npm run bench:uploads   (RUNS=3 PASSES=2 FILES=12 CONCURRENCY=2)
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp, { type OutputInfo } from 'sharp';
import type pg from 'pg';
import { installCleanupHandlers, onCleanup, runCleanups } from './support/cleanup.ts';
import { createBenchDatabase, seedPeople, seedSessions, sessionCookie } from './support/db.ts';
import { keepAliveAgent, request } from './support/http.ts';
import { ask, cpuMeter, formatCpu, spawnNode, TSX, type CpuReport } from './support/proc.ts';
import { startPolku } from './support/server.ts';
import { fmt, mapLimit, median, percentile, table } from './support/stats.ts';

const WIDTH = 4000;
const HEIGHT = 3000;

interface BatchResult {
  type: 'batch';
  seconds: number;
  latencies: number[];
  /** Output bytes per variant of the first image, to compare bare and route. */
  sizes: Record<string, number>;
}

if (process.argv[2] === '--bare') bareProcess();
else await main();

// ───────────────────────── bare sharp (its own process) ─────────────────────────

/** What server/media/image.ts processImage() does for a JPEG upload (keepOriginal: true), step by step. */
async function bareSharp(input: string, outDir: string): Promise<Record<string, number>> {
  const source = sharp(input, { failOn: 'error', animated: false });
  const meta = await source.metadata();
  if (meta.format !== 'jpeg') throw new Error('not a JPEG');
  const decoded = source.rotate();
  const resized = (max: number) => decoded.clone().resize({ width: max, height: max, fit: 'inside', withoutEnlargement: true });
  const results = await Promise.allSettled([
    resized(1600).webp({ quality: 82 }).toFile(path.join(outDir, 'display.webp')),
    resized(400).webp({ quality: 75 }).toFile(path.join(outDir, 'thumb.webp')),
    decoded.clone().jpeg({ quality: 90 }).toFile(path.join(outDir, 'original.jpg')),
  ]);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  const [display, thumb, original] = results.map((r) => (r as PromiseFulfilledResult<OutputInfo>).value);
  return { original: original?.size ?? 0, display: display?.size ?? 0, thumb: thumb?.size ?? 0 };
}

function bareProcess() {
  process.on('message', (m: { type: string; files: string[]; concurrency: number }) => {
    if (m.type !== 'batch') return;
    (async () => {
      const work = await mkdtemp(path.join(os.tmpdir(), 'polku-bench-bare-'));
      try {
        const latencies: number[] = [];
        let sizes: Record<string, number> = {};
        const started = performance.now();
        await mapLimit(m.files, m.concurrency, async (file, i) => {
          const out = path.join(work, String(i));
          await mkdir(out);
          // Under a name of its own, as each upload is: libvips caches operations by file name, and
          // the route never sees the same name twice, so the baseline must not either.
          const input = path.join(out, 'upload.jpg');
          await link(file, input);
          const t = performance.now();
          const s = await bareSharp(input, out);
          latencies.push(performance.now() - t);
          if (i === 0) sizes = s;
          await rm(out, { recursive: true, force: true });
        });
        const result: BatchResult = { type: 'batch', seconds: (performance.now() - started) / 1000, latencies, sizes };
        process.send?.(result);
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    })().catch((err: unknown) => process.send?.({ type: 'error', error: String((err as Error)?.stack ?? err) }));
  });
  process.on('disconnect', () => process.exit(0));
}

// ───────────────────────────── orchestrator ─────────────────────────────

/** A photo-like 12 MP JPEG: smooth random colour fields with film grain, EXIF as a phone writes it. */
async function makePhoto(file: string): Promise<void> {
  const base = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 70 } } })
    .resize(WIDTH, HEIGHT, { kernel: 'cubic' })
    .raw()
    .toBuffer();
  const grain = await sharp({ create: { width: WIDTH, height: HEIGHT, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 12 } } })
    .png({ compressionLevel: 0 })
    .toBuffer();
  const xmp =
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
    '<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="60,10.1999N"/></rdf:RDF></x:xmpmeta>';
  await sharp(base, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
    .composite([{ input: grain, blend: 'overlay' }])
    .jpeg({ quality: 88 })
    .withExif({
      IFD0: { Make: 'PolkuPhone', Model: 'Bench 12MP' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '60/1 10/1 1199/100', GPSLongitudeRef: 'E', GPSLongitude: '24/1 56/1 1824/100' },
    })
    .withXmp(xmp)
    .withMetadata({ orientation: 6 })
    .toFile(file);
}

function multipart(title: string, fileName: string, bytes: Buffer): { body: Buffer[]; contentType: string } {
  const boundary = `----polku-bench-${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="data"\r\n\r\n${JSON.stringify({ title })}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${fileName}"\r\nContent-Type: image/jpeg\r\n\r\n`,
  );
  return { body: [head, bytes, Buffer.from(`\r\n--${boundary}--\r\n`)], contentType: `multipart/form-data; boundary=${boundary}` };
}

async function main() {
  installCleanupHandlers();
  const runs = Number(process.env.RUNS ?? 3);
  const passes = Number(process.env.PASSES ?? 2);
  const fileCount = Number(process.env.FILES ?? 12);
  const concurrency = Number(process.env.CONCURRENCY ?? 2);
  const started = performance.now();
  try {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'polku-bench-photos-'));
    onCleanup('remove photos', () => rm(dir, { recursive: true, force: true }));
    const files = Array.from({ length: fileCount }, (_, i) => path.join(dir, `IMG_${String(1001 + i)}.jpg`));
    await mapLimit(files, 2, makePhoto);
    const sizes = await Promise.all(files.map(async (f) => (await stat(f)).size));
    console.log(
      `made ${files.length} JPEGs ${WIDTH}×${HEIGHT} (EXIF orientation 6, GPS, XMP), ${fmt(median(sizes) / 2 ** 20, 2)} MB median, in ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );

    const db = await createBenchDatabase();
    await (await startPolku({ databaseUrl: db.url, label: 'migrate' })).stop();
    const client = await db.client();
    const people = await seedPeople(client, { pupils: 1, groupSize: 25 });
    await seedSessions(client, `select id from users where username like 'bench.%'`);
    const pupilId = people.pupilIds[0] ?? '';
    const server = await startPolku({ databaseUrl: db.url, label: 'server' });
    const bare = spawnNode([...TSX, import.meta.filename, '--bare'], { ipc: true, label: 'bare sharp' });
    const bodies = await Promise.all(files.map(async (f, i) => multipart(`Valokuva ${i + 1}`, path.basename(f), await readFile(f))));
    const agent = keepAliveAgent(concurrency);
    const headers = (contentType: string) => ({ cookie: sessionCookie(pupilId), 'content-type': contentType });

    async function routeBatch(count: number): Promise<BatchResult> {
      const latencies: number[] = [];
      const t0 = performance.now();
      const indexes = Array.from({ length: count }, (_, i) => i % bodies.length);
      await mapLimit(indexes, concurrency, async (i) => {
        const part = bodies[i];
        if (!part) return;
        const t = performance.now();
        const res = await request(agent, `${server.url}/api/artefacts`, { method: 'POST', headers: headers(part.contentType), body: part.body });
        if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${res.body.slice(0, 300)}`);
        const media = (JSON.parse(res.body) as { media: Array<{ width: number; height: number }> }).media;
        if (media.length !== 1 || media[0]?.width !== HEIGHT || media[0]?.height !== WIDTH) throw new Error(`unexpected media: ${JSON.stringify(media)}`);
        latencies.push(performance.now() - t);
      });
      return { type: 'batch', seconds: (performance.now() - t0) / 1000, latencies, sizes: {} };
    }
    const bareBatch = (count: number) =>
      ask<BatchResult>(bare, { type: 'batch', files: Array.from({ length: count }, (_, i) => files[i % files.length] ?? ''), concurrency }, 'batch', {
        label: 'the bare sharp process',
      });

    try {
      // Warm-up: one pass each, unrecorded (JIT, sharp/libvips start-up, PostgreSQL connections).
      const warmBare = await bareBatch(files.length);
      await routeBatch(files.length);
      const routeSizes = await storedSizes(client, server.dataDir, path.basename(files[0] ?? ''));
      const same = ['original', 'display', 'thumb'].every((v) => routeSizes[v] === warmBare.sizes[v]);
      console.log(
        `same output: the route stored ${Object.entries(routeSizes)
          .map(([k, v]) => `${k} ${v} B`)
          .join(', ')} for ${path.basename(files[0] ?? '')}; ` +
          `bare sharp wrote ${Object.entries(warmBare.sizes)
            .map(([k, v]) => `${k} ${v} B`)
            .join(', ')} → ${same ? 'identical sizes' : 'DIFFERENT'}`,
      );
      const perRun = files.length * passes;
      console.log(
        `\nimage uploads, node ${process.version}, sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}), sharp.concurrency() ${sharp.concurrency()}, ` +
          `UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}; ${perRun} images per run, ${concurrency} in flight; server on PostgreSQL, local media folder`,
      );
      const results: Record<'bare' | 'route', Array<BatchResult & { cpu: CpuReport; loopP99?: number }>> = { bare: [], route: [] };
      for (let r = 0; r < runs; r++) {
        for (const kind of r % 2 === 0 ? (['bare', 'route'] as const) : (['route', 'bare'] as const)) {
          server.resetLoop();
          const stopMeter = cpuMeter(kind === 'bare' ? { bare: bare.pid } : { server: server.pid }, db.name);
          const result = kind === 'bare' ? await bareBatch(perRun) : await routeBatch(perRun);
          const cpu = stopMeter();
          const loopP99 = kind === 'route' ? (await server.loopStats()).p99 : undefined;
          results[kind].push({ ...result, cpu, loopP99 });
          console.log(
            `  run ${r + 1} ${kind.padEnd(5)} ${fmt(perRun / result.seconds, 2)} images/s (${fmt(result.seconds)} s), per image p50 ${fmt(percentile(result.latencies, 50), 0)} ms p95 ${fmt(percentile(result.latencies, 95), 0)} ms; ` +
              `CPU: ${formatCpu(cpu)}${loopP99 !== undefined ? `; server loop delay p99 ${fmt(loopP99)} ms` : ''}`,
          );
        }
      }
      const ips = (rs: BatchResult[]) => median(rs.map((x) => perRun / x.seconds));
      const row = (name: string, rs: Array<BatchResult & { cpu: CpuReport; loopP99?: number }>, proc: string) => [
        name,
        fmt(ips(rs), 2),
        rs.map((x) => fmt(perRun / x.seconds, 2)).join(' / '),
        `${fmt(median(rs.map((x) => percentile(x.latencies, 50))), 0)} ms`,
        `${median(rs.map((x) => x.cpu.processes[proc] ?? NaN)).toFixed(0)}%`,
        `${median(rs.map((x) => x.cpu.other)).toFixed(0)}%`,
      ];
      console.log(`\nmedian of ${runs} runs; CPU in % of one core (this machine has ${results.bare[0]?.cpu.cores ?? '?'})`);
      console.log(
        table([
          ['', 'images/s', 'per run', 'per image p50', 'process CPU', 'other CPU'],
          row('bare sharp (baseline)', results.bare, 'bare'),
          row('POST /api/artefacts', results.route, 'server'),
        ]),
      );
      const busiest = Math.max(...[...results.bare, ...results.route].map((x) => x.cpu.other));
      if (busiest > 25) console.log(`note: other processes used up to ${busiest.toFixed(0)}% of a core during the runs; the figures include that interference`);
      const ratio = ips(results.route) / ips(results.bare);
      // Also per run, route against the bare run next to it: robust against the machine drifting.
      const paired = results.route.map((x, i) => perRun / x.seconds / (perRun / (results.bare[i]?.seconds ?? NaN)));
      console.log(
        `\nroute ÷ bare sharp: ${fmt(ratio, 2)}× (per run: ${paired.map((x) => fmt(x, 2)).join(' / ')}) → target ≥ 0.8: ${ratio >= 0.8 ? 'met' : 'NOT met'}`,
      );
    } catch (err) {
      console.error(`${server.output()}\n${bare.output()}`);
      throw err;
    } finally {
      agent.destroy();
      await bare.stop(5000);
      await server.stop();
    }
    console.log(`total ${((performance.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await runCleanups();
  }
}

/** Sizes of the variants the route stored for a file, found through its media_items row. */
async function storedSizes(client: pg.Client, dataDir: string, originalName: string): Promise<Record<string, number>> {
  const row = await client.query<{ variants: Record<string, string> }>(
    `select variants from media_items where original_name = $1 order by created_at limit 1`,
    [originalName],
  );
  const variants = row.rows[0]?.variants ?? {};
  const sizes: Record<string, number> = {};
  for (const [name, key] of Object.entries(variants)) sizes[name] = (await stat(path.join(dataDir, 'media', ...key.split('/')))).size;
  return sizes;
}
