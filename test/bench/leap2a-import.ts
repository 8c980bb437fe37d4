/**
 * LEAP2A import throughput: a generated feed of 10,000 entries (text entries, comments on some of
 * them, a few selections grouping them) imported with previewImport + applyImport into PostgreSQL,
 * in this process (the library the jobs and the CLI call). Entries per second, median of 3 runs,
 * each into a new pupil. Baseline in the same run: parsing the same bytes with saxes alone.
 *
 * MODE=mahara: a Mahara 22.10+ export (support/mahara-feed.ts) of ENTRIES (10,000) entries with
 * MEDIA_MB (1024) of photos and PDFs, generated into a temp folder and deleted after; each of RUNS
 * (3) runs imports it into a new pupil in a child process of its own, through the same public entry
 * points, and reports entries/s, media MB/s and the child's peak RSS (sampled every 20 ms, and the
 * kernel's maxRSS). BENCH_QUICK=1: 2,000 entries, 32 MB, one run.
 *
 *   npm run bench:import            (ENTRIES=… to change the feed size)
 *   MODE=mahara npm run bench:import   (MEDIA_MB=… ENTRIES=… RUNS=…)
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { SaxesParser } from 'saxes';
import { openDatabase } from '../../server/db/database.ts';
import { migrate } from '../../server/db/migrate.ts';
import { applyImport, previewImport } from '../../server/modules/portability/import/import-archive.ts';
import { LocalBlobStore } from '../../server/storage/local-blob-store.ts';
import { installCleanupHandlers, onCleanup, runCleanups } from './support/cleanup.ts';
import { createBenchDatabase } from './support/db.ts';
import { fmt, median, table } from './support/stats.ts';
import { maharaBenchmark, maharaImportChild } from './leap2a-import-mahara.ts';

const ENTRIES = Number(process.env.ENTRIES ?? 10_000);
const RUNS = 3;
const COMMENT_EVERY = 5; // one comment per five entries (a fifth of the feed's entries are comments)
const SELECTIONS = 10;

function feed(total: number): string {
  const esc = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;');
  const out: string[] = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:leap2="http://terms.leapspecs.org/" xmlns:categories="http://wiki.leapspecs.org/2A/categories/" xmlns:thr="http://purl.org/syndication/thread/1.0">',
    '<leap2:version>http://www.leapspecs.org/2010-07/2A/</leap2:version><id>urn:bench:feed</id><title>Bench feed</title><updated>2024-01-01T00:00:00Z</updated>',
    '<author><name>Bench Pupil</name><uri>urn:bench:me</uri></author>',
    '<entry><id>urn:bench:me</id><title>Bench Pupil</title><updated>2024-01-01T00:00:00Z</updated><rdf:type rdf:resource="leap2:person"/></entry>',
  ];
  const texts = total - 1 - SELECTIONS;
  let written = 1 + SELECTIONS;
  const textIds: string[] = [];
  for (let i = 0; written < total && textIds.length < texts; i++) {
    const id = `urn:bench:e${i}`;
    textIds.push(id);
    const day = String((i % 28) + 1).padStart(2, '0');
    out.push(
      `<entry><id>${id}</id><title>Entry ${i}</title><published>2023-10-${day}T09:00:00Z</published><updated>2023-10-${day}T09:00:00Z</updated>` +
        `<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Today I learned ${esc('<thing>')} number ${i}.</p><p>See <a href="urn:bench:e${Math.max(0, i - 1)}">the previous one</a>.</p></div></content>` +
        `<rdf:type rdf:resource="leap2:entry"/><link rel="leap2:is_part_of" href="urn:bench:s${i % SELECTIONS}" leap2:display_order="${i}"/></entry>`,
    );
    written++;
    if (i % (COMMENT_EVERY - 1) === 0 && written < total) {
      out.push(
        `<entry><id>urn:bench:c${i}</id><title>Re: Entry ${i}</title><author><name>Teacher ${i % 7}</name></author><updated>2023-10-${day}T10:00:00Z</updated><content type="text">Good work on ${i}!</content><thr:in-reply-to ref="${id}"/></entry>`,
      );
      written++;
    }
  }
  for (let s = 0; s < SELECTIONS; s++) {
    out.push(
      `<entry><id>urn:bench:s${s}</id><title>Project ${s}</title><updated>2023-10-01T00:00:00Z</updated><rdf:type rdf:resource="leap2:selection"/><category term="Grouping" scheme="categories:selection_type#"/></entry>`,
    );
  }
  out.push('</feed>');
  return out.join('\n');
}

function parseOnly(bytes: Buffer): number {
  const parser = new SaxesParser({ xmlns: true });
  let elements = 0;
  parser.on('opentag', () => (elements += 1));
  parser.write(bytes.toString('utf8')).close();
  return elements;
}

async function main() {
  installCleanupHandlers();
  const work = await mkdtemp(path.join(tmpdir(), 'polku-bench-import-'));
  onCleanup('remove temp folder', () => rm(work, { recursive: true, force: true }));
  const bench = await createBenchDatabase();
  const database = await openDatabase({ kind: 'postgres', url: bench.url, poolSize: 4 });
  onCleanup('close database', () => database.close());
  await migrate(database.db);
  const blobs = new LocalBlobStore({ root: path.join(work, 'blobs'), secret: 'bench-secret-bench-secret-bench-secret' });
  const media = { maxBytes: { image: 40e6, audio: 100e6, video: 500e6, file: 100e6 }, ffmpegPath: '/usr/bin/ffmpeg', tmpDir: path.join(work, 'tmp') };

  const file = path.join(work, 'leap2a.xml');
  await writeFile(file, feed(ENTRIES));
  const bytes = await readFile(file);
  console.log(`feed: ${ENTRIES.toLocaleString('en')} entries, ${fmt(bytes.length / 1e6)} MB, PostgreSQL database ${bench.name}`);
  const school = await database.db.insertInto('schools').values({ name: 'Bench school' }).returning('id').executeTakeFirstOrThrow();

  const rows: Array<{ parse: number; preview: number; apply: number }> = [];
  for (let run = 0; run < RUNS; run++) {
    const t0 = performance.now();
    parseOnly(bytes);
    const parse = performance.now() - t0;
    const pupil = await database.db
      .insertInto('users')
      .values({ username: `bench.pupil.${run}.${Date.now()}`, displayName: 'Bench Pupil' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await database.db.insertInto('schoolRoles').values({ schoolId: school.id, userId: pupil.id, role: 'pupil' }).execute();
    const target = { kind: 'existing' as const, pupilId: pupil.id };
    const t1 = performance.now();
    const preview = await previewImport({ db: database.db, filePath: file, target });
    const t2 = performance.now();
    const report = await applyImport({ db: database.db, blobs, filePath: file, target, actorId: null, media });
    const t3 = performance.now();
    if (report.items.length !== preview.items.length || report.counts.create !== preview.counts.create) throw new Error('preview and report disagree');
    if (run === 0)
      console.log(
        `per run: ${report.created.artefacts} artefacts, ${report.created.feedback} feedback, ${report.created.projects} projects created; counts ${JSON.stringify(report.counts)}`,
      );
    rows.push({ parse, preview: t2 - t1, apply: t3 - t2 });
    console.log(`run ${run + 1}: parse ${fmt(parse, 0)} ms, preview ${fmt(t2 - t1, 0)} ms, apply ${fmt(t3 - t2, 0)} ms`);
  }
  const parse = median(rows.map((r) => r.parse));
  const previewMs = median(rows.map((r) => r.preview));
  const applyMs = median(rows.map((r) => r.apply));
  const both = median(rows.map((r) => r.preview + r.apply));
  const perSecond = (ms: number) => (ENTRIES / ms) * 1000;
  console.log('');
  console.log(
    table([
      ['step', 'median ms', 'entries/s', '× parse time'],
      ['saxes parse only (baseline)', fmt(parse, 0), fmt(perSecond(parse), 0), '1.0'],
      ['previewImport', fmt(previewMs, 0), fmt(perSecond(previewMs), 0), fmt(previewMs / parse)],
      ['applyImport (plans again, writes)', fmt(applyMs, 0), fmt(perSecond(applyMs), 0), fmt(applyMs / parse)],
      ['preview + apply', fmt(both, 0), fmt(perSecond(both), 0), fmt(both / parse)],
    ]),
  );
}

const entry = process.argv[2] === '--import-child' ? maharaImportChild : process.env.MODE === 'mahara' ? maharaBenchmark : main;
entry()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => runCleanups());
