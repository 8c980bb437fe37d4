import {
  createdShareLinkSchema,
  shareLinkListSchema,
  shareLinkSchema,
  type CreateShareLinkRequest,
  type ShareSubject,
} from '../../../../shared/api/share-links.ts';
import { apiPath, http } from '../../lib/http.ts';

/** Issue 12 §4: secret links of an artefact or a showcase. */
export const shareLinksApi = {
  list: (subject: ShareSubject, signal?: AbortSignal) =>
    http.get(`/api/share-links?subjectType=${subject.type}&subjectId=${encodeURIComponent(subject.id)}`, shareLinkListSchema, signal),
  create: (body: CreateShareLinkRequest) => http.post('/api/share-links', body, createdShareLinkSchema),
  revoke: (linkId: string) => http.post(`${apiPath('/api/share-links', linkId)}/revoke`, undefined, shareLinkSchema),
};
