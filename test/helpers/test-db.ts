import { inject } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../server/db/database.ts';
import { migrate } from '../../server/db/migrate.ts';

/** Which database this run uses (see global-setup.ts). */
export const testDatabaseKind: 'postgres' | 'pglite' = inject('databaseUrl') ? 'postgres' : 'pglite';

/**
 * A migrated database for one test file: a pool on the run's PostgreSQL database, or an
 * in-memory PGlite. Tests isolate by data (each makes its own school), never by truncating.
 */
export async function openTestDatabase(): Promise<DatabaseHandle> {
  const url = inject('databaseUrl');
  const database = await openDatabase(url ? { kind: 'postgres', url, poolSize: 5 } : { kind: 'pglite', dir: null });
  await migrate(database.db);
  return database;
}
