import { meResponseSchema, sessionResponseSchema, type LoginRequest, type MeResponse, type UpdateMeRequest } from '../../../../shared/api/auth.ts';
import { okSchema } from '../../../../shared/api/common.ts';
import { http } from '../../lib/http.ts';
import { ssoLogoutResponseSchema } from '../../../../shared/api/sso.ts';

export const authApi = {
  /**
   * The signed-in user, or `null` when there is no session. Asked from /api/auth/session, which
   * answers 200 either way: a 401 would be logged by the browser as an error on every signed-out visit.
   */
  async me(signal?: AbortSignal): Promise<MeResponse | null> {
    return (await http.get('/api/auth/session', sessionResponseSchema, signal)).me;
  },
  login: (body: LoginRequest) => http.post('/api/auth/login', body, meResponseSchema),
  logout: () => http.post('/api/auth/logout', undefined, okSchema),
  /** Signs out like `logout`, and names the provider's own sign-out when the session came from one (school sign-in). */
  logoutWithProvider: () => http.post('/api/sso/logout', undefined, ssoLogoutResponseSchema),
  updateMe: (body: UpdateMeRequest) => http.patch('/api/me', body, meResponseSchema),
};
