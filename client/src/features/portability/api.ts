import { exportJobListSchema, exportJobSchema, importJobSchema, type CreateImportRequest, type ImportJob } from '../../../../shared/api/portability.ts';
import type { Locale } from '../../../../shared/roles.ts';
import { apiPath, http } from '../../lib/http.ts';
import { postMultipart, type UploadProgress } from '../../lib/upload.ts';

export const portabilityApi = {
  exports: (pupilId: string, signal?: AbortSignal) => http.get(`${apiPath('/api/pupils', pupilId)}/exports`, exportJobListSchema, signal),
  startExport: (pupilId: string, locale: Locale) => http.post(`${apiPath('/api/pupils', pupilId)}/exports`, { locale }, exportJobSchema),
  exportJob: (exportId: string, signal?: AbortSignal) => http.get(apiPath('/api/exports', exportId), exportJobSchema, signal),

  /** Uploads the archive with progress; the answer carries the preview. */
  upload(
    file: File,
    data: CreateImportRequest,
    options: { onProgress?: (p: UploadProgress) => void; onSent?: () => void; signal?: AbortSignal },
  ): Promise<ImportJob> {
    const form = new FormData();
    // `data` first: the server reads the fields before the file streams to disk.
    form.append('data', JSON.stringify(data));
    form.append('file', file, file.name);
    return postMultipart('/api/imports', form, importJobSchema, options);
  },
  importJob: (importId: string, signal?: AbortSignal) => http.get(apiPath('/api/imports', importId), importJobSchema, signal),
  apply: (importId: string) => http.post(`${apiPath('/api/imports', importId)}/apply`, {}, importJobSchema),
  discard: (importId: string) => http.delete(apiPath('/api/imports', importId)),
};
