import { guardianCommentSchema, guardianModerationListSchema, guardianVoiceSchema, type GuardianReaction } from '../../../../shared/api/guardian-voice.ts';
import { apiPath, http } from '../../lib/http.ts';

const artefact = (id: string, rest: string) => `${apiPath('/api/artefacts', id)}/${rest}`;

/** Issue 12 §2: guardian voice. */
export const guardianVoiceApi = {
  voice: (artefactId: string, signal?: AbortSignal) => http.get(artefact(artefactId, 'guardian-voice'), guardianVoiceSchema, signal),
  react: (artefactId: string, reaction: GuardianReaction, given: boolean) =>
    http.put(artefact(artefactId, 'guardian-reactions'), { reaction, given }, guardianVoiceSchema),
  comment: (artefactId: string, body: string) => http.post(artefact(artefactId, 'guardian-comments'), { body }, guardianCommentSchema),
  remove: (id: string) => http.delete(apiPath('/api/guardian-comments', id)),
  report: (id: string) => http.post(`${apiPath('/api/guardian-comments', id)}/report`, undefined, guardianCommentSchema),
  moderate: (id: string, action: 'approve' | 'hide') => http.post(`${apiPath('/api/guardian-comments', id)}/moderation`, { action }, guardianCommentSchema),
  moderation: (signal?: AbortSignal) => http.get('/api/guardian-comments/moderation', guardianModerationListSchema, signal),
};

export const guardianModerationPath = () => '/teacher/guardian-comments';
