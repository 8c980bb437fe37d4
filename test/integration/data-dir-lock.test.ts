import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataDirLocked, lockDataDir } from '../../server/db/data-dir-lock.ts';
import { ARCHIVE_PATHS } from '../../shared/portability/portfolio-format.ts';
import { zipEntryNames } from '../helpers/zip.ts';

/**
 * Issue 8 C12: an embedded (PGlite) data folder belongs to one process. Real processes throughout: a
 * holder that opens the folder as a running Polku does (test/fixtures/hold-data-dir.ts), and the
 * `polku` command line. Whatever POLKU_TEST_DB says, these processes use PGlite: that is the subject.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin/polku.mjs');
const HOLDER = path.join(ROOT, 'test/fixtures/hold-data-dir.ts');

let work: string;
const children: ChildProcess[] = [];

function polku(dataDir: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', DEMO: 'false' },
        timeout: 240_000,
      },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** Starts a process holding `<dataDir>/db` with a pupil `username`; resolves once it is ready. */
async function hold(dataDir: string, username: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, dataDir, username], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready')) resolve();
    });
    void exited.then((code) => reject(new Error(`the holder exited with ${code} before it was ready`)));
  });
  return {
    pid: child.pid ?? 0,
    /** Ends it as a server ends: closes the database and exits. */
    async stop() {
      child.stdin.end();
      return exited;
    },
  };
}

/** The pid of a process that has just exited: a lock naming it is stale. */
function deadPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', () => resolve(child.pid ?? 0));
  });
}

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'polku-lock-'));
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the embedded database folder is locked by its one process', () => {
  it('refuses the command line while another process has the folder open, saying what to do, and works once it has exited', async () => {
    const dataDir = path.join(work, 'shared');
    const username = `lukko.${randomBytes(3).toString('hex')}`;
    const holder = await hold(dataDir, username);
    const lockFile = path.join(dataDir, 'db.lock');
    expect(JSON.parse(await readFile(lockFile, 'utf8'))).toMatchObject({ pid: holder.pid, host: hostname() });

    const archive = path.join(work, 'shared.zip');
    const refused = await polku(dataDir, ['export', username, archive]);
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toContain(`polku: Polku is running with this data folder (${path.join(dataDir, 'db')}): process ${holder.pid} on this machine`);
    expect(refused.stderr).toContain('Stop that Polku first and run the command again');
    expect(await exists(archive)).toBe(false);

    expect(await holder.stop()).toBe(0);
    expect(await exists(lockFile)).toBe(false);
    const done = await polku(dataDir, ['export', username, archive]);
    expect(done.code, done.stderr).toBe(0);
    expect(await zipEntryNames(archive)).toContain(ARCHIVE_PATHS.document);
    // The command line let the folder go when it exited.
    expect(await exists(lockFile)).toBe(false);
  }, 600_000);

  it('takes over a lock left by a process that died without releasing it', async () => {
    const dataDir = path.join(work, 'stale');
    const username = `lukko.${randomBytes(3).toString('hex')}`;
    // A folder with a pupil in it, released properly; then a lock as a killed process leaves it.
    expect(await (await hold(dataDir, username)).stop()).toBe(0);
    const lockFile = path.join(dataDir, 'db.lock');
    await writeFile(lockFile, JSON.stringify({ pid: await deadPid(), host: hostname(), startedAt: new Date().toISOString(), token: 'dead' }));

    const archive = path.join(work, 'stale.zip');
    const done = await polku(dataDir, ['export', username, archive]);
    expect(done.code, done.stderr).toBe(0);
    expect(await zipEntryNames(archive)).toContain(ARCHIVE_PATHS.document);
    expect(await exists(lockFile)).toBe(false);
  }, 600_000);

  it('refuses a folder locked from another host, which it cannot check, and names the lock file', async () => {
    const folder = path.join(work, 'elsewhere', 'db');
    await mkdir(path.dirname(folder), { recursive: true });
    await writeFile(`${folder}.lock`, JSON.stringify({ pid: 4242, host: 'toinen-kone', startedAt: '2026-01-01T00:00:00.000Z', token: 'x' }));
    const refused = await lockDataDir(folder).then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(DataDirLocked);
    expect((refused as Error).message).toContain('process 4242 on host toinen-kone');
    expect((refused as Error).message).toContain(`delete ${folder}.lock`);
  });
});
