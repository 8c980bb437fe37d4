import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, readFile, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';

/**
 * One process per embedded database. PGlite keeps the whole database in the process that opened its
 * folder: a second process (the CLI beside a running server, a second server) would work on its own
 * copy and overwrite the other's writes. So the folder is locked by a file beside it, `<folder>.lock`,
 * holding the owner's pid and host:
 *
 * - it is created atomically with its content (written aside, then hard-linked into place), so no one
 *   ever reads a half-written lock;
 * - it is removed when the owning process exits;
 * - a lock left by a process that died without exiting cleanly (kill -9, power loss) is taken over:
 *   its pid is not alive on this host. Taking over is serialised by a `<folder>.lock.takeover`
 *   directory, so that two processes finding the same stale lock do not both win.
 *
 * A process that opens the same folder again (a test reopening its database) keeps its lock.
 */

interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  /** Unique per acquisition: release removes the file only while it is still ours. */
  token: string;
}

/** The folder is in use by another live process (or one on another host, which cannot be checked). */
export class DataDirLocked extends Error {
  constructor(
    readonly dir: string,
    readonly lockFile: string,
    readonly holder: LockHolder,
  ) {
    const elsewhere = holder.host !== hostname();
    super(
      `Polku is running with this data folder (${dir}): process ${holder.pid} on ${elsewhere ? `host ${holder.host}` : 'this machine'} has had it open since ${holder.startedAt}. ` +
        'Its embedded database can be used by only one process at a time, or data is lost. ' +
        'Stop that Polku first and run the command again, or do the export or import in the running Polku (its Export and Import pages), ' +
        'or give both the same PostgreSQL database (DATABASE_URL), which many processes can share. ' +
        `If no Polku is running with this folder${elsewhere ? ` (this machine cannot check host ${holder.host})` : ''}, delete ${lockFile}.`,
    );
    this.name = 'DataDirLocked';
  }
}

/** A takeover directory older than this was left by a process that died while taking over. */
const TAKEOVER_STALE_MS = 10_000;
const ATTEMPTS = 50;

/** Lock files this process holds, with their tokens; removed at exit. */
const held = new Map<string, string>();
let releaseAtExit = false;

/** Locks `dir` for this process, or throws DataDirLocked saying who holds it and what to do. */
export async function lockDataDir(dir: string): Promise<void> {
  const folder = path.resolve(dir);
  const lockFile = `${folder}.lock`;
  await mkdir(path.dirname(lockFile), { recursive: true });
  if (held.has(lockFile) && (await readHolder(lockFile))?.token === held.get(lockFile)) return;
  const me: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), token: randomBytes(12).toString('hex') };

  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (await create(lockFile, me)) {
      hold(lockFile, me.token);
      return;
    }
    const raw = await readFile(lockFile, 'utf8').catch(ignoreMissing);
    if (raw === null) continue; // released meanwhile: try again
    const holder = parseHolder(raw);
    if (holder && holder.host === me.host && holder.pid === process.pid) {
      // Ours from an earlier open in this process.
      hold(lockFile, holder.token);
      return;
    }
    if (holder && (holder.host !== me.host || isAlive(holder.pid))) throw new DataDirLocked(folder, lockFile, holder);
    // Left by a dead process (or unreadable: never a live writer's, which links it complete).
    await takeOver(lockFile, raw);
  }
  throw new Error(`Could not lock the data folder ${folder}: its lock file ${lockFile} kept changing.`);
}

/** Creates the lock file with its content in one step; false when it exists. */
async function create(lockFile: string, me: LockHolder): Promise<boolean> {
  const aside = `${lockFile}.${process.pid}.${me.token}`;
  await writeFile(aside, `${JSON.stringify(me)}\n`);
  try {
    await link(aside, lockFile);
    return true;
  } catch (err) {
    if (code(err) === 'EEXIST') return false;
    throw err;
  } finally {
    await rm(aside, { force: true });
  }
}

/** Removes a stale lock, unless another process replaced it meanwhile. */
async function takeOver(lockFile: string, staleContent: string): Promise<void> {
  const guard = `${lockFile}.takeover`;
  try {
    await mkdir(guard);
  } catch (err) {
    if (code(err) !== 'EEXIST') throw err;
    const since = await stat(guard).then((s) => s.mtimeMs, ignoreMissing);
    if (since !== null && Date.now() - since > TAKEOVER_STALE_MS) await rmdir(guard).catch(ignoreMissing);
    else await new Promise((resolve) => setTimeout(resolve, 20));
    return;
  }
  try {
    if ((await readFile(lockFile, 'utf8').catch(ignoreMissing)) === staleContent) await rm(lockFile, { force: true });
  } finally {
    await rmdir(guard).catch(ignoreMissing);
  }
}

function hold(lockFile: string, token: string): void {
  held.set(lockFile, token);
  if (releaseAtExit) return;
  releaseAtExit = true;
  process.once('exit', () => {
    for (const [file, mine] of held) {
      try {
        if (parseHolder(readFileSync(file, 'utf8'))?.token === mine) unlinkSync(file);
      } catch {
        // Already gone, or not ours: nothing to release.
      }
    }
  });
}

async function readHolder(lockFile: string): Promise<LockHolder | null> {
  const raw = await readFile(lockFile, 'utf8').catch(ignoreMissing);
  return raw === null ? null : parseHolder(raw);
}

function parseHolder(raw: string): LockHolder | null {
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value !== 'object' || value === null) return null;
    const { pid, host, startedAt, token } = value as Record<string, unknown>;
    if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0 || typeof host !== 'string' || typeof token !== 'string') return null;
    return { pid, host, token, startedAt: typeof startedAt === 'string' ? startedAt : 'an unknown time' };
  } catch {
    return null;
  }
}

/** Whether a process with this pid exists on this machine (EPERM: it exists, but is someone else's). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return code(err) === 'EPERM';
  }
}

function code(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}

function ignoreMissing(err: unknown): null {
  if (code(err) === 'ENOENT') return null;
  throw err;
}
