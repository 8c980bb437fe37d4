/**
 * A throwaway PostgreSQL database per benchmark run (`polku_bench_<random>`), dropped at the end
 * however the run ends; and the seeding every benchmark shares: a school, groups, a teacher,
 * pupils, and signed-in sessions whose cookies are signed as express-session signs them.
 */
import { randomBytes } from 'node:crypto';
import { sign } from 'cookie-signature';
import pg from 'pg';
import { onCleanup } from './cleanup.ts';

/** The server to create benchmark databases on. Only a loopback address is accepted. */
export const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** Fixed, 48 characters: cookies are signed with it by the benchmark and verified by the server. */
export const BENCH_SESSION_SECRET = 'polku-bench-session-secret-0123456789abcdefghijk';
export const SESSION_COOKIE = 'polku.sid';

function assertLoopback(url: string): void {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '[::1]', '::1'].includes(host)) throw new Error(`benchmarks only use a database on this machine, not ${host}`);
}

export interface BenchDatabase {
  readonly name: string;
  readonly url: string;
  /** A client on the bench database (closed by drop()). */
  client(): Promise<pg.Client>;
  drop(): Promise<void>;
}

/**
 * Creates `polku_bench_<random>`, or with `BENCH_REUSE_DB=<name>` uses an existing one (and keeps
 * it); `BENCH_KEEP_DB=1` keeps a created one for the next run (its name is printed).
 */
export async function createBenchDatabase(): Promise<BenchDatabase & { reused: boolean }> {
  assertLoopback(ADMIN_URL);
  const reuse = process.env.BENCH_REUSE_DB;
  const keep = reuse !== undefined || process.env.BENCH_KEEP_DB === '1';
  const name = reuse ?? `polku_bench_${randomBytes(5).toString('hex')}`;
  if (!/^polku_bench_[a-z0-9_]+$/.test(name)) throw new Error(`not a benchmark database name: ${name}`);
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(`no PostgreSQL answers at ${ADMIN_URL} (set BENCH_DATABASE_URL): ${String(err)}`);
  }
  if (!reuse) await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const clients: pg.Client[] = [];
  let dropped = false;
  const db = {
    name,
    url: url.toString(),
    reused: reuse !== undefined,
    async client() {
      const c = new pg.Client({ connectionString: url.toString() });
      await c.connect();
      clients.push(c);
      return c;
    },
    async drop() {
      if (dropped) return;
      dropped = true;
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
      if (keep) {
        console.log(`kept database ${name} (BENCH_REUSE_DB=${name} to use it again; drop it with: psql -h 127.0.0.1 -U postgres -c 'drop database ${name}')`);
        return;
      }
      const a = new pg.Client({ connectionString: ADMIN_URL });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
  onCleanup(`drop database ${name}`, () => db.drop());
  return db;
}

/** The session id the benchmark gives a user: deterministic, so SQL and JavaScript agree on it. */
export const benchSid = (userId: string) => `bench${userId.replaceAll('-', '')}`;

/** The Cookie header value express-session accepts for that session: `polku.sid=s%3A<sid>.<hmac>`. */
export function sessionCookie(userId: string, secret = BENCH_SESSION_SECRET): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(`s:${sign(benchSid(userId), secret)}`)}`;
}

/**
 * Signed-in sessions for users, as express-session + passport store them after a sign-in:
 * `{ cookie: {...}, passport: { user: <id> } }`, expiring in 12 hours.
 */
export async function seedSessions(client: pg.Client, userIdsSql: string): Promise<void> {
  await client.query(`
    insert into sessions (sid, user_id, data, expires_at)
    select 'bench' || replace(u.id::text, '-', ''), u.id,
      jsonb_build_object(
        'cookie', jsonb_build_object(
          'originalMaxAge', 43200000,
          'expires', to_char((now() + interval '12 hours') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
          'secure', false, 'httpOnly', true, 'path', '/', 'sameSite', 'lax'),
        'passport', jsonb_build_object('user', u.id)),
      now() + interval '12 hours'
    from users u where u.id in (${userIdsSql})
    on conflict (sid) do nothing`);
}

export interface People {
  schoolId: string;
  teacherId: string;
  /** In creation order: pupil i is `bench.pupil.<i>`. */
  pupilIds: string[];
  groupIds: string[];
}

/**
 * One school; pupils in groups of `groupSize` (a Finnish class is about 20–25); one teacher who
 * teaches every group (so one teacher can give feedback to any pupil). Set-based SQL.
 */
export async function seedPeople(client: pg.Client, options: { pupils: number; groupSize: number }): Promise<People> {
  const { pupils, groupSize } = options;
  const groups = Math.ceil(pupils / groupSize);
  await client.query('begin');
  const school = await client.query<{ id: string }>(`insert into schools (name) values ('Benchmarkin koulu') returning id`);
  const schoolId = school.rows[0]?.id ?? '';
  const teacher = await client.query<{ id: string }>(`insert into users (username, display_name) values ('bench.teacher', 'Opettaja Virtanen') returning id`);
  const teacherId = teacher.rows[0]?.id ?? '';
  await client.query(`insert into school_roles (school_id, user_id, role) values ($1, $2, 'teacher')`, [schoolId, teacherId]);
  await client.query(`insert into groups (school_id, name, school_year) select $1, 'Ryhmä ' || g, '2026-2027' from generate_series(1, $2::int) g`, [
    schoolId,
    groups,
  ]);
  await client.query(
    `insert into users (username, display_name)
     select 'bench.pupil.' || i,
       (array['Aino','Eino','Helmi','Onni','Lilja','Väinö','Aada','Leo','Ella','Eetu','Venla','Niilo'])[1 + i % 12] || ' ' ||
       (array['Korhonen','Virtanen','Mäkinen','Nieminen','Mäkelä','Hämäläinen','Laine','Heikkinen','Koskinen','Järvinen'])[1 + (i / 12) % 10]
     from generate_series(1, $1::int) i`,
    [pupils],
  );
  await client.query(`insert into school_roles (school_id, user_id, role) select $1, id, 'pupil' from users where username like 'bench.pupil.%'`, [schoolId]);
  // Pupil i goes to group ceil(i / groupSize), by the number in the username.
  await client.query(
    `insert into memberships (group_id, user_id, role)
     select g.id, u.id, 'pupil'
     from users u
     join groups g on g.school_id = $1 and g.name = 'Ryhmä ' || ((substring(u.username from 13)::int - 1) / $2::int + 1)
     where u.username like 'bench.pupil.%'`,
    [schoolId, groupSize],
  );
  await client.query(`insert into memberships (group_id, user_id, role) select id, $2, 'teacher' from groups where school_id = $1`, [schoolId, teacherId]);
  await client.query('commit');
  const pupilRows = await client.query<{ id: string }>(`select id from users where username like 'bench.pupil.%' order by substring(username from 13)::int`);
  const groupRows = await client.query<{ id: string }>(`select id from groups where school_id = $1 order by substring(name from 7)::int`, [schoolId]);
  return { schoolId, teacherId, pupilIds: pupilRows.rows.map((r) => r.id), groupIds: groupRows.rows.map((r) => r.id) };
}
