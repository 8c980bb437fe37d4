import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../server/db/database.ts';
import { migrate } from '../../server/db/migrate.ts';
import { makeUser } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';

/**
 * PostgreSQL connections dropping under load (pg_terminate_backend, a restart, a failover): the
 * process stays up, requests meanwhile get 503 with a clear message, /readyz says not ready while
 * the database refuses connections, and everything works again once it is back, with every write
 * that was confirmed still there. PostgreSQL only: PGlite has no connections to drop.
 */
const serverUrl = inject('databaseUrl');
const postgres = describe.runIf(serverUrl !== null);

let admin: pg.Client;
let database: DatabaseHandle;
let app: TestApp;
let dbName: string;

postgres('database outage', () => {
  beforeAll(async () => {
    // A database of its own: terminating backends must not disturb other test files.
    const url = new URL(serverUrl ?? '');
    dbName = `polku_outage_${randomBytes(5).toString('hex')}`;
    const root = new pg.Client({ connectionString: url.toString() });
    await root.connect();
    await root.query(`create database ${dbName}`);
    await root.end();
    url.pathname = `/${dbName}`;
    database = await openDatabase({ kind: 'postgres', url: url.toString(), poolSize: 5 });
    await migrate(database.db);
    // The operator's connection: from another database, since a database cannot refuse its own.
    admin = new pg.Client({ connectionString: serverUrl ?? '' });
    await admin.connect();
    app = await startTestApp({ database });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await database?.close();
    await admin?.query(`alter database ${dbName} with allow_connections true`).catch(() => {});
    await admin?.end();
    const root = new pg.Client({ connectionString: serverUrl ?? '' });
    await root.connect();
    await root.query(`drop database if exists ${dbName} with (force)`);
    await root.end();
  });

  const terminate = () => admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [dbName]);

  async function until(what: string, check: () => Promise<boolean>): Promise<void> {
    for (let i = 0; i < 200; i++) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`gave up waiting: ${what}`);
  }

  it('survives terminated connections under load, answers 503 meanwhile, and loses no confirmed write', { timeout: 120_000 }, async () => {
    const pupil = await makeUser(database.db, { role: 'pupil' });
    const client: TestClient = await app.as(pupil.username);
    const confirmed: string[] = [];
    const statuses: number[] = [];
    const badAnswers: string[] = [];
    let running = true;

    async function worker(n: number) {
      for (let i = 0; running; i++) {
        const res = await client.post<{ id: string }>('/api/artefacts', { title: `Kuorma ${n}.${i}` });
        statuses.push(res.status);
        if (res.status === 201) confirmed.push(res.body.id);
        else if (res.status === 503) {
          expect(res.body).toMatchObject({ error: { code: 'service_unavailable', message: expect.stringMatching(/database/) } });
          expect(res.headers.get('retry-after')).toBeTruthy();
        } else badAnswers.push(`${res.status} ${res.text.slice(0, 200)}`);
        const read = await client.get(`/api/pupils/${pupil.id}/artefacts`);
        statuses.push(read.status);
        if (read.status !== 200 && read.status !== 503) badAnswers.push(`read ${read.status} ${read.text.slice(0, 200)}`);
      }
    }
    const workers = [0, 1, 2, 3].map(worker);
    // Connections are cut while requests are in flight, several times.
    for (let round = 0; round < 6; round++) {
      await until('some requests between cuts', async () => statuses.length >= (round + 1) * 8);
      await terminate();
    }
    await until('requests after the last cut', async () => statuses.length >= 60);
    running = false;
    await Promise.all(workers);
    expect(badAnswers).toEqual([]);

    // The database refuses connections altogether: not ready, and requests get 503, not 500.
    await admin.query(`alter database ${dbName} with allow_connections false`);
    await terminate();
    const ready = await app.client().get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'not_ready', checks: { database: 'failing' } });
    const during = await client.post('/api/artefacts', { title: 'Katkon aikana' });
    expect(during.status).toBe(503);
    expect(during.body).toMatchObject({ error: { code: 'service_unavailable' } });

    // Back again: the server recovers by itself.
    await admin.query(`alter database ${dbName} with allow_connections true`);
    await until('ready again', async () => (await app.client().get('/readyz')).status === 200);
    const after = await client.post<{ id: string }>('/api/artefacts', { title: 'Katkon jälkeen' });
    expect(after.status).toBe(201);
    confirmed.push(after.body.id);

    // Every write that was confirmed is there.
    expect(confirmed.length).toBeGreaterThan(10);
    const stored = await database.db.selectFrom('artefacts').select('id').where('ownerId', '=', pupil.id).execute();
    const ids = new Set(stored.map((r) => r.id));
    expect(confirmed.filter((id) => !ids.has(id))).toEqual([]);
  });
});
