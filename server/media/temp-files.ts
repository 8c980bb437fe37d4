import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Every file or folder Polku makes in its temp folder is named `<prefix><pid>-<random>`: the prefix
 * says it is ours, the pid which process made it. A process that died (a crash, `kill -9`) cannot
 * remove what it left, so the sweeper removes what belongs to a process that no longer runs, and
 * anything of ours older than a day whatever its pid (a pid can be reused).
 */
export const TEMP_PREFIX = {
  /** Upload bodies (multer). */
  upload: 'upload-',
  /** The pipeline's working folders (remuxed audio/video, resized images, posters). */
  media: 'media-',
  /** Import archives copied from the blob store, and the importer's extracted media. */
  import: 'import-',
  /** The demo seed's generated media. */
  demo: 'demo-',
} as const;

export type TempKind = keyof typeof TEMP_PREFIX;

const MAX_AGE_MS = 24 * 3600_000;
const OURS = new RegExp(`^(?:${Object.values(TEMP_PREFIX).join('|')})(\\d+)-`);

/** A temp file name of this process (no folder). */
export function tempName(kind: TempKind): string {
  return `${TEMP_PREFIX[kind]}${process.pid}-${randomUUID()}`;
}

/** A new private (0700) temp folder of this process under `tmpDir`. */
export async function makeTempDir(tmpDir: string, kind: TempKind): Promise<string> {
  await mkdir(tmpDir, { recursive: true });
  return mkdtemp(path.join(tmpDir, `${TEMP_PREFIX[kind]}${process.pid}-`));
}

function running(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes our temp files and folders left by processes that no longer run, and any older than a day.
 * Names without our prefix are not touched: the folder may be shared with something else.
 */
export async function sweepTempFiles(tmpDir: string, now = Date.now()): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(tmpDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = OURS.exec(name);
    if (!match) continue;
    const full = path.join(tmpDir, name);
    const stale = !running(Number(match[1])) || (await ageOf(full, now)) > MAX_AGE_MS;
    if (!stale) continue;
    await rm(full, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

async function ageOf(file: string, now: number): Promise<number> {
  try {
    return now - (await stat(file)).mtimeMs;
  } catch {
    return 0;
  }
}
