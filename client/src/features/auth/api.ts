import { meResponseSchema, type LoginRequest, type MeResponse, type UpdateMeRequest } from '../../../../shared/api/auth.ts';
import { okSchema } from '../../../../shared/api/common.ts';
import { http, isApiError } from '../../lib/http.ts';

export const authApi = {
  /** The signed-in user, or `null` when there is no session. */
  async me(signal?: AbortSignal): Promise<MeResponse | null> {
    try {
      return await http.get('/api/me', meResponseSchema, signal);
    } catch (error) {
      if (isApiError(error, 'unauthenticated')) return null;
      throw error;
    }
  },
  login: (body: LoginRequest) => http.post('/api/auth/login', body, meResponseSchema),
  logout: () => http.post('/api/auth/logout', undefined, okSchema),
  updateMe: (body: UpdateMeRequest) => http.patch('/api/me', body, meResponseSchema),
};
