import { mkdir } from 'node:fs/promises';
import { CamelCasePlugin, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Config } from '../config.ts';
import { markBroken } from './connection-errors.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import { preparingPool } from './prepared.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

// A request waits at most this long for a connection while the database is away, then gets a 503.
const CONNECT_TIMEOUT_MS = 5000;

export interface DatabaseHandle {
  readonly db: Db;
  readonly kind: 'pglite' | 'postgres';
  /** The pg pool (PostgreSQL only), for the Socket.IO adapter. */
  readonly pool: pg.Pool | null;
  ping(): Promise<void>;
  close(): Promise<void>;
}

// int8 (count(*), sums) as numbers: our counts stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
// Calendar dates stay 'YYYY-MM-DD' strings: a Date would shift them by the server's time zone.
const DATE_OID = 1082;
pg.types.setTypeParser(DATE_OID, (v) => v);

/** Told about connection errors (a dropped or terminated connection); the pool replaces the connection itself. */
export type ConnectionErrorListener = (err: Error) => void;

export async function openDatabase(options: Config['database'], onConnectionError: ConnectionErrorListener = () => {}): Promise<DatabaseHandle> {
  const plugins = [new CamelCasePlugin()];
  if (options.kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    // Without these, one dropped connection (a restart, a failover, pg_terminate_backend) is an
    // unhandled 'error' event that ends the process: idle clients report to the pool, checked-out
    // ones to themselves (pg-pool listens only while a client is idle).
    pool.on('error', (err) => onConnectionError(err));
    pool.on('connect', (client) => {
      client.on('error', (err) => {
        markBroken(client);
        onConnectionError(err);
      });
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparingPool(pool) }), plugins });
    return handle(db, 'postgres', pool);
  }
  if (options.dir) await mkdir(options.dir, { recursive: true });
  // One process per embedded database (see data-dir-lock.ts): throws DataDirLocked saying what to do.
  if (options.dir) await lockDataDir(options.dir);
  // Loaded only here: PGlite's module alone adds ~30 MB to every process that uses PostgreSQL.
  const { PGlite } = await import('@electric-sql/pglite');
  const pglite = await PGlite.create(options.dir ?? undefined, {
    parsers: { [DATE_OID]: (v: string) => v, [pg.types.builtins.INT8]: (v: string) => Number(v) },
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite), plugins });
  return handle(db, 'pglite', null);
}

function handle(db: Db, kind: 'pglite' | 'postgres', pool: pg.Pool | null): DatabaseHandle {
  let closed = false;
  return {
    db,
    kind,
    pool,
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}
