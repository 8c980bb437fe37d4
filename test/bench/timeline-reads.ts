/**
 * Timeline reads: requests per second and latency of the first timeline page (`?limit=20`) in three
 * views: a pupil's own timeline, a class teacher's view of one of their pupils, and a guardian's
 * view of their child (only what was shared with guardians), each with CLIENTS (32) concurrent
 * keep-alive clients, each a different pupil (and that pupil's teacher or guardian).
 *
 * Baseline in the same run, measured the same way on the same pupils: the bare server
 * (support/bare-timeline.ts), a `node:http` server with a `pg` pool of the same size that runs the
 * same SQL for the same viewer and scope and writes the same JSON, without Express, session,
 * policy or schema. Before measuring, the script checks that both answer the same page for each
 * view. The ratio Polku ÷ bare is Polku's per-request overhead made visible; it moves much less
 * with the machine's other load than either figure alone. Target: Polku ≥ 0.75 × bare's req/s with
 * Polku's p99 < 50 ms, in each view.
 *
 * Data (set-based SQL): one school, PUPILS (10,000) pupils in groups of 25, each group with its own
 * class teacher and one project, a guardian per pupil, 100 artefacts per pupil over three years
 * (titles, ~200-byte bodies, subjects, competences; a fifth are photos with a media_items row; a
 * quarter shared with guardians; a third are ready for feedback, most of those with teacher
 * feedback and some with the pupil's reply and a read mark), a session per user; then VACUUM
 * ANALYZE. The server (`node --import tsx server/main.ts`, LOG_LEVEL=warn, default
 * DATABASE_POOL_SIZE unless set), the bare server and the load generator (support/loadgen.ts, plain
 * TCP sockets) are separate processes.
 *
 * Each of RUNS rounds measures every view on both servers, Polku and bare alternating first, with
 * the views in a rotating order: WARMUP_S seconds unrecorded, then DURATION_S seconds recorded; a
 * new random set of pupils per round, the same for both servers. Medians over the rounds.
 *
 * Run: npm run bench:timeline   (RUNS=3 DURATION_S=10 WARMUP_S=3 CLIENTS=32 PUPILS=10000 VIEWS=own,teacher,guardian;
 *      BENCH_QUICK=1: PUPILS=2000 DURATION_S=4 WARMUP_S=2, under 3 minutes;
 *      BENCH_KEEP_DB=1 keeps the seeded database, BENCH_REUSE_DB=<name> reuses it)
 */
import { installCleanupHandlers, runCleanups } from './support/cleanup.ts';
import { isDeepStrictEqual } from 'node:util';
import { startBareTimeline } from './support/bare-timeline.ts';
import { createBenchDatabase, seedPeople, seedSessions, sessionCookie } from './support/db.ts';
import { getRequest, runClosedLoop, type LoadResult } from './support/loadgen.ts';
import { ask, cpuMeter, formatCpu, spawnNode, TSX, type CpuReport } from './support/proc.ts';
import { startPolku } from './support/server.ts';
import { fmt, median, percentile, table } from './support/stats.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const PUPILS = Number(process.env.PUPILS ?? (QUICK ? 2000 : 10_000));
const ARTEFACTS_PER_PUPIL = 100;

type View = 'own' | 'teacher' | 'guardian';
type Target = 'polku' | 'bare' | 'compare';
const VIEWS: readonly View[] = ['own', 'teacher', 'guardian'];
const VIEW_NAMES: Record<View, string> = {
  own: "pupil's own timeline",
  teacher: "class teacher's view of a pupil",
  guardian: "guardian's view (shared only)",
};
interface Pupil {
  id: string;
  teacherId: string;
  guardianId: string;
}
type Measured = LoadResult & { cpu: CpuReport; loopP99: number };

const viewerOf = (view: View, p: Pupil) => (view === 'own' ? p.id : view === 'teacher' ? p.teacherId : p.guardianId);
const scopeOf = (view: View) => (view === 'guardian' ? ('shared' as const) : ('all' as const));

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
  // Each group's class teacher (the teacher view), and a guardian per pupil (the guardian view).
  await step(
    'class teachers',
    `insert into users (username, display_name) select 'bench.classteacher.' || substring(name from 7), 'Luokanopettaja ' || name from groups where school_id = $1`,
    [schoolId],
  );
  await client.query(`insert into school_roles (school_id, user_id, role) select $1, id, 'teacher' from users where username like 'bench.classteacher.%'`, [
    schoolId,
  ]);
  await client.query(
    `insert into memberships (group_id, user_id, role)
     select g.id, u.id, 'teacher' from groups g join users u on u.username = 'bench.classteacher.' || substring(g.name from 7) where g.school_id = $1`,
    [schoolId],
  );
  await step(
    'guardians',
    `insert into users (username, display_name) select 'bench.guardian.' || substring(username from 13), 'Huoltaja ' || display_name from users where username like 'bench.pupil.%'`,
  );
  await client.query(`insert into school_roles (school_id, user_id, role) select $1, id, 'guardian' from users where username like 'bench.guardian.%'`, [
    schoolId,
  ]);
  await client.query(
    `insert into guardian_links (guardian_id, pupil_id)
     select g.id, p.id from users g join users p on p.username = 'bench.pupil.' || substring(g.username from 16) where g.username like 'bench.guardian.%'`,
  );
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
  const durationMs = Number(process.env.DURATION_S ?? (QUICK ? 4 : 10)) * 1000;
  const warmupMs = Number(process.env.WARMUP_S ?? (QUICK ? 2 : 3)) * 1000;
  const clients = Number(process.env.CLIENTS ?? 32);
  const poolSize = Number(process.env.DATABASE_POOL_SIZE || 10);
  const views = VIEWS.filter((v) => !process.env.VIEWS || process.env.VIEWS.split(',').includes(v));
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
    // Each pupil with the class teacher of their group and their guardian.
    const pupilRows = await client.query<Pupil>(
      `select p.id, t.id as "teacherId", gl.guardian_id as "guardianId"
       from users p
       join memberships pm on pm.user_id = p.id and pm.role = 'pupil'
       join memberships tm on tm.group_id = pm.group_id and tm.role = 'teacher'
       join users t on t.id = tm.user_id and t.username like 'bench.classteacher.%'
       join guardian_links gl on gl.pupil_id = p.id
       where p.username like 'bench.pupil.%'`,
    );
    const pupils = pupilRows.rows;
    const c = counts.rows[0];
    const seedSize = `${c?.pupils} pupils, ${c?.artefacts} artefacts, ${c?.media} media items, ${c?.feedback} feedback`;
    console.log(`\ndatabase ${db.name}: ${seedSize}`);
    if (pupils.length < clients) throw new Error(`${pupils.length} pupils with a class teacher and a guardian, fewer than ${clients} clients`);

    const server = await startPolku({ databaseUrl: db.url, label: 'server' });
    const bare = await startBareTimeline({ databaseUrl: db.url, poolSize, label: 'bare' });
    // BENCH_COMPARE_DIR: a second Polku from another checkout (e.g. the commit before a change), measured in the same rounds.
    const compareDir = process.env.BENCH_COMPARE_DIR;
    const compare = compareDir ? await startPolku({ databaseUrl: db.url, label: 'compare', dir: compareDir }) : null;
    const loadgen = spawnNode([...TSX, import.meta.filename, '--loadgen'], { ipc: true, label: 'loadgen' });
    const requestsFor = (target: Target, view: View, chosen: readonly Pupil[]) =>
      chosen.map((p) =>
        target === 'bare'
          ? { path: bare.pathFor(p.id, viewerOf(view, p), scopeOf(view)) }
          : { path: `/api/pupils/${p.id}/artefacts?limit=20`, cookie: sessionCookie(viewerOf(view, p)) },
      );
    try {
      // Both must answer the same full page (20 artefacts and a cursor) in every view, and the same second page.
      for (const view of views) {
        const p = pupils[0] as Pupil;
        const get = async (url: string, cookie?: string, first = true) => {
          const res = await fetch(url, { headers: cookie ? { cookie } : {} });
          const body = (await res.json()) as { items?: unknown[]; nextCursor?: string | null };
          if (res.status !== 200 || (first && (body.items?.length !== 20 || !body.nextCursor)))
            throw new Error(`${url} did not answer with a full page: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
          return body;
        };
        const polkuPage = await get(`${server.url}/api/pupils/${p.id}/artefacts?limit=20`, sessionCookie(viewerOf(view, p)));
        const barePage = await get(`${bare.url}${bare.pathFor(p.id, viewerOf(view, p), scopeOf(view))}`);
        const polkuNext = await get(
          `${server.url}/api/pupils/${p.id}/artefacts?limit=20&cursor=${polkuPage.nextCursor}`,
          sessionCookie(viewerOf(view, p)),
          false,
        );
        const bareNext = await get(`${bare.url}${bare.pathFor(p.id, viewerOf(view, p), scopeOf(view))}&cursor=${barePage.nextCursor}`, undefined, false);
        if (!isDeepStrictEqual(polkuPage, barePage) || !isDeepStrictEqual(polkuNext, bareNext))
          throw new Error(
            `Polku and the bare server answer different pages for the ${view} view:\n${JSON.stringify(polkuPage.items?.[0])}\n${JSON.stringify(barePage.items?.[0])}`,
          );
      }

      console.log(
        `\ntimeline reads, node ${process.version}: ${clients} keep-alive connections (closed loop), ${warmupMs / 1000} s warm-up + ${durationMs / 1000} s measured per view and server, ` +
          `${runs} rounds; DATABASE_POOL_SIZE=${process.env.DATABASE_POOL_SIZE || '10 (default)'} for both`,
      );
      const measured = Object.fromEntries(views.map((v) => [v, { polku: [] as Measured[], bare: [] as Measured[], compare: [] as Measured[] }])) as Record<
        View,
        Record<Target, Measured[]>
      >;
      for (let r = 0; r < runs; r++) {
        const chosen = [...pupils].sort(() => Math.random() - 0.5).slice(0, clients);
        const rotated = views.map((_, i) => views[(i + r) % views.length] as View);
        for (const [i, view] of rotated.entries()) {
          const order: Target[] = (r + i) % 2 === 0 ? ['polku', 'bare'] : ['bare', 'polku'];
          if (compare) order.splice(1, 0, 'compare');
          for (const target of order) {
            const port = target === 'polku' ? server.port : target === 'bare' ? bare.port : (compare?.port ?? 0);
            const requests = requestsFor(target, view, chosen);
            // CPU and event-loop delay are measured from the end of the warm-up, with the requests.
            const pids = { server: server.pid, bare: bare.pid, loadgen: loadgen.pid, ...(compare ? { compare: compare.pid } : {}) };
            let stopMeter = cpuMeter(pids, db.name);
            const afterWarmup = setTimeout(() => {
              server.resetLoop();
              stopMeter = cpuMeter(pids, db.name);
            }, warmupMs);
            const result = (
              await ask<{ result: LoadResult }>(loadgen, { type: 'run', port, requests, warmupMs, durationMs } satisfies RunMessage, 'result', {
                label: 'the load generator',
              })
            ).result;
            clearTimeout(afterWarmup);
            const cpu = stopMeter();
            const loop = target === 'polku' ? await server.loopStats() : { p99: NaN };
            measured[view][target].push({ ...result, cpu, loopP99: loop.p99 });
            const bad = Object.entries({ ...result.errors, ...Object.fromEntries(Object.entries(result.statuses).filter(([s]) => s !== '200')) });
            const proc = target === 'polku' ? 'server' : target;
            console.log(
              `  round ${r + 1} ${view.padEnd(8)} ${target.padEnd(5)} ${fmt(result.completed / result.seconds, 0).padStart(6)} req/s  p50 ${fmt(percentile(result.latencies, 50))} ms  p99 ${fmt(percentile(result.latencies, 99))} ms  ` +
                `${(result.meanBytes / 1024).toFixed(1)} KiB, CPU/request ${target} ${fmt(cpuMsPerRequest(result, cpu, proc), 2)} ms, postgres ${fmt(cpuMsPerRequest(result, cpu), 2)} ms; ` +
                `${formatCpu(cpu)}${bad.length ? `  NOT 200: ${bad.map(([k, v]) => `${v}× ${k}`).join(', ')}` : ''}`,
            );
          }
        }
      }

      const rps = (x: LoadResult) => x.completed / x.seconds;
      const med = (rs: Measured[], f: (x: Measured) => number) => median(rs.map(f));
      console.log(
        `\nmedians of ${runs} rounds, ${clients} concurrent clients, ${seedSize}; CPU per request in ms (this machine has ${measured[views[0] as View].polku[0]?.cpu.cores ?? '?'} cores)`,
      );
      const rows: string[][] = [];
      const verdicts: string[] = [];
      const comparisons: string[] = [];
      for (const view of views) {
        const { polku, bare: b } = measured[view];
        const ratios = polku.map((x, i) => rps(x) / rps(b[i] as Measured));
        const ratio = median(ratios);
        const p99 = med(polku, (x) => percentile(x.latencies, 99));
        rows.push([
          VIEW_NAMES[view],
          fmt(med(polku, rps), 0),
          fmt(med(b, rps), 0),
          `${fmt(ratio, 3)} (${ratios.map((x) => fmt(x, 2)).join(' / ')})`,
          `${fmt(p99)} ms`,
          `${fmt(med(b, (x) => percentile(x.latencies, 99)))} ms`,
          fmt(
            med(polku, (x) => cpuMsPerRequest(x, x.cpu, 'server')),
            2,
          ),
          fmt(
            med(b, (x) => cpuMsPerRequest(x, x.cpu, 'bare')),
            2,
          ),
          `${fmt(
            med(polku, (x) => cpuMsPerRequest(x, x.cpu)),
            2,
          )} / ${fmt(
            med(b, (x) => cpuMsPerRequest(x, x.cpu)),
            2,
          )}`,
          `${med([...polku, ...b], (x) => x.cpu.other).toFixed(0)}%`,
          `${fmt(med(polku, (x) => x.loopP99))} ms`,
        ]);
        verdicts.push(`${VIEW_NAMES[view]}: ${fmt(ratio, 3)}× bare, p99 ${fmt(p99)} ms → ${ratio >= 0.75 && p99 < 50 ? 'met' : 'NOT met'}`);
        const cmp = measured[view].compare;
        if (cmp.length > 0) {
          const cmpRatios = cmp.map((x, i) => rps(x) / rps(b[i] as Measured));
          const vsCompare = polku.map((x, i) => rps(x) / rps(cmp[i] as Measured));
          comparisons.push(
            `${VIEW_NAMES[view]}: compare ${fmt(med(cmp, rps), 0)} req/s, ${fmt(median(cmpRatios), 3)}× bare (${cmpRatios.map((x) => fmt(x, 2)).join(' / ')}), ` +
              `CPU/req ${fmt(
                med(cmp, (x) => cpuMsPerRequest(x, x.cpu, 'compare')),
                2,
              )} ms; this checkout ÷ compare ${fmt(median(vsCompare), 3)}× (${vsCompare.map((x) => fmt(x, 2)).join(' / ')})`,
          );
        }
      }
      console.log(
        table([
          [
            'view',
            'Polku req/s',
            'bare req/s',
            'Polku ÷ bare (per round)',
            'Polku p99',
            'bare p99',
            'Polku CPU/req',
            'bare CPU/req',
            'postgres CPU/req P / b',
            'other CPU',
            'Polku loop p99',
          ],
          ...rows,
        ]),
      );
      const busiest = Math.max(...views.flatMap((v) => [...measured[v].polku, ...measured[v].bare].map((x) => x.cpu.other)));
      if (busiest > 25)
        console.log(
          `note: other processes used up to ${busiest.toFixed(0)}% of a core during the measurements; the req/s include that interference, the ratios less so`,
        );
      console.log(`\ntarget: Polku ≥ 0.75 × bare req/s with p99 < 50 ms at ${clients} clients`);
      for (const v of verdicts) console.log(`  ${v}`);
      if (comparisons.length > 0) console.log(`\nBENCH_COMPARE_DIR=${compareDir}:\n${comparisons.map((c) => `  ${c}`).join('\n')}`);
      // Little's law for a closed loop: mean latency = clients ÷ throughput.
      console.log(
        `(with ${clients} clients that never pause, the mean latency is ${clients} ÷ req/s: a mean under 50 ms needs more than ${fmt((clients * 1000) / 50, 0)} req/s)`,
      );
    } catch (err) {
      console.error(`${server.output()}\n${bare.output()}\n${compare?.output() ?? ''}\n${loadgen.output()}`);
      throw err;
    } finally {
      await loadgen.stop(5000);
      await bare.stop();
      await compare?.stop();
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
