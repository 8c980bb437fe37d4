import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../server/db/database.ts';
import { migrate } from '../../server/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A fresh, migrated-on-first-use PostgreSQL database for this run, or null to use PGlite. */
    databaseUrl: string | null;
  }
}

const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Picks the database for the run: POLKU_TEST_DB=postgres|pglite forces one; otherwise PostgreSQL
 * when a server answers at TEST_DATABASE_URL (default 127.0.0.1:5432), else PGlite.
 * For PostgreSQL a throwaway database is created for the run and dropped afterwards.
 */
export default async function setup(project: TestProject) {
  const wanted = process.env.POLKU_TEST_DB ?? 'auto';
  const serverUrl = process.env.TEST_DATABASE_URL ?? DEFAULT_SERVER;
  if (wanted === 'pglite') {
    project.provide('databaseUrl', null);
    console.log('[polku tests] database: PGlite (in memory, one per test file)');
    return;
  }
  const admin = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (err) {
    if (wanted === 'postgres') throw new Error(`POLKU_TEST_DB=postgres but no PostgreSQL answers at ${serverUrl}: ${String(err)}`);
    project.provide('databaseUrl', null);
    console.log(`[polku tests] database: PGlite (no PostgreSQL at ${serverUrl})`);
    return;
  }
  const name = `polku_test_${randomBytes(6).toString('hex')}`;
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  // Migrate once here, so that test files do not all race to do it.
  const database = await openDatabase({ kind: 'postgres', url: url.toString(), poolSize: 1 });
  await migrate(database.db);
  await database.close();
  project.provide('databaseUrl', url.toString());
  console.log(`[polku tests] database: PostgreSQL ${url.host}/${name}`);

  return async () => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    await client.query(`drop database if exists ${name} with (force)`);
    await client.end();
  };
}
