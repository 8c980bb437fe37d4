import type { CompiledQuery, Kysely, PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';
import { DatabaseUnavailableError, queryError } from './connection-errors.ts';

/**
 * Named prepared statements for the few reads that run on (almost) every request: the session with
 * its user, a pupil's and an artefact's policy facts, the artefacts page. PostgreSQL then parses
 * and plans each of them once per connection instead of on every call; for these json-aggregating
 * queries, planning was most of their cost (measured on the timeline benchmark's database:
 * PostgreSQL CPU for one timeline request's then four queries 1.9 → 0.7 ms; they are two now).
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

/**
 * A query's compiled form, kept per database object and `key`, with the positions where the call's
 * values go. For the reads on every request, building a Kysely tree and compiling it cost the server
 * more CPU than running it (measured on bench:timeline); the SQL text never changes, only the values.
 */
interface Template {
  readonly query: CompiledQuery;
  /** For each parameter of `query`: the index of the call's value that goes there, or -1 (a constant). */
  readonly slots: readonly number[];
}
const templates = new WeakMap<object, Map<string, Template>>();
const PLACEHOLDER = '\u0000polku-value-';

/**
 * Runs a read as a prepared statement (see `executePrepared`) and builds and compiles it only on the
 * first call for this database object and `key`. `build` receives one placeholder per value and must
 * pass each one to the query unchanged as a value (`where(col, '=', v)`, `${v}` in `sql`); this is
 * checked when it is compiled (a placeholder that ends up in the SQL text or is missing throws), so a
 * value can never be silently dropped from a filter. `key` names the query's shape: a query whose
 * text depends on its inputs (optional filters) needs one key per shape.
 */
export async function executeCompiled<DB, R, const V extends readonly unknown[]>(
  db: Kysely<DB>,
  key: string,
  values: V,
  build: (placeholders: { readonly [K in keyof V]: V[K] }) => CompiledQuery<R>,
): Promise<R[]> {
  let byKey = templates.get(db);
  if (!byKey) templates.set(db, (byKey = new Map()));
  let template = byKey.get(key);
  if (!template) {
    const placeholders = values.map((_, i) => `${PLACEHOLDER}${i}\u0000`);
    const query = build(placeholders as unknown as { readonly [K in keyof V]: V[K] });
    if (query.sql.includes(PLACEHOLDER)) throw new Error(`${key}: a value was written into the SQL text instead of being a parameter`);
    const slots = query.parameters.map((p) => (typeof p === 'string' && p.startsWith(PLACEHOLDER) ? placeholders.indexOf(p) : -1));
    placeholders.forEach((_, i) => {
      if (!slots.includes(i)) throw new Error(`${key}: value ${i} is not a parameter of the query`);
    });
    template = { query, slots };
    byKey.set(key, template);
  }
  const { query, slots } = template;
  const parameters = query.parameters.map((p, i) => {
    const slot = slots[i] ?? -1;
    return slot >= 0 ? values[slot] : p;
  });
  return executePrepared(db, { ...query, parameters } as CompiledQuery<R>);
}
