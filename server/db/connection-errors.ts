import type pg from 'pg';

/**
 * The database is away (restarting, failed over, connection cut): requests answer 503 and the pool
 * reconnects by itself. Thrown for failures that carry no SQLSTATE of their own: a connection that
 * could not be made, or a query on a connection that broke under it.
 */
export class DatabaseUnavailableError extends Error {
  readonly code = 'POLKU_DB_UNAVAILABLE';
  constructor(cause: unknown) {
    super('The database is not reachable.', { cause });
    this.name = 'DatabaseUnavailableError';
  }
}

/** pg clients that reported a connection error; they are destroyed on release, never reused. */
const broken = new WeakSet<pg.ClientBase>();

export function markBroken(client: pg.ClientBase): void {
  broken.add(client);
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** The error to throw for a failed query: a code-less failure on a broken connection becomes DatabaseUnavailableError. */
export function queryError(client: pg.ClientBase, err: unknown): unknown {
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  if (typeof code === 'string' && SQLSTATE.test(code)) return err;
  return broken.has(client) ? new DatabaseUnavailableError(err) : err;
}
