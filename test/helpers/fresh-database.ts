import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../server/db/database.ts';
import { migrate } from '../../server/db/migrate.ts';
import { openTestDatabase, testDatabaseKind } from './test-db.ts';

/**
 * A second, empty, migrated database for an import to land in: PGlite in memory, or a new PostgreSQL
 * database on the run's server (dropped again by `drop`).
 */
export async function freshDatabase(): Promise<{ handle: DatabaseHandle; url: string | null; drop(): Promise<void> }> {
  const runUrl = inject('databaseUrl');
  if (testDatabaseKind === 'pglite' || !runUrl) {
    const handle = await openTestDatabase();
    return { handle, url: null, drop: () => handle.close() };
  }
  const server = new URL(runUrl);
  server.pathname = '/postgres';
  const name = `polku_fresh_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server.toString() });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(runUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ kind: 'postgres', url: url.toString(), poolSize: 3 });
  await migrate(handle.db);
  return {
    handle,
    url: url.toString(),
    async drop() {
      // pg-pool's end() resolves before its clients' sockets are closed (see import-polku.test.ts).
      const pool = handle.pool;
      const closed = new Promise<void>((resolve) => {
        let open = pool?.totalCount ?? 0;
        if (open === 0) return resolve();
        pool?.on('remove', () => {
          open -= 1;
          if (open === 0) resolve();
        });
      });
      await handle.close();
      await closed;
      const client = new pg.Client({ connectionString: server.toString() });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}
