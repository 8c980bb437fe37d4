import { approvalQueueSchema, artefactSharingSchema, showcaseApprovalSchema, type ArtefactSharing } from '../../../../shared/api/guardian-sharing.ts';
import { schoolGuardianSharingSchema, type GuardianSharingMode } from '../../../../shared/api/org.ts';
import { apiPath, http } from '../../lib/http.ts';

/** Issue 12 §1: teacher approval before guardians see. */
export const guardianSharingApi = {
  schoolSetting: (schoolId: string, signal?: AbortSignal) =>
    http.get(apiPath('/api/schools', schoolId, 'guardian-sharing'), schoolGuardianSharingSchema, signal),
  setSchoolSetting: (schoolId: string, guardianSharing: GuardianSharingMode) =>
    http.put(apiPath('/api/schools', schoolId, 'guardian-sharing'), { guardianSharing }, schoolGuardianSharingSchema),
  queue: (groupId: string | undefined, signal?: AbortSignal) =>
    http.get(`/api/guardian-approvals${groupId ? `?groupId=${encodeURIComponent(groupId)}` : ''}`, approvalQueueSchema, signal),
  approve: (artefactId: string, version: number, note?: string) =>
    http.post(apiPath('/api/artefacts', artefactId, 'guardian-approval', 'approve'), { version, ...(note ? { note } : {}) }, artefactSharingSchema),
  return: (artefactId: string, version: number, note: string) =>
    http.post(apiPath('/api/artefacts', artefactId, 'guardian-approval', 'return'), { version, note }, artefactSharingSchema),
  approveShowcase: (showcaseId: string, fingerprint: string, note?: string) =>
    http.post(apiPath('/api/showcases', showcaseId, 'guardian-approval', 'approve'), { fingerprint, ...(note ? { note } : {}) }, showcaseApprovalSchema),
  returnShowcase: (showcaseId: string, fingerprint: string, note: string) =>
    http.post(apiPath('/api/showcases', showcaseId, 'guardian-approval', 'return'), { fingerprint, note }, showcaseApprovalSchema),
  state: (artefactId: string, signal?: AbortSignal): Promise<ArtefactSharing> =>
    http.get(apiPath('/api/artefacts', artefactId, 'guardian-sharing'), artefactSharingSchema, signal),
  setShareHistory: (artefactId: string, shareHistory: boolean) =>
    http.put(apiPath('/api/artefacts', artefactId, 'guardian-sharing'), { shareHistory }, artefactSharingSchema),
};
