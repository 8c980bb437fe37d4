import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import webpush from 'web-push';
import { z } from 'zod';

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

const keyFileSchema = z.object({ publicKey: z.string().min(80).max(100), privateKey: z.string().min(40).max(50) });
export const VAPID_FILE = 'vapid-keys.json';

/**
 * The server's VAPID key pair (issue 12 §5): VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY when set, otherwise the
 * pair in the data folder, made on first start. Several processes may start at once on one data folder:
 * each writes a complete file under a name of its own and then links it to the shared name, which only
 * one link can take (EEXIST for the others, who read the winner's). So no process ever reads a
 * half-written file, and all of them sign with the same key.
 */
export async function loadVapidKeys(dataDir: string, fromEnv: { publicKey?: string | undefined; privateKey?: string | undefined }): Promise<VapidKeys> {
  if (fromEnv.publicKey && fromEnv.privateKey) return { publicKey: fromEnv.publicKey, privateKey: fromEnv.privateKey };
  const file = path.join(dataDir, VAPID_FILE);
  const existing = await readKeys(file);
  if (existing) return existing;
  await mkdir(dataDir, { recursive: true });
  const keys = webpush.generateVAPIDKeys();
  const own = path.join(dataDir, `.${VAPID_FILE}.${randomUUID()}`);
  // 0600: the private key signs every push this server sends.
  await writeFile(own, `${JSON.stringify(keys)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(own, file);
    return keys;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const winner = await readKeys(file);
    if (!winner) throw new Error(`${file} exists but holds no VAPID key pair: remove it or set VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY`);
    return winner;
  } finally {
    await unlink(own).catch(() => undefined);
  }
}

async function readKeys(file: string): Promise<VapidKeys | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const parsed = keyFileSchema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : null;
}
