import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
// Any constant: several processes starting at once must not migrate twice.
const MIGRATION_LOCK = 72_0_4_1;

/** Applies the checked-in SQL migrations that have not run yet, each in its own transaction. */
export async function migrate(db: Kysely<Database>): Promise<string[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
  const applied: string[] = [];
  for (const file of files) {
    const version = file.replace(/\.sql$/, '');
    const text = await readFile(path.join(MIGRATIONS_DIR, file), 'utf8');
    const ran = await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(trx);
      await sql`create table if not exists schema_migrations (
        version text primary key,
        applied_at timestamptz not null default now()
      )`.execute(trx);
      const done = await trx.selectFrom('schemaMigrations').select('version').where('version', '=', version).executeTakeFirst();
      if (done) return false;
      await sql.raw(text).execute(trx);
      await trx.insertInto('schemaMigrations').values({ version }).execute();
      return true;
    });
    if (ran) applied.push(version);
  }
  return applied;
}
