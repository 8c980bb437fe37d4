/**
 * Cold start: time from spawning `node --import tsx server/main.ts` to /readyz answering 200,
 * on the embedded defaults (PGlite + local media) with a fresh data folder (first start: creates
 * the database, migrates, seeds the demo school) and again on the same folder (a restart).
 * Baseline in the same run: a bare Express app spawned the same way, to the same first 200.
 * Run: npm run bench:cold-start  (RUNS=5 by default)
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../helpers/free-port.ts';

const RUNS = Number(process.env.RUNS ?? 5);
const ROOT = path.resolve(import.meta.dirname, '../..');

async function timeToReady(args: string[], env: Record<string, string>, url: string): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'ignore' });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`);
      try {
        if ((await fetch(url)).status === 200) return performance.now() - started;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const bareApp = path.join(os.tmpdir(), 'polku-bench-bare.mjs');
await writeFile(
  bareApp,
  `import express from '${path.join(ROOT, 'node_modules/express/index.js')}';
const app = express(); app.get('/readyz', (_q, r) => r.json({ ok: true })); app.listen(Number(process.env.PORT), '127.0.0.1');`,
);

const bare: number[] = [];
const first: number[] = [];
const restart: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/readyz`;
  bare.push(await timeToReady([bareApp], { PORT: String(port) }, url));
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'polku-bench-'));
  const env = { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', DATABASE_URL: '', S3_BUCKET: '' };
  const args = ['--import', 'tsx', 'server/main.ts'];
  first.push(await timeToReady(args, env, url));
  restart.push(await timeToReady(args, env, url));
  await rm(dataDir, { recursive: true, force: true });
}

const b = median(bare);
const report = (name: string, xs: number[]) =>
  console.log(
    `${name.padEnd(34)} median ${median(xs).toFixed(0).padStart(6)} ms   ${(median(xs) / b).toFixed(1)}× bare Express   runs: ${xs.map((x) => x.toFixed(0)).join(', ')}`,
  );
console.log(`cold start to /readyz 200, ${RUNS} runs each, node ${process.version}`);
report('bare Express (baseline)', bare);
report('Polku, first start (fresh data)', first);
report('Polku, restart (existing data)', restart);
