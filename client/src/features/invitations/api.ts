import { meResponseSchema } from '../../../../shared/api/auth.ts';
import { okSchema } from '../../../../shared/api/common.ts';
import {
  bulkInvitationsResponseSchema,
  invitationLettersSchema,
  invitationListSchema,
  invitationSchema,
  mailStatusSchema,
  openInvitationResponseSchema,
  type AcceptInvitationRequest,
  type BulkInvitationsRequest,
} from '../../../../shared/api/invitations.ts';
import type { Locale } from '../../../../shared/roles.ts';
import { apiPath, http } from '../../lib/http.ts';

/** Issue 11 §4–5: guardian invitations, e-mail status and password reset. */
export const invitationsApi = {
  mailStatus: () => http.get('/api/mail-status', mailStatusSchema),
  open: (code: string) => http.post('/api/invitations/open', { code }, openInvitationResponseSchema),
  accept: (body: AcceptInvitationRequest) => http.post('/api/invitations/accept', body, meResponseSchema),
  forGroup: (groupId: string) => http.get(apiPath('/api/groups', groupId, 'guardian-invitations'), invitationListSchema),
  inviteGroup: (groupId: string, locale?: Locale) =>
    http.post('/api/guardian-invitations', { groupId, ...(locale ? { locale } : {}) }, invitationLettersSchema),
  invitePupil: (pupilId: string, email?: string, locale?: Locale) =>
    http.post('/api/guardian-invitations', { pupilId, ...(email ? { email } : {}), ...(locale ? { locale } : {}) }, invitationLettersSchema),
  forPupil: (pupilId: string) => http.get(apiPath('/api/pupils', pupilId, 'guardian-invitations'), invitationListSchema),
  /** The admin's user list: the chosen pupils at once (issue 11 §6). */
  inviteChosen: (schoolId: string, body: BulkInvitationsRequest) =>
    http.post(apiPath('/api/schools', schoolId, 'guardian-invitations'), body, bulkInvitationsResponseSchema),
  resend: (invitationId: string) => http.post(apiPath('/api/guardian-invitations', invitationId, 'resend'), {}, invitationLettersSchema),
  revoke: (invitationId: string) => http.deleteWith(apiPath('/api/guardian-invitations', invitationId), invitationSchema),
  requestReset: (email: string, locale: Locale) => http.post('/api/auth/password-reset', { email, locale }, okSchema),
  confirmReset: (token: string, password: string) => http.post('/api/auth/password-reset/confirm', { token, password }, okSchema),
  setPupilPassword: (pupilId: string, password: string) => http.post(apiPath('/api/pupils', pupilId, 'password'), { password }, okSchema),
};
