import type { FeedbackAnchor } from '../../../shared/api/feedback.ts';
import type { Db } from '../../db/database.ts';
import { BadRequest } from '../../http/errors.ts';

/** Signed URLs of voice messages live as long as those of other media. */
export const VOICE_URL_SECONDS = 300;

/** The route that answers with a voice message's recording after the policy check. */
export function voiceUrl(artefactId: string, feedbackId: string): string {
  return `/api/artefacts/${artefactId}/feedback/${feedbackId}/voice`;
}

/**
 * An anchor names one media item of the feedback's artefact (still on it), a region only on an image
 * and a moment only on a recording or video, and a moment within the recording (when its length is known).
 */
export async function checkAnchor(db: Db, artefactId: string, anchor: FeedbackAnchor): Promise<void> {
  const media = await db
    .selectFrom('mediaItems')
    .select(['kind', 'durationMs'])
    .where('id', '=', anchor.mediaId)
    .where('artefactId', '=', artefactId)
    .where('removedAt', 'is', null)
    .executeTakeFirst();
  if (!media)
    throw new BadRequest('The picture or recording the feedback points at is not part of this work.', [
      { path: 'body.anchor.mediaId', message: 'must be a media item of this artefact' },
    ]);
  if (anchor.kind === 'region' && media.kind !== 'image')
    throw new BadRequest('A region can be marked only on a picture.', [{ path: 'body.anchor.kind', message: 'a region needs an image' }]);
  if (anchor.kind === 'moment') {
    if (media.kind !== 'audio' && media.kind !== 'video')
      throw new BadRequest('A moment can be marked only in a recording or a video.', [{ path: 'body.anchor.kind', message: 'a moment needs audio or video' }]);
    // A second of slack: players round the current time, and containers round the length.
    const limit = media.durationMs === null ? null : media.durationMs / 1000 + 1;
    if (limit !== null && (anchor.start > limit || (anchor.end !== null && anchor.end > limit)))
      throw new BadRequest('The moment is past the end of the recording.', [{ path: 'body.anchor.start', message: 'must be within the recording' }]);
  }
}
