/**
 * Timeline reads: requests per second and latency of the first timeline page
 * (`GET /api/pupils/<own id>/artefacts?limit=20`) with 100 concurrent keep-alive clients, each a
 * different signed-in pupil, on a PostgreSQL database seeded with 10,000 pupils and 1,000,000
 * artefacts. Baseline in the same run, on the same server process, measured the same way:
 * Polku's own `GET /healthz` (a constant JSON answer through the same Express app, its request
 * logger and helmet, without session or database). Target: ≥ 1,500 req/s with p99 < 50 ms.
 *
 * Data (set-based SQL, about a minute on a quiet machine): one school, 400 groups of 25 pupils, one project per
 * group, 100 artefacts per pupil over three years (titles, ~200-byte bodies, subjects,
 * competences; a fifth are photos with a media_items row; a third are ready for feedback, most of
 * those with teacher feedback and some with the pupil's reply and a read mark), a session per
 * pupil; then VACUUM ANALYZE. The server (`node --import tsx server/main.ts`, LOG_LEVEL=warn,
 * default DATABASE_POOL_SIZE unless set) and the load generator (support/loadgen.ts, plain TCP
 * sockets) are separate processes.
 *
 * Each of RUNS runs measures both routes (order alternating): WARMUP_S seconds unrecorded, then
 * DURATION_S seconds recorded; a new random set of 100 pupils per run.
 *
 * Run: npm run bench:timeline   (RUNS=3 DURATION_S=20 WARMUP_S=5 CLIENTS=100 ROUTES=healthz,timeline;
 *      BENCH_KEEP_DB=1 keeps the seeded database, BENCH_REUSE_DB=<name> reuses it)
 */
import { installCleanupHandlers, runCleanups } from './support/cleanup.ts';
import { createBenchDatabase, seedPeople, seedSessions, sessionCookie } from './support/db.ts';
import { getRequest, runClosedLoop, type LoadResult } from './support/loadgen.ts';
import { ask, cpuMeter, formatCpu, spawnNode, TSX, type CpuReport } from './support/proc.ts';
import { startPolku } from './support/server.ts';
import { fmt, median, percentile, table } from './support/stats.ts';

const PUPILS = 10_000;
const ARTEFACTS_PER_PUPIL = 100;

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
  await client.query(`set maintenance_work_mem = '256MB'`);
  await client.query(`select setseed(0.42)`);
  console.log('seeding:');
  const people = await seedPeople(client, { pupils: PUPILS, groupSize: 25 });
  const { schoolId, teacherId } = people;
  await step(
    'projects',
    `insert into projects (school_id, title, description, school_year, subject_codes, competence_ids, created_by)
     select $1, 'Metsä ympärillämme (' || name || ')', 'Tutkitaan lähimetsää eri oppiaineiden näkökulmista.', '2026-2027', '{BI,GE,KU}', '{basic:L1,basic:L4}', $2
     from groups where school_id = $1`,
    [schoolId, teacherId],
  );
  await client.query(
    `insert into project_groups (project_id, group_id) select p.id, g.id from projects p join groups g on p.title = 'Metsä ympärillämme (' || g.name || ')' where g.school_id = $1`,
    [schoolId],
  );
  await client.query(`insert into project_teachers (project_id, user_id) select id, $2 from projects where school_id = $1`, [schoolId, teacherId]);
  // i = 1 … 100 per pupil, the newest last; created three years back to now, with millisecond precision as the app writes.
  await step(
    'artefacts',
    `insert into artefacts (owner_id, project_id, kind, title, body_html, links, subject_codes, competence_ids, status, ready_at, visibility, version, created_at, updated_at)
     select m.user_id,
       case when i % 5 < 3 then pg.project_id end,
       case when i % 5 = 0 then 'image' when i % 17 = 0 then 'link' else 'text' end,
       (array['Havaintoja metsäretkeltä','Sammalten tutkimus','Kuusen kävyt','Muurahaispesän elämää','Kartta koulun lähimetsästä','Lintujen laulu aamulla',
              'Sienten kasvupaikat','Syksyn värit','Puiden ikä vuosirenkaista','Lahopuun hyönteiset','Metsän äänimaisema','Oma metsäruno'])[1 + (i * 7 + abs(hashtext(m.user_id::text) % 1000)) % 12]
         || ' ' || i,
       '<p>' || (array['Tänään tutkimme ryhmän kanssa, miten sammal kasvaa kiven pohjoispuolella paremmin kuin eteläpuolella.',
                      'Mittasimme kolmen kuusen ympärysmitan ja arvioimme niiden iän opettajan antaman taulukon avulla.',
                      'Löysin kannon vierestä muurahaispesän, jossa muurahaiset kantoivat neulasia pitkässä jonossa.',
                      'Piirsin kartan reitistä, jonka kuljimme koululta metsään, ja merkitsin siihen tärkeimmät paikat.',
                      'Kuuntelimme lintujen ääniä viiden minuutin ajan ja tunnistimme ainakin neljä eri lajia.',
                      'Keräsimme lehtiä eri puista ja vertasimme niiden muotoja ja värejä luokassa suurennuslasilla.'])[1 + (i + abs(hashtext(m.user_id::text) % 1000)) % 6]
         || ' ' || (array['Opin, että metsässä kaikki lajit tarvitsevat toisiaan.',
                          'Seuraavaksi haluaisin selvittää, miksi jotkin puut kasvavat nopeammin.',
                          'Mielestäni tärkeintä oli tehdä havainnot huolellisesti ja kirjata ne heti ylös.',
                          'Työskentelimme pareittain ja jaoimme tehtävät keskenämme.'])[1 + (i * 3) % 4] || '</p>',
       case when i % 17 = 0 then '[{"url": "https://www.luontoportti.com/", "title": "Luontoportti"}]'::jsonb else '[]'::jsonb end,
       (array['{BI}','{BI,GE}','{KU}','{AI,BI}','{MA}','{YL}'])[1 + i % 6]::text[],
       (array['{basic:L1}','{basic:L4}','{}','{basic:L1,basic:L5}'])[1 + i % 4]::text[],
       case when i % 3 = 0 then 'ready' else 'draft' end,
       case when i % 3 = 0 then created end,
       case when i % 4 = 0 then 'guardians' else 'private' end,
       1 + i % 3,
       created, created
     from memberships m
     join project_groups pg on pg.group_id = m.group_id
     cross join generate_series(1, ${ARTEFACTS_PER_PUPIL}) i
     cross join lateral (select date_trunc('milliseconds', now() - (${ARTEFACTS_PER_PUPIL} - i) * interval '11 days' - random() * interval '10 days') as created) c
     where m.role = 'pupil'`,
  );
  await step(
    'media_items (the photos)',
    `insert into media_items (artefact_id, owner_id, position, kind, mime, sha256, size, original_name, width, height, variants, created_at)
     select a.id, a.owner_id, 0, 'image', 'image/jpeg', md5(a.id::text) || md5(a.title), 1500000 + (random() * 3000000)::int,
       'IMG_' || (1000 + (random() * 8999)::int) || '.jpg', 3000, 4000,
       jsonb_build_object('original', 'media/' || replace(a.id::text, '-', '') || '/original',
                          'display', 'media/' || replace(a.id::text, '-', '') || '/display',
                          'thumb', 'media/' || replace(a.id::text, '-', '') || '/thumb'),
       a.created_at
     from artefacts a where a.kind = 'image'`,
  );
  await step(
    'feedback (teacher)',
    `insert into feedback (artefact_id, author_id, body, created_at)
     select a.id, $1, (array['Hienoja havaintoja! Mitä luulet, miksi näin tapahtuu?','Hyvä kartta. Lisää vielä ilmansuunnat.',
                             'Kuvaat työskentelyäsi selkeästi. Jatka samaan malliin!','Mielenkiintoinen kysymys, selvitetään se yhdessä.'])[1 + (random() * 3)::int],
       a.created_at + interval '1 day'
     from artefacts a where a.status = 'ready' and random() < 0.7`,
    [teacherId],
  );
  await step(
    'feedback (pupil replies)',
    `insert into feedback (artefact_id, author_id, parent_id, body, created_at)
     select f.artefact_id, a.owner_id, f.id, 'Kiitos! Yritän selvittää sen ensi kerralla.', f.created_at + interval '2 hours'
     from feedback f join artefacts a on a.id = f.artefact_id where random() < 0.3`,
  );
  await step(
    'feedback_reads',
    `insert into feedback_reads (user_id, artefact_id, read_at)
     select a.owner_id, a.id, a.created_at + interval '1 day 3 hours' from artefacts a where a.status = 'ready' and random() < 0.6`,
  );
  await seedSessions(client, `select id from users where username like 'bench.%'`);
  const t = performance.now();
  await client.query('vacuum (analyze)');
  console.log(`  vacuum analyze: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const size = await client.query<{ size: string }>(`select pg_size_pretty(pg_database_size(current_database())) as size`);
  console.log(`seeded in ${((performance.now() - started) / 1000).toFixed(0)} s, database ${size.rows[0]?.size}`);
}

async function main() {
  installCleanupHandlers();
  const runs = Number(process.env.RUNS ?? 3);
  const durationMs = Number(process.env.DURATION_S ?? 20) * 1000;
  const warmupMs = Number(process.env.WARMUP_S ?? 5) * 1000;
  const clients = Number(process.env.CLIENTS ?? 100);
  const started = performance.now();
  try {
    const db = await createBenchDatabase();
    await (await startPolku({ databaseUrl: db.url, label: 'migrate' })).stop();
    if (!db.reused) await seed(db);
    const client = await db.client();
    const counts = await client.query<{ pupils: number; artefacts: number; media: number; feedback: number }>(
      `select (select count(*)::int from users where username like 'bench.pupil.%') as pupils, (select count(*)::int from artefacts) as artefacts,
              (select count(*)::int from media_items) as media, (select count(*)::int from feedback) as feedback`,
    );
    const pupilRows = await client.query<{ id: string }>(`select id from users where username like 'bench.pupil.%'`);
    const pupils = pupilRows.rows.map((r) => r.id);
    const c = counts.rows[0];
    console.log(`\ndatabase ${db.name}: ${c?.pupils} pupils, ${c?.artefacts} artefacts, ${c?.media} media items, ${c?.feedback} feedback`);

    const server = await startPolku({ databaseUrl: db.url, label: 'server' });
    const loadgen = spawnNode([...TSX, import.meta.filename, '--loadgen'], { ipc: true, label: 'loadgen' });
    try {
      // The page must really be the page: 20 artefacts and a cursor to the next.
      const probe = await fetch(`${server.url}/api/pupils/${pupils[0]}/artefacts?limit=20`, { headers: { cookie: sessionCookie(pupils[0] ?? '') } });
      const page = (await probe.json()) as { items?: unknown[]; nextCursor?: string | null };
      if (probe.status !== 200 || page.items?.length !== 20 || !page.nextCursor)
        throw new Error(`the timeline did not answer with a full page: ${probe.status} ${JSON.stringify(page).slice(0, 300)}`);

      console.log(
        `\ntimeline reads, node ${process.version}: ${clients} keep-alive connections (closed loop), ${warmupMs / 1000} s warm-up + ${durationMs / 1000} s measured per route, ${runs} runs; ` +
          `DATABASE_POOL_SIZE=${process.env.DATABASE_POOL_SIZE ?? '10 (default)'}`,
      );
      const measured: Record<'healthz' | 'timeline', Array<LoadResult & { cpu: CpuReport; loopP99: number }>> = { healthz: [], timeline: [] };
      for (let r = 0; r < runs; r++) {
        const chosen = [...pupils].sort(() => Math.random() - 0.5).slice(0, clients);
        // ROUTES=timeline (or healthz) measures one route only, e.g. while profiling the server.
        const order = (r % 2 === 0 ? (['healthz', 'timeline'] as const) : (['timeline', 'healthz'] as const)).filter(
          (t) => !process.env.ROUTES || process.env.ROUTES.split(',').includes(t),
        );
        for (const target of order) {
          const requests =
            target === 'healthz'
              ? chosen.map(() => ({ path: '/healthz' }))
              : chosen.map((id) => ({ path: `/api/pupils/${id}/artefacts?limit=20`, cookie: sessionCookie(id) }));
          // CPU and event-loop delay are measured from the end of the warm-up, with the requests.
          let stopMeter = cpuMeter({ server: server.pid, loadgen: loadgen.pid }, db.name);
          const afterWarmup = setTimeout(() => {
            server.resetLoop();
            stopMeter = cpuMeter({ server: server.pid, loadgen: loadgen.pid }, db.name);
          }, warmupMs);
          const result = (
            await ask<{ result: LoadResult }>(loadgen, { type: 'run', port: server.port, requests, warmupMs, durationMs } satisfies RunMessage, 'result', {
              label: 'the load generator',
            })
          ).result;
          clearTimeout(afterWarmup);
          const cpu = stopMeter();
          const loop = await server.loopStats();
          measured[target].push({ ...result, cpu, loopP99: loop.p99 });
          const bad = Object.entries({ ...result.errors, ...Object.fromEntries(Object.entries(result.statuses).filter(([s]) => s !== '200')) });
          console.log(
            `  run ${r + 1} ${target.padEnd(8)} ${fmt(result.completed / result.seconds, 0).padStart(6)} req/s  p50 ${fmt(percentile(result.latencies, 50))} ms  p99 ${fmt(percentile(result.latencies, 99))} ms  ` +
              `${(result.meanBytes / 1024).toFixed(1)} KiB/response, server CPU ${fmt(cpuMsPerRequest(result, cpu, 'server'), 2)} ms/request, postgres ${fmt(cpuMsPerRequest(result, cpu), 2)} ms/request${bad.length ? `  NOT 200: ${bad.map(([k, v]) => `${v}× ${k}`).join(', ')}` : ''}\n` +
              `      CPU: ${formatCpu(cpu)}; server loop delay p99 ${fmt(loop.p99)} ms`,
          );
        }
      }
      const rps = (rs: LoadResult[]) => median(rs.map((x) => x.completed / x.seconds));
      const pct = (rs: LoadResult[], p: number) => median(rs.map((x) => percentile(x.latencies, p)));
      const row = (name: string, rs: Array<LoadResult & { cpu: CpuReport; loopP99: number }>) => [
        name,
        fmt(rps(rs), 0),
        `${fmt(pct(rs, 50))} ms`,
        `${fmt(pct(rs, 99))} ms`,
        rs.map((x) => fmt(x.completed / x.seconds, 0)).join(' / '),
        `${median(rs.map((x) => x.cpu.processes.server ?? NaN)).toFixed(0)}%`,
        `${fmt(median(rs.map((x) => cpuMsPerRequest(x, x.cpu, 'server'))), 2)} ms`,
        `${fmt(median(rs.map((x) => cpuMsPerRequest(x, x.cpu))), 2)} ms`,
        `${median(rs.map((x) => x.cpu.processes.loadgen ?? NaN)).toFixed(0)}%`,
        `${median(rs.map((x) => x.cpu.postgres)).toFixed(0)}%`,
        `${median(rs.map((x) => x.cpu.other)).toFixed(0)}%`,
        `${fmt(median(rs.map((x) => x.loopP99)))} ms`,
      ];
      console.log(`\nmedian of ${runs} runs, ${clients} concurrent clients; CPU in % of one core (this machine has ${measured.timeline[0]?.cpu.cores ?? '?'})`);
      console.log(
        table([
          [
            'route',
            'req/s',
            'p50',
            'p99',
            'req/s per run',
            'server CPU',
            'server CPU/req',
            'postgres CPU/req',
            'loadgen CPU',
            'postgres CPU',
            'other CPU',
            'server loop p99',
          ],
          row('GET /healthz (baseline)', measured.healthz),
          row('GET /api/pupils/:id/artefacts?limit=20', measured.timeline),
        ]),
      );
      const perRequest = (name?: string) => median(measured.timeline.map((x) => cpuMsPerRequest(x, x.cpu, name)));
      const cpuTotal = perRequest('server') + perRequest() + perRequest('loadgen');
      const cores = measured.timeline[0]?.cpu.cores ?? 2;
      console.log(
        `\nCPU per timeline request: server ${fmt(perRequest('server'), 2)} ms + PostgreSQL ${fmt(perRequest(), 2)} ms + load generator ${fmt(perRequest('loadgen'), 2)} ms = ${fmt(cpuTotal, 2)} ms ` +
          `→ at most ~${fmt((cores * 1000) / cpuTotal, 0)} req/s on ${cores} cores even if nothing else ran (the server alone: ${fmt(1000 / perRequest('server'), 0)} req/s on its one JavaScript thread)`,
      );
      const busiest = Math.max(...[...measured.timeline, ...measured.healthz].map((x) => x.cpu.other));
      if (busiest > 25)
        console.log(`note: other processes used up to ${busiest.toFixed(0)}% of a core during the measurements; the figures include that interference`);
      const tl = rps(measured.timeline);
      const p99 = pct(measured.timeline, 99);
      const paired = measured.timeline.map(
        (x, i) => x.completed / x.seconds / ((measured.healthz[i]?.completed ?? NaN) / (measured.healthz[i]?.seconds ?? NaN)),
      );
      console.log(
        `\ntimeline ÷ baseline: ${fmt(tl / rps(measured.healthz), 3)}× the requests per second (per run: ${paired.map((x) => fmt(x, 3)).join(' / ')}), p99 ${fmt(p99 / pct(measured.healthz, 99))}×`,
      );
      console.log(`target ≥ 1,500 req/s with p99 < 50 ms: ${fmt(tl, 0)} req/s, p99 ${fmt(p99)} ms → ${tl >= 1500 && p99 < 50 ? 'met' : 'NOT met'}`);
      // Little's law for a closed loop: mean latency = clients ÷ throughput.
      console.log(
        `(with ${clients} clients that never pause, the mean latency is ${clients} ÷ req/s: p99 < 50 ms needs more than ${fmt((clients * 1000) / 50, 0)} req/s)`,
      );
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

/** CPU time per completed request of a process ('server'), or of PostgreSQL when no name is given. */
function cpuMsPerRequest(result: LoadResult, cpu: CpuReport, name?: string): number {
  const pct = name ? (cpu.processes[name] ?? NaN) : cpu.postgres;
  return ((pct / 100) * result.seconds * 1000) / result.completed;
}
