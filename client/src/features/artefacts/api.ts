import { z } from 'zod';
import {
  artefactHistorySchema,
  artefactSchema,
  timelinePageSchema,
  type Artefact,
  type CreateArtefactRequest,
  type TimelineQuery,
  type UpdateArtefactRequest,
} from '../../../../shared/api/artefacts.ts';
import { isoDateTime } from '../../../../shared/api/common.ts';
import { pupilTagsSchema } from '../../../../shared/api/tags.ts';
import { apiPath, http } from '../../lib/http.ts';
import { postMultipart, type UploadProgress } from '../../lib/upload.ts';

const deletedSchema = z.object({ ok: z.literal(true), restoreUntil: isoDateTime });

export interface UploadCallbacks {
  onProgress?: (progress: UploadProgress) => void;
  onSent?: () => void;
  signal?: AbortSignal;
}

/** Timeline filters as they appear in the URL and in the query key. */
export type TimelineFilters = Pick<TimelineQuery, 'projectId' | 'subject' | 'competence' | 'kind' | 'tag' | 'q'>;

export const artefactsApi = {
  /** The JSON fields go first in the body, so per-file progress can be told from the bytes sent. */
  create(data: CreateArtefactRequest, files: readonly File[], callbacks: UploadCallbacks = {}): Promise<Artefact> {
    const form = new FormData();
    form.append('data', JSON.stringify(data));
    for (const file of files) form.append('files', file, file.name);
    return postMultipart('/api/artefacts', form, artefactSchema, callbacks);
  },
  /** New files, with the form's edited fields in the same request: one save, one version (issue 10 §4). */
  addMedia(artefactId: string, files: readonly File[], callbacks: UploadCallbacks = {}, data?: UpdateArtefactRequest): Promise<Artefact> {
    const form = new FormData();
    if (data) form.append('data', JSON.stringify(data));
    for (const file of files) form.append('files', file, file.name);
    return postMultipart(`${apiPath('/api/artefacts', artefactId)}/media`, form, artefactSchema, callbacks);
  },
  get: (artefactId: string, signal?: AbortSignal) => http.get(apiPath('/api/artefacts', artefactId), artefactSchema, signal),
  update: (artefactId: string, body: UpdateArtefactRequest, signal?: AbortSignal) =>
    http.patch(apiPath('/api/artefacts', artefactId), body, artefactSchema, signal),
  remove: (artefactId: string) => http.deleteWith(apiPath('/api/artefacts', artefactId), deletedSchema),
  restore: (artefactId: string) => http.post(`${apiPath('/api/artefacts', artefactId)}/restore`, undefined, artefactSchema),
  history: (artefactId: string, signal?: AbortSignal) => http.get(`${apiPath('/api/artefacts', artefactId)}/history`, artefactHistorySchema, signal),
  timeline(pupilId: string, filters: TimelineFilters, cursor: string | null, signal?: AbortSignal) {
    const params = new URLSearchParams();
    if (cursor) params.set('cursor', cursor);
    params.set('limit', '12');
    for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
    return http.get(`${apiPath('/api/pupils', pupilId)}/artefacts?${params.toString()}`, timelinePageSchema, signal);
  },
  /** The tags of the pupil's work that this viewer sees, most used first. */
  tags: (pupilId: string, signal?: AbortSignal) => http.get(`${apiPath('/api/pupils', pupilId)}/tags`, pupilTagsSchema, signal),
};

/** Bytes of the `data` field as the browser will encode it (UTF-8). */
export const jsonBytes = (data: unknown) => new TextEncoder().encode(JSON.stringify(data)).length;
