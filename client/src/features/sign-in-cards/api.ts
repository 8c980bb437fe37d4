import { z } from 'zod';
import { meResponseSchema } from '../../../../shared/api/auth.ts';
import {
  bulkUsersResponseSchema,
  cardSettingsSchema,
  groupCardsResponseSchema,
  issuedCardsResponseSchema,
  revokedCardsResponseSchema,
  userDirectoryResponseSchema,
  type BulkUsersRequest,
  type UserDirectoryQuery,
} from '../../../../shared/api/sign-in-cards.ts';
import { apiPath, http } from '../../lib/http.ts';

/** Fetches a PDF the server makes (the cards' codes are in it, so it is never cached) and hands it to the browser as a download. */
async function downloadPdf(path: string, body: unknown, fileName: string): Promise<void> {
  const response = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { Accept: 'application/pdf', 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    // The JSON error path gives the typed ApiError; asking again costs one request and issues nothing (it fails the same way).
    await http.post(path, body, z.unknown());
    return;
  }
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export const cardsApi = {
  signIn: (cardCode: string) => http.post('/api/auth/card', { cardCode }, meResponseSchema),
  group: (groupId: string, signal?: AbortSignal) => http.get(`${apiPath('/api/groups', groupId)}/sign-in-cards`, groupCardsResponseSchema, signal),
  issueForGroup: (groupId: string, pupilIds?: string[]) =>
    http.post(`${apiPath('/api/groups', groupId)}/sign-in-cards`, { ...(pupilIds ? { pupilIds } : {}), format: 'json' }, issuedCardsResponseSchema),
  pdfForGroup: (groupId: string, pupilIds?: string[]) =>
    downloadPdf(`${apiPath('/api/groups', groupId)}/sign-in-cards`, { ...(pupilIds ? { pupilIds } : {}), format: 'pdf' }, 'polku-cards.pdf'),
  issueForSchool: (schoolId: string, pupilIds: string[]) =>
    http.post(`${apiPath('/api/schools', schoolId)}/sign-in-cards`, { pupilIds, format: 'json' }, issuedCardsResponseSchema),
  revoke: (groupId: string, pupilIds?: string[]) =>
    http.post(`${apiPath('/api/groups', groupId)}/sign-in-cards/revoke`, pupilIds ? { pupilIds } : {}, revokedCardsResponseSchema),
  settings: (schoolId: string, signal?: AbortSignal) => http.get(`${apiPath('/api/schools', schoolId)}/sign-in-cards/settings`, cardSettingsSchema, signal),
  updateSettings: (schoolId: string, body: { hoursStart: string | null; hoursEnd: string | null }) =>
    http.put(`${apiPath('/api/schools', schoolId)}/sign-in-cards/settings`, body, cardSettingsSchema),
  directory: (schoolId: string, query: UserDirectoryQuery, signal?: AbortSignal) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
    return http.get(`${apiPath('/api/schools', schoolId)}/user-directory?${params.toString()}`, userDirectoryResponseSchema, signal);
  },
  bulk: (schoolId: string, body: BulkUsersRequest) => http.post(`${apiPath('/api/schools', schoolId)}/users/bulk`, body, bulkUsersResponseSchema),
};
