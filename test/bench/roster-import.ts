/**
 * Roster import throughput (issue 11 §2): a generated OneRoster 1.2 ZIP of USERS (20,000) users — pupils
 * in classes of 20, a teacher per class, a guardian per pupil — previewed (read, parsed with csv-parse,
 * matched against the school, diffed) and applied (one transaction) into a new school of a throwaway
 * PostgreSQL database, in this process (the functions the HTTP job and the CLI call). Then the same roster
 * is previewed again and must show no change (the idempotent re-import). Reports CSV rows/s and users/s
 * for each step, median of RUNS (3) runs (each into a new school), and the process's peak RSS (sampled
 * every 20 ms, and the kernel's maxRSS). Baseline in the same run: csv-parse alone on the same CSV files.
 *
 *   npm run bench:roster          (USERS=…, RUNS=…; BENCH_QUICK=1: 2,000 users, one run)
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse } from 'csv-parse/sync';
import { openDatabase } from '../../server/db/database.ts';
import { migrate } from '../../server/db/migrate.ts';
import { applyRoster } from '../../server/modules/rosters/roster-apply.ts';
import { DEFAULT_ROSTER_LIMITS } from '../../server/modules/rosters/roster-csv.ts';
import { previewRoster } from '../../server/modules/rosters/rosters.service.ts';
import { bigSpec, oneRosterFiles, zipOf } from '../fixtures/rosters/make-roster.ts';
import { installCleanupHandlers, onCleanup, runCleanups } from './support/cleanup.ts';
import { createBenchDatabase } from './support/db.ts';
import { fmt, median, table } from './support/stats.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const USERS = Number(process.env.USERS ?? (QUICK ? 2_000 : 20_000));
const RUNS = Number(process.env.RUNS ?? (QUICK ? 1 : 3));
const MB = 1024 * 1024;

async function main() {
  installCleanupHandlers();
  const work = await mkdtemp(path.join(tmpdir(), 'polku-bench-roster-'));
  onCleanup('remove temp folder', () => rm(work, { recursive: true, force: true }));
  const bench = await createBenchDatabase();
  const database = await openDatabase({ kind: 'postgres', url: bench.url, poolSize: 4 });
  onCleanup('close database', () => database.close());
  await migrate(database.db);

  // 2.05 users per pupil: the pupil, a guardian, and a twentieth of a teacher.
  const spec = bigSpec(Math.round(USERS / 2.05));
  const files = oneRosterFiles(spec);
  const file = path.join(work, 'roster.zip');
  const zip = zipOf(files);
  await writeFile(file, zip);
  const csvFiles = Object.values(files).map(String);
  const rows = csvFiles.reduce((n, text) => n + text.split('\r\n').length - 2, 0);
  const users = spec.pupils.length + spec.guardians.length + spec.teachers.length;
  console.log(
    `roster: ${users.toLocaleString('en')} users, ${rows.toLocaleString('en')} CSV rows, ZIP ${fmt(zip.length / MB)} MB; PostgreSQL database ${bench.name}`,
  );

  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const results: Array<{ parse: number; preview: number; apply: number; again: number }> = [];
  for (let run = 0; run < RUNS; run++) {
    const t0 = performance.now();
    for (const text of csvFiles) parse(text, { skip_empty_lines: true });
    const parseMs = performance.now() - t0;
    const code = `b${run}${Date.now() % 1e6}`;
    spec.school.identifier = code;
    await writeFile(file, zipOf(oneRosterFiles(spec)));
    const school = await database.db
      .insertInto('schools')
      .values({ name: `Bench ${code}`, code })
      .returning(['id', 'code'])
      .executeTakeFirstOrThrow();
    const t1 = performance.now();
    const { roster, preview } = await previewRoster(database.db, file, school, DEFAULT_ROSTER_LIMITS);
    const t2 = performance.now();
    let phase = '';
    let phaseStart = performance.now();
    const phases: string[] = [];
    const applied = await applyRoster({
      db: database.db,
      schoolId: school.id,
      roster,
      actorId: null,
      importId: 'bench',
      onProgress: (p) => {
        if (p.phase === phase) return;
        if (phase) phases.push(`${phase} ${fmt(performance.now() - phaseStart, 0)} ms`);
        phase = p.phase;
        phaseStart = performance.now();
      },
    });
    console.log(`  apply phases: ${phases.join(', ')}`);
    const t3 = performance.now();
    const again = await previewRoster(database.db, file, school, DEFAULT_ROSTER_LIMITS);
    const t4 = performance.now();
    if (preview.counts.users.create !== users || applied.counts.users.create !== users)
      throw new Error(`expected ${users} users, preview ${preview.counts.users.create}`);
    const c = again.preview.counts;
    if (c.users.create + c.users.update + c.users.deactivate + c.memberships.create + c.memberships.remove + c.guardianLinks.create !== 0)
      throw new Error('the re-import is not empty');
    results.push({ parse: parseMs, preview: t2 - t1, apply: t3 - t2, again: t4 - t3 });
    console.log(
      `run ${run + 1}: parse ${fmt(parseMs, 0)} ms, preview ${fmt(t2 - t1, 0)} ms, apply ${fmt(t3 - t2, 0)} ms, re-import preview ${fmt(t4 - t3, 0)} ms`,
    );
  }
  clearInterval(sampler);
  const m = (k: keyof (typeof results)[number]) => median(results.map((r) => r[k]));
  const line = (name: string, ms: number) => [name, fmt(ms, 0), fmt((rows / ms) * 1000, 0), fmt((users / ms) * 1000, 0), fmt(ms / m('parse'))];
  console.log('');
  console.log(
    table([
      ['step', 'median ms', 'CSV rows/s', 'users/s', '× parse time'],
      line('csv-parse only (baseline)', m('parse')),
      line('preview (read, parse, match, diff)', m('preview')),
      line('apply (one transaction)', m('apply')),
      line('re-import preview (no change)', m('again')),
    ]),
  );
  console.log(`peak RSS ${fmt(peak / MB, 0)} MB sampled, maxRSS ${fmt(process.resourceUsage().maxRSS / 1024, 0)} MB`);
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => runCleanups());
