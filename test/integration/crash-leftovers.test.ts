import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { blobKey } from '../../server/storage/blob-store.ts';
import { LocalBlobStore } from '../../server/storage/local-blob-store.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * Issue 8, B9: what a process that died left (temp files, blobs noted but never claimed, a driver's
 * partial temp file) is gone after the next start. The dead process is real: a child that ran and
 * exited, whose pid names the leftovers as a crashed Polku's would.
 * The `kill -9` of a real child-process server during an upload, an export and an import: crash-kill.test.ts.
 */
const apps: TestApp[] = [];
afterAll(async () => {
  for (const app of apps) await app.close();
});

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('the sweep at start', () => {
  it("removes a dead process's temp files, its noted blobs and their partial files, and leaves a live one's", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'polku-crash-'));
    const tmp = path.join(dataDir, 'tmp');
    const media = path.join(dataDir, 'media');
    const dead = deadPid();
    await mkdir(path.join(tmp, `media-${dead}-abc123`), { recursive: true });
    await writeFile(path.join(tmp, `media-${dead}-abc123`, 'original.mp4'), 'gps');
    await writeFile(path.join(tmp, `upload-${dead}-0b7e6f2e-7c39-4a59-9d7a-2a4f0f2d9c11`), 'raw upload with GPS');
    await writeFile(path.join(tmp, `import-${dead}-5b0c`), 'archive');
    await writeFile(path.join(tmp, `upload-${process.pid}-live`), 'a live upload of this process');
    await writeFile(path.join(tmp, 'not-ours.txt'), 'someone else');

    // A blob the dead process stored and noted but never claimed, and one it was still writing.
    const store = new LocalBlobStore({ root: media, secret: 'a-secret-of-sixteen-chars' });
    const stored = blobKey('media', 'deadbeef01', 'original');
    const partial = blobKey('media', 'deadbeef02', 'original');
    await store.putStream(stored, Readable.from(Buffer.from('bytes')), { contentType: 'video/mp4' });
    const partialFile = path.join(media, path.dirname(partial), `.${path.basename(partial)}.0a0b0c.tmp`);
    await mkdir(path.dirname(partialFile), { recursive: true });
    await writeFile(partialFile, 'half');

    const app = await startTestApp({ env: { DATA_DIR: dataDir } });
    apps.push(app);
    const owner = `${hostname()}:${dead}:0a1b2c3d`;
    // Noted by the dead process (written after the start here only because the test needs the app's database).
    await app.database.db
      .insertInto('pendingBlobs')
      .values([
        { key: stored, owner },
        { key: partial, owner },
      ])
      .execute();
    await app.polku.maintenance.sweepOrphans();

    expect((await readdir(tmp)).sort()).toEqual(['not-ours.txt', `upload-${process.pid}-live`]);
    expect(await store.head(stored)).toBeNull();
    expect(await readdir(path.dirname(partialFile))).toEqual([]);
    expect(await app.database.db.selectFrom('pendingBlobs').select('key').where('key', 'in', [stored, partial]).execute()).toEqual([]);
  });

  it('notes a key before its bytes are written: a put that fails midway leaves the note for the sweeper', async () => {
    const app = await startTestApp();
    apps.push(app);
    const key = blobKey('media', `cafe${Date.now()}`, 'original');
    const body = new Readable({
      read() {
        this.destroy(new Error('the writer died'));
      },
    });
    await expect(app.polku.blobs.putStream(key, body, { contentType: 'image/png' })).rejects.toThrow('the writer died');
    const note = await app.database.db.selectFrom('pendingBlobs').select(['key', 'owner']).where('key', '=', key).executeTakeFirst();
    expect(note?.owner).toMatch(new RegExp(`^${hostname()}:${process.pid}:`));
  });
});
