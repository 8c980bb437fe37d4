import {
  artefactPeerFeedbackSchema,
  peerFeedbackSchema,
  peerModerationListSchema,
  peerSettingsSchema,
  peerWorkSchema,
  projectPeerWorkSchema,
  type CreatePeerFeedbackRequest,
  type PeerSettings,
} from '../../../../shared/api/peer-feedback.ts';
import { apiPath, http } from '../../lib/http.ts';

const artefact = (id: string, rest: string) => `${apiPath('/api/artefacts', id)}/${rest}`;
const project = (id: string, rest: string) => `${apiPath('/api/projects', id)}/${rest}`;

/** Issue 10 §5: peer feedback. */
export const peerApi = {
  projectWork: (projectId: string, signal?: AbortSignal) => http.get(project(projectId, 'peer-work'), projectPeerWorkSchema, signal),
  updateSettings: (projectId: string, body: PeerSettings) => http.put(project(projectId, 'peer-settings'), body, peerSettingsSchema),
  moderation: (projectId: string, signal?: AbortSignal) => http.get(project(projectId, 'peer-moderation'), peerModerationListSchema, signal),
  work: (artefactId: string, signal?: AbortSignal) => http.get(artefact(artefactId, 'peer-work'), peerWorkSchema, signal),
  forArtefact: (artefactId: string, signal?: AbortSignal) => http.get(artefact(artefactId, 'peer-feedback'), artefactPeerFeedbackSchema, signal),
  share: (artefactId: string, shared: boolean) => http.put(artefact(artefactId, 'peer-sharing'), { shared }, artefactPeerFeedbackSchema),
  create: (artefactId: string, body: CreatePeerFeedbackRequest) => http.post(artefact(artefactId, 'peer-feedback'), body, peerFeedbackSchema),
  report: (id: string) => http.post(`${apiPath('/api/peer-feedback', id)}/report`, undefined, peerFeedbackSchema),
  moderate: (id: string, action: 'approve' | 'hide') => http.post(`${apiPath('/api/peer-feedback', id)}/moderation`, { action }, peerFeedbackSchema),
};

export const peerWorkPath = (artefactId: string) => `/peer/${encodeURIComponent(artefactId)}`;
