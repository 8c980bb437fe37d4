import { mkdir } from 'node:fs/promises';
import type { Config } from '../config.ts';
import type { BlobStore } from './blob-store.ts';
import { LocalBlobStore } from './local-blob-store.ts';
import { S3BlobStore } from './s3-blob-store.ts';

/**
 * Chooses the storage driver once, at start-up. The local driver's signed URLs are served by
 * `createLocalBlobRouter`; mount it when the returned store is a `LocalBlobStore`.
 */
export async function openBlobStore(config: Config['storage'], options: { secret: string }): Promise<BlobStore> {
  if (config.kind === 's3') return new S3BlobStore(config);
  await mkdir(config.dir, { recursive: true });
  return new LocalBlobStore({ root: config.dir, secret: options.secret });
}
