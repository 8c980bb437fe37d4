import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { loadConfig, type Config } from '../../server/config.ts';
import type { DatabaseHandle } from '../../server/db/database.ts';
import type { LoginLimits } from '../../server/modules/auth/login-limiter.ts';
import type { AttemptLimits } from '../../server/modules/invitations/attempt-limiter.ts';
import type { ShareLinkLimits } from '../../server/modules/share-links/share-page.service.ts';
import { startPolku, type Polku } from '../../server/server.ts';
import type { BlobStore } from '../../server/storage/blob-store.ts';
import { freePort } from './free-port.ts';
import { TestClient } from './test-client.ts';
import { openTestDatabase } from './test-db.ts';

export interface TestApp {
  readonly polku: Polku;
  readonly config: Config;
  readonly url: string;
  readonly database: DatabaseHandle;
  /** A new signed-out client (like a fresh browser). */
  client(): TestClient;
  /** A client signed in as this user. */
  as(username: string, password?: string): Promise<TestClient>;
  close(): Promise<void>;
}

export { freePort };

export interface TestAppOptions {
  env?: Record<string, string>;
  database?: DatabaseHandle;
  blobs?: BlobStore;
  loginLimits?: LoginLimits;
  /** The root logger (default: silent, or TEST_LOG_LEVEL). */
  logger?: Logger;
  /** Limits of invitation codes and password resets (issue 11). */
  attemptLimits?: AttemptLimits;
  /** Limits of secret links' looks and passcode tries (issue 12 §4). */
  shareLinkLimits?: ShareLinkLimits;
}

/** Starts the real app on a free port with a real database and a temp media folder. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'polku-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: dataDir,
    DEMO: 'false',
    LOG_LEVEL: 'silent',
    // Issue 12 §5: no digest timer; a test that wants the job runs it (maintenance.runDigest) at a "now" it chooses.
    DIGEST_CHECK_SECONDS: '0',
    ...options.env,
  });
  const ownDatabase = !options.database;
  const database = options.database ?? (await openTestDatabase());
  const polku = await startPolku(config, {
    database,
    ...(options.blobs ? { blobs: options.blobs } : {}),
    ...(options.loginLimits ? { loginLimits: options.loginLimits } : {}),
    ...(options.attemptLimits ? { attemptLimits: options.attemptLimits } : {}),
    ...(options.shareLinkLimits ? { shareLinkLimits: options.shareLinkLimits } : {}),
    logger: options.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    polku,
    config,
    url,
    database,
    client: () => new TestClient(url),
    async as(username, password = TEST_PASSWORD) {
      const client = new TestClient(url);
      await client.login(username, password);
      return client;
    },
    async close() {
      await polku.close();
      if (ownDatabase) await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export const TEST_PASSWORD = 'correct horse battery staple';
