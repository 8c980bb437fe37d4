import type { CompiledQuery, Kysely, PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';
import { DatabaseUnavailableError, queryError } from './connection-errors.ts';

/**
 * Named prepared statements for the few reads that run on (almost) every request: the session,
 * the actor, a pupil's and an artefact's policy facts, the artefacts page. PostgreSQL then parses
 * and plans each of them once per connection instead of on every call; for these json-aggregating
 * queries, planning was most of their cost (measured on the timeline benchmark's database:
 * PostgreSQL CPU for one timeline request's four queries 1.9 → 0.7 ms).
 *
 * Opt-in by SQL text: `executePrepared` registers the text, and the pool below sends a registered
 * text under its own name. Only fixed-shape queries that name their columns belong here (a prepared
 * statement whose result columns change under a migration fails until its connection is renewed).
 * The number of names is capped, so filter combinations cannot grow it without bound; past the cap
 * queries simply run unnamed. PGlite runs the same SQL plainly.
 */
const names = new Map<string, string>();
const MAX_NAMES = 200;

export async function executePrepared<DB, R>(db: Kysely<DB>, query: CompiledQuery<R>): Promise<R[]> {
  if (names.size < MAX_NAMES && !names.has(query.sql)) names.set(query.sql, `polku_${names.size + 1}`);
  const result = await db.executeQuery(query);
  return result.rows;
}

/** Kysely's view of the pg pool, sending registered statements by name. */
export function preparingPool(pool: pg.Pool): PostgresPool {
  // One wrapper per pg client, so that Kysely keeps one connection object per client too.
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  return {
    async connect() {
      const client = await pool.connect().catch((err: unknown) => {
        throw new DatabaseUnavailableError(err);
      });
      let wrapper = wrappers.get(client);
      if (!wrapper) {
        wrapper = new PreparingClient(client);
        wrappers.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
}

class PreparingClient implements PostgresPoolClient {
  constructor(private readonly client: pg.PoolClient) {}

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(sqlOrCursor: string | PostgresCursor<R>, parameters: ReadonlyArray<unknown> = []): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    // Kysely only passes cursors when configured with a cursor class, which we are not.
    if (typeof sqlOrCursor !== 'string') throw new Error('cursors are not configured');
    return this.run<R>(sqlOrCursor, [...parameters]);
  }

  private async run<R>(text: string, values: unknown[]): Promise<PostgresQueryResult<R>> {
    const name = names.get(text);
    const result = await this.client.query(name ? { name, text, values } : { text, values }).catch((err: unknown) => {
      throw queryError(this.client, err);
    });
    return { command: result.command as PostgresQueryResult<R>['command'], rowCount: result.rowCount ?? 0, rows: result.rows };
  }

  release(destroy?: boolean): void {
    this.client.release(destroy);
  }
}
