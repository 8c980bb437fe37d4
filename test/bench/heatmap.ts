/**
 * The teacher's heatmap (issue 10 §6): latency of `GET /api/projects/:id/heatmap` for a project with
 * PUPILS (30) pupils × GOALS (10) goals and ARTEFACTS_PER_PUPIL (200) artefacts per pupil, each linked
 * to one or two goals, and ASSESSMENTS (3 self + 2 teacher levels) per pupil and goal, where some pupils
 * have no evidence or no assessment for some goals. Also the group's competence coverage
 * (`GET /api/groups/:id/coverage`) on the same data.
 *
 * Baseline in the same run, measured the same way: `GET /healthz` of the same server (no session,
 * no database): the web stack's floor. The heatmap is one policy-facts query and ONE aggregate query
 * (insight.repo.ts), so its cost over /healthz is the session read, two round trips and the JSON.
 *
 * Data (set-based SQL, as timeline-reads.ts): one school, one group of PUPILS pupils with its teacher,
 * who teaches the project; then VACUUM ANALYZE. The server (`node --import tsx server/main.ts`,
 * LOG_LEVEL=warn) and the load generator (support/loadgen.ts) are separate processes.
 *
 * Each of RUNS rounds measures heatmap, coverage and /healthz in a rotating order, CLIENTS (4) keep-alive
 * clients in a closed loop (few, so that the latency is the request's, not a queue's): WARMUP_S
 * seconds unrecorded, then DURATION_S recorded. Medians of p50, p99 and req/s over the rounds.
 * No target is asserted; the issue asks for the figures.
 *
 * Run: npm run bench:heatmap   (RUNS=5 DURATION_S=5 WARMUP_S=2 CLIENTS=4 PUPILS=30 GOALS=10 ARTEFACTS=200;
 *      BENCH_KEEP_DB=1 keeps the seeded database, BENCH_REUSE_DB=<name> reuses it)
 */
import { installCleanupHandlers, runCleanups } from './support/cleanup.ts';
import { createBenchDatabase, seedPeople, seedSessions, sessionCookie } from './support/db.ts';
import { getRequest, runClosedLoop, type LoadResult } from './support/loadgen.ts';
import { ask, cpuMeter, formatCpu, spawnNode, TSX, type CpuReport } from './support/proc.ts';
import { startPolku } from './support/server.ts';
import { fmt, median, percentile, table } from './support/stats.ts';

const PUPILS = Number(process.env.PUPILS ?? 30);
const GOALS = Number(process.env.GOALS ?? 10);
const ARTEFACTS_PER_PUPIL = Number(process.env.ARTEFACTS ?? 200);

type View = 'heatmap' | 'coverage' | 'healthz';
const VIEWS: readonly View[] = ['heatmap', 'coverage', 'healthz'];
const VIEW_NAMES: Record<View, string> = {
  heatmap: 'GET /api/projects/:id/heatmap',
  coverage: 'GET /api/groups/:id/coverage',
  healthz: 'GET /healthz (baseline)',
};
type Measured = LoadResult & { cpu: CpuReport; loopP99: number };

interface RunMessage {
  type: 'run';
  port: number;
  requests: Array<{ path: string; cookie?: string }>;
  warmupMs: number;
  durationMs: number;
}

if (process.argv[2] === '--loadgen') loadgenProcess();
else await main();

function loadgenProcess() {
  process.on('message', (m: RunMessage) => {
    if (m.type !== 'run') return;
    const requests = m.requests.map((r) => getRequest(m.port, r.path, r.cookie ? { Cookie: r.cookie } : {}));
    runClosedLoop({ port: m.port, requests, warmupMs: m.warmupMs, durationMs: m.durationMs }).then(
      (result) => process.send?.({ type: 'result', result }),
      (err: unknown) => process.send?.({ type: 'error', error: String(err) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}

async function seed(db: Awaited<ReturnType<typeof createBenchDatabase>>) {
  const client = await db.client();
  const started = performance.now();
  const step = async (what: string, sqlText: string, params: unknown[] = []) => {
    const t = performance.now();
    const res = await client.query(sqlText, params);
    console.log(`  ${what}: ${res.rowCount ?? ''} rows, ${((performance.now() - t) / 1000).toFixed(1)} s`);
  };
  await client.query(`set synchronous_commit = off`);
  await client.query(`select setseed(0.42)`);
  console.log('seeding:');
  const { schoolId, teacherId } = await seedPeople(client, { pupils: PUPILS, groupSize: PUPILS });
  await step(
    'project',
    `insert into projects (school_id, title, description, school_year, subject_codes, competence_ids, created_by)
     values ($1, 'Metsä ympärillämme', 'Tutkitaan lähimetsää.', '2026-2027', '{BI,GE,KU}', '{basic:L1,basic:L4}', $2)`,
    [schoolId, teacherId],
  );
  await client.query(
    `insert into project_groups (project_id, group_id) select p.id, g.id from projects p, groups g where p.school_id = $1 and g.school_id = $1`,
    [schoolId],
  );
  await client.query(`insert into project_teachers (project_id, user_id) select id, $2 from projects where school_id = $1`, [schoolId, teacherId]);
  await step(
    'goals',
    `insert into project_goals (project_id, position, text) select p.id, n - 1, 'Tavoite ' || n || ': osaan havainnoida ja kertoa havainnoistani'
     from projects p cross join generate_series(1, $2::int) n where p.school_id = $1`,
    [schoolId, GOALS],
  );
  // Artefact i of pupil k is linked to goal (i mod GOALS) and every third one to the next goal too; every
  // fifth pupil links nothing to the last goal (cells without evidence). Created over the last year.
  await step(
    'artefacts',
    `with goals as (select array_agg(g.id order by g.position) as ids from project_goals g join projects p on p.id = g.project_id where p.school_id = $1),
     pupils as (select u.id, row_number() over (order by u.username) as k from users u where u.username like 'bench.pupil.%')
     insert into artefacts (owner_id, project_id, kind, title, body_html, links, subject_codes, competence_ids, goal_ids, status, ready_at, visibility, created_at, updated_at)
     select p.id, pr.id, 'text', 'Havainto ' || i, '<p>Tänään tutkimme, miten sammal kasvaa kiven pohjoispuolella.</p>', '[]'::jsonb,
       (array['{BI}','{BI,GE}','{KU}','{AI,BI}','{MA}','{YL}'])[1 + i % 6]::text[],
       (array['{basic:L1}','{basic:L4}','{}','{basic:L1,basic:L5}','{basic:L2}','{basic:L7}'])[1 + (i + p.k::int) % 6]::text[],
       array(select x from unnest(array[goals.ids[1 + i % $2::int], case when i % 3 = 0 then goals.ids[1 + (i + 1) % $2::int] end]) x
             where x is not null and not (p.k % 5 = 0 and x = goals.ids[$2::int])),
       case when i % 3 = 0 then 'ready' else 'draft' end, case when i % 3 = 0 then c.created end,
       case when i % 4 = 0 then 'guardians' else 'private' end, c.created, c.created
     from pupils p cross join goals cross join projects pr
     cross join generate_series(1, $3::int) i
     cross join lateral (select date_trunc('milliseconds', now() - random() * interval '365 days') as created) c
     where pr.school_id = $1`,
    [schoolId, GOALS, ARTEFACTS_PER_PUPIL],
  );
  // Three self-assessments and two teacher levels per pupil and goal, over time; every seventh pupil-goal pair has none.
  await step(
    'goal assessments',
    `insert into goal_assessments (goal_id, pupil_id, kind, assessor_id, level, created_at)
     select g.id, u.id, case when n <= 3 then 'self' else 'teacher' end, case when n <= 3 then u.id else $2 end,
       (n + g.position + length(u.username)) % 4, now() - (6 - n) * interval '20 days' - random() * interval '5 days'
     from users u cross join project_goals g join projects p on p.id = g.project_id and p.school_id = $1
     cross join generate_series(1, 5) n
     where u.username like 'bench.pupil.%' and (hashtext(u.id::text || g.id::text) % 7) <> 0`,
    [schoolId, teacherId],
  );
  await seedSessions(client, `select id from users where username like 'bench.%'`);
  const t = performance.now();
  await client.query('vacuum (analyze)');
  console.log(`  vacuum analyze: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  console.log(`seeded in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

async function main() {
  installCleanupHandlers();
  const runs = Number(process.env.RUNS ?? 5);
  const durationMs = Number(process.env.DURATION_S ?? 5) * 1000;
  const warmupMs = Number(process.env.WARMUP_S ?? 2) * 1000;
  const clients = Number(process.env.CLIENTS ?? 4);
  const started = performance.now();
  try {
    const db = await createBenchDatabase();
    await (await startPolku({ databaseUrl: db.url, label: 'migrate' })).stop();
    if (!db.reused) await seed(db);
    const client = await db.client();
    const facts = await client.query<{ projectId: string; groupId: string; teacherId: string; artefacts: number; linked: number; assessments: number }>(
      `select (select id from projects where title = 'Metsä ympärillämme' limit 1) as "projectId",
              (select g.id from groups g join schools s on s.id = g.school_id where s.name = 'Benchmarkin koulu' limit 1) as "groupId",
              (select id from users where username = 'bench.teacher') as "teacherId",
              (select count(*)::int from artefacts) as artefacts,
              (select count(*)::int from artefacts where cardinality(goal_ids) > 0) as linked,
              (select count(*)::int from goal_assessments) as assessments`,
    );
    const f = facts.rows[0];
    if (!f) throw new Error('no seeded project');
    const seedSize = `${PUPILS} pupils × ${GOALS} goals, ${f.artefacts} artefacts (${f.linked} linked to goals), ${f.assessments} assessments`;
    console.log(`\ndatabase ${db.name}: ${seedSize}`);

    const server = await startPolku({ databaseUrl: db.url, label: 'server' });
    const loadgen = spawnNode([...TSX, import.meta.filename, '--loadgen'], { ipc: true, label: 'loadgen' });
    const cookie = sessionCookie(f.teacherId);
    const pathOf: Record<View, string> = {
      heatmap: `/api/projects/${f.projectId}/heatmap`,
      coverage: `/api/groups/${f.groupId}/coverage`,
      healthz: '/healthz',
    };
    try {
      // The heatmap must answer the whole grid, with some cells without evidence, before it is timed.
      const res = await fetch(`${server.url}${pathOf.heatmap}`, { headers: { cookie } });
      const body = (await res.json()) as { pupils?: Array<{ cells: Array<{ evidenceCount: number }> }>; goals?: unknown[] };
      const empty = body.pupils?.reduce((n, p) => n + p.cells.filter((c) => c.evidenceCount === 0).length, 0) ?? 0;
      if (res.status !== 200 || body.pupils?.length !== PUPILS || body.goals?.length !== GOALS)
        throw new Error(`the heatmap did not answer ${PUPILS} × ${GOALS}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
      console.log(`heatmap: ${PUPILS} × ${GOALS} cells, ${empty} without evidence, ${(JSON.stringify(body).length / 1024).toFixed(1)} KiB`);

      console.log(
        `\nheatmap reads, node ${process.version}: ${clients} keep-alive connections (closed loop), ${warmupMs / 1000} s warm-up + ${durationMs / 1000} s measured per view, ${runs} rounds`,
      );
      const measured = Object.fromEntries(VIEWS.map((v) => [v, [] as Measured[]])) as Record<View, Measured[]>;
      for (let r = 0; r < runs; r++) {
        const rotated = VIEWS.map((_, i) => VIEWS[(i + r) % VIEWS.length] as View);
        for (const view of rotated) {
          const requests = Array.from({ length: clients }, () => ({ path: pathOf[view], ...(view === 'healthz' ? {} : { cookie }) }));
          const pids = { server: server.pid, loadgen: loadgen.pid };
          let stopMeter = cpuMeter(pids, db.name);
          const afterWarmup = setTimeout(() => {
            server.resetLoop();
            stopMeter = cpuMeter(pids, db.name);
          }, warmupMs);
          const result = (
            await ask<{ result: LoadResult }>(loadgen, { type: 'run', port: server.port, requests, warmupMs, durationMs } satisfies RunMessage, 'result', {
              label: 'the load generator',
            })
          ).result;
          clearTimeout(afterWarmup);
          const cpu = stopMeter();
          const loop = await server.loopStats();
          measured[view].push({ ...result, cpu, loopP99: loop.p99 });
          const bad = Object.entries({ ...result.errors, ...Object.fromEntries(Object.entries(result.statuses).filter(([s]) => s !== '200')) });
          console.log(
            `  round ${r + 1} ${view.padEnd(8)} ${fmt(result.completed / result.seconds, 0).padStart(6)} req/s  p50 ${fmt(percentile(result.latencies, 50), 2)} ms  p99 ${fmt(percentile(result.latencies, 99), 2)} ms  ` +
              `${(result.meanBytes / 1024).toFixed(1)} KiB; ${formatCpu(cpu)}${bad.length ? `  NOT 200: ${bad.map(([k, v]) => `${v}× ${k}`).join(', ')}` : ''}`,
          );
        }
      }

      const med = (rs: Measured[], fn: (x: Measured) => number) => median(rs.map(fn));
      const p50 = (x: Measured) => percentile(x.latencies, 50);
      const p99 = (x: Measured) => percentile(x.latencies, 99);
      const rps = (x: Measured) => x.completed / x.seconds;
      console.log(`\nmedians of ${runs} rounds, ${clients} concurrent clients, ${seedSize}`);
      console.log(
        table([
          ['request', 'p50', 'p99', 'req/s', 'p50 − healthz p50', 'server loop p99', 'other CPU'],
          ...VIEWS.map((v) => [
            VIEW_NAMES[v],
            `${fmt(med(measured[v], p50), 2)} ms`,
            `${fmt(med(measured[v], p99), 2)} ms`,
            fmt(med(measured[v], rps), 0),
            `${fmt(med(measured[v], p50) - med(measured.healthz, p50), 2)} ms`,
            `${fmt(med(measured[v], (x) => x.loopP99))} ms`,
            `${med(measured[v], (x) => x.cpu.other).toFixed(0)}%`,
          ]),
        ]),
      );
      const busiest = Math.max(...VIEWS.flatMap((v) => measured[v].map((x) => x.cpu.other)));
      if (busiest > 25)
        console.log(`note: other processes used up to ${busiest.toFixed(0)}% of a core during the measurements; the latencies include that interference`);
    } catch (err) {
      console.error(`${server.output()}\n${loadgen.output()}`);
      throw err;
    } finally {
      await loadgen.stop(5000);
      await server.stop();
    }
    console.log(`total ${((performance.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await runCleanups();
  }
}
