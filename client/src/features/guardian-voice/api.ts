import {
  guardianCommentSchema,
  guardianModerationListSchema,
  guardianVoiceSchema,
  type GuardianReaction,
  type GuardianSubject,
} from '../../../../shared/api/guardian-voice.ts';
import { apiPath, http } from '../../lib/http.ts';

/** An item's guardian voice path: the same routes under an artefact or a showcase (issue 12 §3). */
const item = (subject: GuardianSubject, rest: string) => `${apiPath(subject.type === 'showcase' ? '/api/showcases' : '/api/artefacts', subject.id)}/${rest}`;

/** Issue 12 §2: guardian voice. */
export const guardianVoiceApi = {
  voice: (subject: GuardianSubject, signal?: AbortSignal) => http.get(item(subject, 'guardian-voice'), guardianVoiceSchema, signal),
  react: (subject: GuardianSubject, reaction: GuardianReaction, given: boolean) =>
    http.put(item(subject, 'guardian-reactions'), { reaction, given }, guardianVoiceSchema),
  comment: (subject: GuardianSubject, body: string) => http.post(item(subject, 'guardian-comments'), { body }, guardianCommentSchema),
  remove: (id: string) => http.delete(apiPath('/api/guardian-comments', id)),
  report: (id: string) => http.post(`${apiPath('/api/guardian-comments', id)}/report`, undefined, guardianCommentSchema),
  moderate: (id: string, action: 'approve' | 'hide') => http.post(`${apiPath('/api/guardian-comments', id)}/moderation`, { action }, guardianCommentSchema),
  moderation: (signal?: AbortSignal) => http.get('/api/guardian-comments/moderation', guardianModerationListSchema, signal),
};

export const guardianModerationPath = () => '/teacher/guardian-comments';

/** The subject named by a comment, a voice, an event or a notification (`artefactId` or `showcaseId`). */
export const subjectOf = (ids: { artefactId?: string | undefined; showcaseId?: string | undefined }): GuardianSubject | null =>
  ids.showcaseId ? { type: 'showcase', id: ids.showcaseId } : ids.artefactId ? { type: 'artefact', id: ids.artefactId } : null;
