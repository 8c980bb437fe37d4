import { okSchema } from '../../../../shared/api/common.ts';
import { feedbackSchema, feedbackThreadSchema } from '../../../../shared/api/feedback.ts';
import { apiPath, http } from '../../lib/http.ts';
import { postMultipart } from '../../lib/upload.ts';
import type { FeedbackAnchor } from '../../../../shared/api/feedback.ts';

/** New feedback; a teacher may name goals and ask for a revision (issue 10 §3). */
export type CreateFeedbackBody = { body: string; parentId: string | null; goalIds?: string[]; revise?: boolean; anchor?: FeedbackAnchor | null };

const threadPath = (artefactId: string) => `${apiPath('/api/artefacts', artefactId)}/feedback`;

export const feedbackApi = {
  thread: (artefactId: string, signal?: AbortSignal) => http.get(threadPath(artefactId), feedbackThreadSchema, signal),
  create: (artefactId: string, body: CreateFeedbackBody) => http.post(threadPath(artefactId), body, feedbackSchema),
  update: (artefactId: string, feedbackId: string, body: { body: string }) =>
    http.patch(`${threadPath(artefactId)}/${encodeURIComponent(feedbackId)}`, body, feedbackSchema),
  remove: (artefactId: string, feedbackId: string) => http.deleteWith(`${threadPath(artefactId)}/${encodeURIComponent(feedbackId)}`, okSchema),
  markRead: (artefactId: string) => http.post(`${threadPath(artefactId)}/read`, undefined, okSchema),
  /** A voice message (issue 10 §3): the fields first, then the recording. */
  createVoice: (artefactId: string, body: CreateFeedbackBody, audio: File) => {
    const form = new FormData();
    form.append('data', JSON.stringify(body));
    form.append('audio', audio, audio.name);
    return postMultipart(`${threadPath(artefactId)}/voice`, form, feedbackSchema);
  },
};
