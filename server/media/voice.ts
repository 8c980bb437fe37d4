import type { RequestHandler } from 'express';
import type { Request } from 'express';
import { VOICE_MAX_SECONDS } from '../../shared/api/feedback.ts';
import type { Actor } from '../auth/actor.ts';
import type { Db } from '../db/database.ts';
import type { VoiceRecording } from '../db/schema.ts';
import { PayloadTooLarge } from '../http/errors.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import { noteBlobKeys } from '../storage/noted-blob-store.ts';
import { deleteMediaBlobs, processUpload, storeProcessedMedia, type MediaOptions } from './pipeline.ts';
import { UnsupportedMediaType } from './sniff.ts';
import { uploadMiddleware } from './upload.ts';

/** The multipart field of a voice recording (issue 10 §2–3: voice feedback and reflections). */
export const VOICE_FIELD = 'audio';

/**
 * The upload step of a route that takes one voice recording: sign-in and `authorize` before a byte
 * of the body is read, one file in `audio`, the request capped at the audio limit plus the form.
 */
export function voiceUpload(
  options: { tmpDir: string; maxAudioBytes: number },
  authorize: (actor: Actor, req: Request) => Promise<void> | void,
): RequestHandler {
  return uploadMiddleware({
    tmpDir: options.tmpDir,
    maxFileBytes: options.maxAudioBytes,
    maxFiles: 1,
    fieldName: VOICE_FIELD,
    // `data` (JSON of the message's fields) and nothing else of size.
    fieldLimits: { fields: 4, fieldSize: 64 * 1024 },
    authorize,
  });
}

/** The one uploaded recording of a voice route, if any. */
export function uploadedVoice(req: Request): { path: string; originalname: string; size: number } | null {
  const files = req.files;
  const list = !files ? [] : Array.isArray(files) ? files : Object.values(files).flat();
  return list[0] ?? null;
}

/**
 * Media before rows: the recording goes through the media pipeline (sniffed by content, remuxed by
 * ffmpeg without metadata, converted when browsers cannot play it), must be sound only and at most
 * VOICE_MAX_SECONDS long, and is stored with its key noted in pending_blobs. The caller writes the row
 * and calls `claimVoice` in its transaction, or `discardVoice` when the row is not written.
 */
export async function storeVoice(
  deps: { db: Db; blobs: BlobStore; media: MediaOptions },
  file: { path: string; originalname: string; size: number },
  id: string,
): Promise<VoiceRecording> {
  const processed = await processUpload({ path: file.path, originalName: file.originalname, size: file.size }, deps.media);
  try {
    if (processed.kind !== 'audio') throw new UnsupportedMediaType('A voice message must be a sound recording (for example WebM, MP3 or M4A).');
    if (processed.durationMs !== null && processed.durationMs > VOICE_MAX_SECONDS * 1000 + 500)
      throw new PayloadTooLarge(`A voice recording may be at most ${VOICE_MAX_SECONDS / 60} minutes long.`);
    const keys = await storeProcessedMedia(deps.blobs, id, processed);
    const original = keys.original;
    if (!original) throw new Error('storing a voice recording gave no original');
    // The blob store noted the key before writing; this keeps the note if that store was a plain one.
    await noteBlobKeys(deps.db, [original]);
    return {
      mime: processed.mime,
      sha256: processed.sha256,
      size: processed.size,
      durationMs: processed.durationMs,
      variants: { original },
      variantDigests: processed.digests?.original ? { original: processed.digests.original } : {},
    };
  } finally {
    await processed.cleanup();
  }
}

/** Inside the transaction that writes the row: the blob now has an owner. */
export async function claimVoice(trx: Db, voice: VoiceRecording | null): Promise<void> {
  if (voice) await trx.deleteFrom('pendingBlobs').where('key', '=', voice.variants.original).execute();
}

/** The row was not written: delete the stored recording again (the sweeper would, later). */
export async function discardVoice(deps: { db: Db; blobs: BlobStore }, voice: VoiceRecording | null): Promise<void> {
  if (!voice) return;
  await deleteMediaBlobs(deps.blobs, voice.variants);
  await deps.db.deleteFrom('pendingBlobs').where('key', '=', voice.variants.original).execute();
}
