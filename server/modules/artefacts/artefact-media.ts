import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import type { Insertable } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { MediaItemsTable } from '../../db/schema.ts';
import { cleanName, deleteMediaBlobs, processUpload, storeProcessedMedia } from '../../media/pipeline.ts';
import type { BlobStore } from '../../storage/blob-store.ts';
import { noteBlobKeys } from '../../storage/noted-blob-store.ts';
import type { MediaKind, MediaVariant } from '../../../shared/portfolio.ts';
import { artefactParamsSchema } from '../../../shared/api/artefacts.ts';
import type { Actor } from '../../auth/actor.ts';
import { authorize } from '../../auth/policy.ts';
import { issuesFromZod, ValidationFailed } from '../../http/errors.ts';
import { uploadMiddleware, type UploadOptions } from '../../media/upload.ts';

export interface UploadedFile {
  path: string;
  originalname: string;
  size: number;
}

/** A media item whose bytes are stored and whose row is not written yet. */
export interface StoredMedia {
  id: string;
  kind: MediaKind;
  mime: string;
  sha256: string;
  size: number;
  originalName: string | null;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  variants: Partial<Record<MediaVariant, string>>;
  /** SHA-256 and size of each stored variant, for `media_items.variant_digests`. */
  variantDigests: Partial<Record<MediaVariant, { sha256: string; size: number }>>;
}

/** The media_items row of a stored item, placed in its artefact: one mapping for uploads and imports. */
export function mediaItemRow(m: StoredMedia, placement: { artefactId: string; ownerId: string; position: number }): Insertable<MediaItemsTable> {
  return {
    id: m.id,
    artefactId: placement.artefactId,
    ownerId: placement.ownerId,
    position: placement.position,
    kind: m.kind,
    mime: m.mime,
    sha256: m.sha256,
    size: m.size,
    // Cleaned here, where every media row is made: an upload's name is already clean, an import's is the archive's word.
    originalName: m.originalName === null ? null : cleanName(m.originalName),
    width: m.width,
    height: m.height,
    durationMs: m.durationMs,
    variants: JSON.stringify(m.variants),
    variantDigests: JSON.stringify(m.variantDigests),
  };
}

/** The upload step of each artefact route that takes files: who may upload where is checked before the body is read. */
export interface ArtefactUploads {
  create: RequestHandler;
  addMedia: RequestHandler;
}

export function artefactUploads(
  options: Omit<UploadOptions, 'authorize' | 'authorizeFields'>,
  artefacts: { readable(actor: Actor, artefactId: string, action: 'artefact.update'): Promise<unknown> },
): ArtefactUploads {
  return {
    create: uploadMiddleware({
      ...options,
      authorize: (actor) => authorize(actor, 'artefact.create', { type: 'pupil', pupilId: actor.id, schoolIds: [], groupIds: [], projectTeacherIds: [] }),
    }),
    addMedia: uploadMiddleware({
      ...options,
      authorize: async (actor, req) => {
        const params = artefactParamsSchema.safeParse(req.params);
        if (!params.success) throw new ValidationFailed(issuesFromZod(params.error, 'params'));
        await artefacts.readable(actor, params.data.artefactId, 'artefact.update');
      },
    }),
  };
}

export interface MediaDeps {
  db: Db;
  blobs: BlobStore;
  media: Config['media'];
  logger: Logger;
}

/**
 * Media before rows: every file is sniffed, processed and stored first, with its keys noted in
 * pending_blobs; the caller writes the rows and clears those notes in its transaction. If anything
 * fails here, what was stored is deleted again; if the process dies, the sweeper finds the notes.
 */
export async function storeUploads({ db, blobs, media }: MediaDeps, files: readonly UploadedFile[]): Promise<StoredMedia[]> {
  const stored: StoredMedia[] = [];
  try {
    for (const file of files) {
      const processed = await processUpload({ path: file.path, originalName: file.originalname, size: file.size }, media);
      try {
        const id = randomUUID();
        const plannedKeys = await storeWithNote(db, blobs, id, processed);
        stored.push({
          id,
          kind: processed.kind,
          mime: processed.mime,
          sha256: processed.sha256,
          size: processed.size,
          originalName: processed.originalName,
          width: processed.width,
          height: processed.height,
          durationMs: processed.durationMs,
          variants: plannedKeys,
          variantDigests: processed.digests ?? {},
        });
      } finally {
        await processed.cleanup();
      }
    }
    return stored;
  } catch (err) {
    await discardStored({ db, blobs }, stored);
    throw err;
  }
}

async function storeWithNote(db: Db, blobs: BlobStore, id: string, processed: Awaited<ReturnType<typeof processUpload>>) {
  const keys = await storeProcessedMedia(blobs, id, processed);
  await noteBlobKeys(
    db,
    Object.values(keys).filter((k): k is string => typeof k === 'string'),
  );
  return keys;
}

/** Deletes stored media whose rows will not be written (a failed request). */
export async function discardStored({ db, blobs }: Pick<MediaDeps, 'db' | 'blobs'>, stored: readonly StoredMedia[]): Promise<void> {
  for (const media of stored) {
    const keys = Object.fromEntries(Object.entries(media.variants).filter((e): e is [string, string] => typeof e[1] === 'string'));
    await deleteMediaBlobs(blobs, keys);
    const list = Object.values(keys);
    if (list.length > 0) await db.deleteFrom('pendingBlobs').where('key', 'in', list).execute();
  }
}

/** Inside the transaction that writes the rows: the blobs now have owners. */
export async function claimStored(trx: Db, stored: readonly StoredMedia[]): Promise<void> {
  const keys = stored.flatMap((m) => Object.values(m.variants).filter((k): k is string => typeof k === 'string'));
  if (keys.length > 0) await trx.deleteFrom('pendingBlobs').where('key', 'in', keys).execute();
}
