import { createAdapter as createPostgresAdapter } from '@socket.io/postgres-adapter';
import { createAdapter as createRedisAdapter } from '@socket.io/redis-adapter';
import type { Logger } from 'pino';
import { createClient } from 'redis';
import type { Config } from '../config.ts';
import type { DatabaseHandle } from '../db/database.ts';
import type { RealtimeServer } from './socket-server.ts';

/**
 * Lets events reach sockets on every server process: through PostgreSQL LISTEN/NOTIFY or Redis pub/sub.
 * Channels carry the deployment's prefix, so that two deployments on one Redis or database stay apart.
 * Returns a function that closes the adapter's own connections.
 */
export async function attachRealtimeAdapter(
  io: RealtimeServer,
  adapter: Config['realtimeAdapter'],
  channelPrefix: string,
  database: DatabaseHandle,
  logger: Logger,
): Promise<() => Promise<void>> {
  if (adapter.kind === 'postgres') {
    if (!database.pool) throw new Error('REALTIME_ADAPTER=postgres needs DATABASE_URL (a PostgreSQL server)');
    io.adapter(createPostgresAdapter(database.pool, { channelPrefix, errorHandler: (err) => logger.error({ err }, 'postgres adapter') }));
    return async () => undefined;
  }
  if (adapter.kind === 'redis') {
    const pub = createClient({ url: adapter.url });
    const sub = pub.duplicate();
    pub.on('error', (err: unknown) => logger.error({ err }, 'redis adapter (pub)'));
    sub.on('error', (err: unknown) => logger.error({ err }, 'redis adapter (sub)'));
    await Promise.all([pub.connect(), sub.connect()]);
    io.adapter(createRedisAdapter(pub, sub, { key: channelPrefix }));
    return async () => {
      await Promise.allSettled([pub.quit(), sub.quit()]);
    };
  }
  return async () => undefined;
}
