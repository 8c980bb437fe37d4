import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';

/**
 * loadConfig on hand-made environments: no process.env, no server. Each test gets its own
 * data folder, because an embedded configuration writes its session secret there.
 */
let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'polku-config-test-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let folders = 0;
const freshDataDir = () => path.join(root, `data-${++folders}`);
const SECRET = 'x'.repeat(40);

/** The problems of a configuration that must not load (fails the test when it loads). */
function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('defaults', () => {
  it('runs embedded: PGlite and media in the data folder, port 3000, demo on', () => {
    const dataDir = freshDataDir();
    const config = loadConfig({ DATA_DIR: dataDir });
    expect(config.env).toBe('development');
    expect(config.port).toBe(3000);
    expect(config.dataDir).toBe(path.resolve(dataDir));
    expect(config.database).toEqual({ kind: 'pglite', dir: path.join(path.resolve(dataDir), 'db') });
    expect(config.storage).toEqual({ kind: 'local', dir: path.join(path.resolve(dataDir), 'media') });
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.realtimeAdapter).toEqual({ kind: 'none' });
    expect(config.logLevel).toBe('info');
    expect(config.secureCookies).toBe(false);
    expect(config.demo).toBe(true);
  });

  it('treats empty strings as unset', () => {
    const config = loadConfig({ DATA_DIR: freshDataDir(), PORT: '', DATABASE_URL: '  ', LOG_LEVEL: '' });
    expect(config.port).toBe(3000);
    expect(config.database.kind).toBe('pglite');
    expect(config.logLevel).toBe('info');
  });

  it('turns the demo off with an external database, and in production', () => {
    const external = loadConfig({ DATA_DIR: freshDataDir(), DATABASE_URL: 'postgres://polku@db.example/polku' });
    expect(external.database).toEqual({ kind: 'postgres', url: 'postgres://polku@db.example/polku', poolSize: 10 });
    expect(external.demo).toBe(false);
    const production = loadConfig({ DATA_DIR: freshDataDir(), NODE_ENV: 'production', SESSION_SECRET: SECRET });
    expect(production.database.kind).toBe('pglite');
    expect(production.demo).toBe(false);
    // No proxy is trusted unless named: a default of one hop would let a client reaching Polku directly
    // choose its address with X-Forwarded-For and escape the sign-in limits.
    expect(production.trustProxy).toBe(false);
    // An explicit DEMO wins either way.
    expect(loadConfig({ DATA_DIR: freshDataDir(), DATABASE_URL: 'postgresql://db.example/polku', DEMO: 'yes' }).demo).toBe(true);
    expect(loadConfig({ DATA_DIR: freshDataDir(), DEMO: '0' }).demo).toBe(false);
  });

  it('drops trailing slashes from PUBLIC_URL and marks https sites for secure cookies', () => {
    const config = loadConfig({ DATA_DIR: freshDataDir(), PUBLIC_URL: 'https://polku.example.fi//' });
    expect(config.publicUrl).toBe('https://polku.example.fi');
    expect(config.secureCookies).toBe(true);
  });
});

describe('wrong values', () => {
  it('lists every wrong value at once', () => {
    const problems = problemsOf({
      DATA_DIR: freshDataDir(),
      PORT: 'abc',
      DATABASE_URL: 'mysql://x',
      S3_ENDPOINT: 'notaurl',
      S3_BUCKET: 'polku',
      LOG_LEVEL: 'loud',
    });
    for (const name of ['PORT', 'DATABASE_URL', 'S3_ENDPOINT', 'LOG_LEVEL']) {
      expect(
        problems.some((p) => p.startsWith(`${name}:`)),
        `a problem naming ${name} in ${JSON.stringify(problems)}`,
      ).toBe(true);
    }
    expect(problems).toHaveLength(4);
  });

  it('puts every problem in the error message for the operator', () => {
    try {
      loadConfig({ DATA_DIR: freshDataDir(), PORT: '70000', DEMO: 'maybe' });
      expect.unreachable('the configuration should not load');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const { message } = err as ConfigError;
      expect(message).toMatch(/2 problem/);
      expect(message).toMatch(/PORT/);
      expect(message).toMatch(/DEMO: use true or false/);
    }
  });

  it('lists wrong values and missing settings together', () => {
    // The docstring promises every problem in one go; a malformed value must not hide a missing secret.
    const problems = problemsOf({ DATA_DIR: freshDataDir(), NODE_ENV: 'production', PORT: 'abc' });
    expect(problems.some((p) => p.startsWith('PORT:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('SESSION_SECRET:'))).toBe(true);
  });

  it('refuses a short SESSION_SECRET', () => {
    const problems = problemsOf({ DATA_DIR: freshDataDir(), SESSION_SECRET: 'short' });
    expect(problems).toEqual([expect.stringMatching(/^SESSION_SECRET: .*32 characters/)]);
  });
});

describe('production', () => {
  it('requires SESSION_SECRET', () => {
    const problems = problemsOf({ DATA_DIR: freshDataDir(), NODE_ENV: 'production' });
    expect(problems).toEqual([expect.stringMatching(/^SESSION_SECRET:/)]);
  });

  it('uses the given secret and secure cookies', () => {
    const config = loadConfig({ DATA_DIR: freshDataDir(), NODE_ENV: 'production', SESSION_SECRET: SECRET, PUBLIC_URL: 'http://polku.internal' });
    expect(config.env).toBe('production');
    expect(config.sessionSecret).toBe(SECRET);
    expect(config.secureCookies).toBe(true);
  });
});

describe('embedded session secret', () => {
  it('is generated once, kept in the data folder with mode 0600, and reused', async () => {
    const dataDir = freshDataDir();
    const first = loadConfig({ DATA_DIR: dataDir });
    expect(first.sessionSecret.length).toBeGreaterThanOrEqual(32);
    const file = path.join(dataDir, 'session-secret');
    const { mode } = await stat(file);
    expect(mode & 0o777).toBe(0o600);
    const second = loadConfig({ DATA_DIR: dataDir });
    expect(second.sessionSecret).toBe(first.sessionSecret);
    // Another data folder gets another secret.
    expect(loadConfig({ DATA_DIR: freshDataDir() }).sessionSecret).not.toBe(first.sessionSecret);
  });

  it('is not written when SESSION_SECRET is given', async () => {
    const dataDir = freshDataDir();
    expect(loadConfig({ DATA_DIR: dataDir, SESSION_SECRET: SECRET }).sessionSecret).toBe(SECRET);
    await expect(stat(path.join(dataDir, 'session-secret'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('S3 storage', () => {
  it('uses S3 with path-style addressing when an endpoint is set', () => {
    const config = loadConfig({
      DATA_DIR: freshDataDir(),
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      S3_BUCKET: 'polku',
      S3_ACCESS_KEY_ID: 'key',
      S3_SECRET_ACCESS_KEY: 'secret',
    });
    expect(config.storage).toEqual({
      kind: 's3',
      endpoint: 'http://127.0.0.1:9000',
      bucket: 'polku',
      region: 'us-east-1',
      accessKeyId: 'key',
      secretAccessKey: 'secret',
      forcePathStyle: true,
    });
  });

  it('uses virtual-hosted addressing on AWS unless told otherwise', () => {
    const aws = loadConfig({ DATA_DIR: freshDataDir(), S3_BUCKET: 'polku', S3_REGION: 'eu-north-1' });
    expect(aws.storage).toMatchObject({ kind: 's3', endpoint: undefined, region: 'eu-north-1', forcePathStyle: false });
    const told = loadConfig({ DATA_DIR: freshDataDir(), S3_ENDPOINT: 'http://minio:9000', S3_BUCKET: 'polku', S3_FORCE_PATH_STYLE: 'false' });
    expect(told.storage).toMatchObject({ kind: 's3', forcePathStyle: false });
  });

  it('needs a bucket with an endpoint, and both keys or neither', () => {
    expect(problemsOf({ DATA_DIR: freshDataDir(), S3_ENDPOINT: 'http://127.0.0.1:9000' })).toEqual([expect.stringMatching(/^S3_BUCKET:/)]);
    expect(problemsOf({ DATA_DIR: freshDataDir(), S3_BUCKET: 'polku', S3_ACCESS_KEY_ID: 'key' })).toEqual([
      expect.stringMatching(/S3_ACCESS_KEY_ID.*S3_SECRET_ACCESS_KEY/),
    ]);
  });
});

describe('realtime adapter', () => {
  it('needs REDIS_URL for the Redis adapter and DATABASE_URL for the PostgreSQL one', () => {
    expect(problemsOf({ DATA_DIR: freshDataDir(), REALTIME_ADAPTER: 'redis' })).toEqual([expect.stringMatching(/^REDIS_URL:/)]);
    expect(problemsOf({ DATA_DIR: freshDataDir(), REALTIME_ADAPTER: 'postgres' })).toEqual([expect.stringMatching(/^DATABASE_URL:/)]);
    expect(problemsOf({ DATA_DIR: freshDataDir(), REALTIME_ADAPTER: 'kafka' })).toEqual([expect.stringMatching(/^REALTIME_ADAPTER:/)]);
  });

  it('picks Redis when REDIS_URL is set, and PostgreSQL when asked', () => {
    expect(loadConfig({ DATA_DIR: freshDataDir(), REDIS_URL: 'redis://cache:6379' }).realtimeAdapter).toEqual({ kind: 'redis', url: 'redis://cache:6379' });
    expect(loadConfig({ DATA_DIR: freshDataDir(), REALTIME_ADAPTER: 'postgres', DATABASE_URL: 'postgres://db.example/polku' }).realtimeAdapter).toEqual({
      kind: 'postgres',
    });
    expect(loadConfig({ DATA_DIR: freshDataDir(), REALTIME_ADAPTER: 'none', REDIS_URL: 'redis://cache:6379' }).realtimeAdapter).toEqual({ kind: 'none' });
  });
});

describe('weekly digest and Web Push (issue 12 §5)', () => {
  it('sends on Friday at 15:00 by default, checks every minute, and allows only the browsers push services', () => {
    const config = loadConfig({ DATA_DIR: freshDataDir(), PUBLIC_URL: 'https://polku.koulu.example' });
    expect(config.digest).toEqual({ sendDay: 5, sendMinute: 15 * 60, checkMs: 60_000 });
    expect(config.push).toMatchObject({ publicKey: null, privateKey: null, subject: 'https://polku.koulu.example' });
    expect(config.push.endpointHosts).toContain('fcm.googleapis.com');
    const custom = loadConfig({
      DATA_DIR: freshDataDir(),
      DIGEST_SEND_DAY: '1',
      DIGEST_SEND_TIME: '07:30',
      PUSH_ENDPOINT_HOSTS: ' push.example , http://127.0.0.1:9999',
      VAPID_SUBJECT: 'mailto:it@koulu.example',
    });
    expect(custom.digest).toMatchObject({ sendDay: 1, sendMinute: 7 * 60 + 30 });
    expect(custom.push).toMatchObject({ subject: 'mailto:it@koulu.example', endpointHosts: ['push.example', 'http://127.0.0.1:9999'] });
  });

  it('refuses a wrong send day or time, a bad VAPID subject, and one VAPID key without the other', () => {
    expect(
      problemsOf({ DATA_DIR: freshDataDir(), DIGEST_SEND_DAY: '8', DIGEST_SEND_TIME: '25:00', VAPID_SUBJECT: 'it@koulu.example', VAPID_PUBLIC_KEY: 'abc' }),
    ).toEqual([
      expect.stringMatching(/^DIGEST_SEND_DAY:/),
      expect.stringMatching(/^DIGEST_SEND_TIME:/),
      expect.stringMatching(/^VAPID_SUBJECT:/),
      expect.stringMatching(/VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY/),
    ]);
  });
});
