/**
 * The real server as a child process (`node --import tsx server/main.ts`), as an operator runs it,
 * with the event-loop probe preloaded and the open-files limit raised.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../helpers/free-port.ts';
import { onCleanup } from './cleanup.ts';
import { BENCH_SESSION_SECRET } from './db.ts';
import type { ProbeStats } from './loop-probe.ts';
import { spawnNode, TSX, type NodeChild } from './proc.ts';

export const LOOP_PROBE = path.join(import.meta.dirname, 'loop-probe.ts');

export interface PolkuChild extends NodeChild {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Event-loop delay since the last resetLoop(), from the probe inside the server. */
  loopStats(): Promise<ProbeStats>;
  resetLoop(): void;
}

/** Starts Polku and waits for /readyz 200. `env` adds to (or, with '', clears) the defaults below. */
export async function startPolku(
  options: { databaseUrl?: string; env?: Record<string, string>; nofile?: number; label?: string; dir?: string } = {},
): Promise<PolkuChild> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'polku-bench-data-'));
  const env: Record<string, string> = {
    NODE_ENV: process.env.NODE_ENV ?? 'development',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: url,
    DATA_DIR: dataDir,
    DATABASE_URL: options.databaseUrl ?? '',
    SESSION_SECRET: BENCH_SESSION_SECRET,
    LOG_LEVEL: 'warn',
    DEMO: 'false',
    S3_BUCKET: '',
    REDIS_URL: '',
    REALTIME_ADAPTER: '',
    ...options.env,
  };
  const label = options.label ?? 'server';
  // BENCH_SERVER_NODE_ARGS: extra Node options for the server only, e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof'.
  const extra = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // BENCH_SERVER_DIR: run the server from another checkout (with its own or a linked node_modules),
  // to compare a change against this one with the same benchmark, database and load.
  const proc = spawnNode([...extra, ...TSX, '--import', LOOP_PROBE, 'server/main.ts'], {
    env,
    nofile: options.nofile,
    ipc: true,
    label,
    cwd: options.dir ?? process.env.BENCH_SERVER_DIR,
  });
  const removeData = () => rm(dataDir, { recursive: true, force: true });
  onCleanup(`stop ${label}`, async () => {
    await proc.stop();
    await removeData();
  });

  const deadline = Date.now() + 120_000;
  for (;;) {
    if (proc.child.exitCode !== null) throw new Error(`Polku exited with ${proc.child.exitCode} before it was ready:\n${proc.output()}`);
    if (Date.now() > deadline) throw new Error(`Polku was not ready within 120 s:\n${proc.output()}`);
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  let pending: Array<(s: ProbeStats) => void> = [];
  proc.child.on('message', (m: ProbeStats) => {
    if (m?.type !== 'probe:stats') return;
    const waiting = pending;
    pending = [];
    for (const resolve of waiting) resolve(m);
  });
  return {
    ...proc,
    url,
    port,
    dataDir,
    loopStats: () =>
      new Promise<ProbeStats>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the server did not answer the loop probe')), 5000);
        pending.push((s) => {
          clearTimeout(timer);
          resolve(s);
        });
        proc.child.send({ type: 'probe:stats' });
      }),
    resetLoop: () => void proc.child.send({ type: 'probe:reset' }),
    async stop(graceMs?: number) {
      await proc.stop(graceMs);
      await removeData();
    },
  };
}
