import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { MEDIA_VARIANTS, type MediaVariant } from '../../../../shared/portfolio.ts';
import type { Db } from '../../../db/database.ts';
import type { BlobStore } from '../../../storage/blob-store.ts';

export interface Digest {
  sha256: string;
  size: number;
}

/**
 * The export names every file by its SHA-256 before streaming it, so each stored variant needs a
 * digest up front. Uploads record them; rows written before that (or outside the pipeline) get
 * them here: each missing variant is streamed once, hashed, and the digest saved on the row, so
 * the next export does not read it again. Returns how many variants were hashed.
 */
export async function backfillVariantDigests(db: Db, blobs: BlobStore, pupilId: string, signal?: AbortSignal): Promise<number> {
  const rows = await db
    .selectFrom('mediaItems')
    .innerJoin('artefacts', 'artefacts.id', 'mediaItems.artefactId')
    .select(['mediaItems.id', 'mediaItems.variants', 'mediaItems.variantDigests'])
    .where('artefacts.ownerId', '=', pupilId)
    .where('artefacts.deletedAt', 'is', null)
    // Only rows with a stored variant that has no digest yet: once every row has its digests (as
    // uploads write them), an export reads no media rows here at all.
    .where(
      sql<boolean>`exists (select 1 from jsonb_each_text(media_items.variants) as v(name, key) where v.key is not null and media_items.variant_digests -> v.name is null)`,
    )
    .orderBy('mediaItems.id')
    .execute();
  let hashed = 0;
  for (const row of rows) {
    const missing: Partial<Record<MediaVariant, Digest>> = {};
    // Several variants may share one object (rows made outside the pipeline): hash it once.
    const byKey = new Map<string, Digest>();
    for (const variant of MEDIA_VARIANTS) {
      const key = row.variants[variant];
      if (!key || row.variantDigests[variant]) continue;
      signal?.throwIfAborted();
      let digest = byKey.get(key);
      if (!digest) {
        digest = await digestBlob(blobs, key, signal);
        byKey.set(key, digest);
        hashed += 1;
      }
      missing[variant] = digest;
    }
    if (Object.keys(missing).length === 0) continue;
    await db
      .updateTable('mediaItems')
      .set({ variantDigests: sql<string>`variant_digests || ${JSON.stringify(missing)}::jsonb` })
      .where('id', '=', row.id)
      .execute();
  }
  return hashed;
}

async function digestBlob(blobs: BlobStore, key: string, signal?: AbortSignal): Promise<Digest> {
  const hash = createHash('sha256');
  let size = 0;
  const stream = await blobs.getStream(key);
  const onAbort = () => stream.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of stream) {
      const buffer = chunk as Buffer;
      hash.update(buffer);
      size += buffer.length;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    stream.destroy();
  }
  return { sha256: hash.digest('hex'), size };
}
