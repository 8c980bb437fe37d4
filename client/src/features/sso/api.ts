import {
  linkCodeResponseSchema,
  schoolSignInSettingsSchema,
  ssoLogoutResponseSchema,
  ssoProvidersResponseSchema,
  type SsoMode,
} from '../../../../shared/api/sso.ts';
import { http } from '../../lib/http.ts';

const enc = encodeURIComponent;

export const ssoApi = {
  providers: (signal?: AbortSignal) => http.get('/api/sso/providers', ssoProvidersResponseSchema, signal),
  settings: (schoolId: string, signal?: AbortSignal) => http.get(`/api/schools/${enc(schoolId)}/sign-in`, schoolSignInSettingsSchema, signal),
  updateSettings: (schoolId: string, body: { passwordSignIn: boolean; providers: Array<{ id: string; mode: SsoMode }> }) =>
    http.put(`/api/schools/${enc(schoolId)}/sign-in`, body, schoolSignInSettingsSchema),
  linkCode: (userId: string, schoolId: string) => http.post(`/api/users/${enc(userId)}/sso-link-codes`, { schoolId }, linkCodeResponseSchema),
  logout: () => http.post('/api/sso/logout', undefined, ssoLogoutResponseSchema),
};

/** Where the browser goes to sign in through a provider (a full page load, not an API call); codes are posted to it (SsoStartForm). */
export const ssoStartUrl = (providerId: string) => `/auth/sso/${enc(providerId)}/start`;
