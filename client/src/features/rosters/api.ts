import { rosterImportSchema, type RosterImport } from '../../../../shared/api/rosters.ts';
import { apiPath, http } from '../../lib/http.ts';
import { postMultipart, type UploadProgress } from '../../lib/upload.ts';

export const rostersApi = {
  /** Uploads a roster ZIP for a school; the answer carries the preview diff. */
  upload(schoolId: string, file: File, options: { onProgress?: (p: UploadProgress) => void; signal?: AbortSignal }): Promise<RosterImport> {
    const form = new FormData();
    form.append('file', file, file.name);
    return postMultipart(`${apiPath('/api/schools', schoolId)}/roster-imports`, form, rosterImportSchema, options);
  },
  get: (id: string, signal?: AbortSignal) => http.get(apiPath('/api/roster-imports', id), rosterImportSchema, signal),
  apply: (id: string) => http.post(`${apiPath('/api/roster-imports', id)}/apply`, {}, rosterImportSchema),
  discard: (id: string) => http.delete(apiPath('/api/roster-imports', id)),
};
