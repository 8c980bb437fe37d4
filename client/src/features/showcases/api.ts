import {
  showcaseListSchema,
  showcaseSchema,
  showcaseTemplateListSchema,
  showcaseTemplateSchema,
  type AddShowcaseItemRequest,
  type CreateShowcaseRequest,
  type CreateShowcaseTemplateRequest,
  type UpdateShowcaseItemRequest,
  type UpdateShowcaseRequest,
  type UpdateShowcaseTemplateRequest,
} from '../../../../shared/api/showcases.ts';
import { apiPath, http } from '../../lib/http.ts';

const showcase = (id: string, ...rest: string[]) => apiPath('/api/showcases', id, ...rest);

/** Issue 12 §3: showcases and their project templates. */
export const showcasesApi = {
  mine: (signal?: AbortSignal) => http.get('/api/showcases', showcaseListSchema, signal),
  ofPupil: (pupilId: string, signal?: AbortSignal) => http.get(apiPath('/api/pupils', pupilId, 'showcases'), showcaseListSchema, signal),
  ofProject: (projectId: string, signal?: AbortSignal) => http.get(apiPath('/api/projects', projectId, 'showcases'), showcaseListSchema, signal),
  get: (id: string, signal?: AbortSignal) => http.get(showcase(id), showcaseSchema, signal),
  create: (body: CreateShowcaseRequest) => http.post('/api/showcases', body, showcaseSchema),
  update: (id: string, body: UpdateShowcaseRequest) => http.patch(showcase(id), body, showcaseSchema),
  remove: (id: string) => http.delete(showcase(id)),
  addItem: (id: string, body: AddShowcaseItemRequest) => http.post(showcase(id, 'items'), body, showcaseSchema),
  updateItem: (id: string, itemId: string, body: UpdateShowcaseItemRequest) => http.patch(showcase(id, 'items', itemId), body, showcaseSchema),
  removeItem: (id: string, itemId: string) => http.deleteWith(showcase(id, 'items', itemId), showcaseSchema),
  reorder: (id: string, itemIds: string[]) => http.put(showcase(id, 'order'), { itemIds }, showcaseSchema),
  templates: (projectId: string, signal?: AbortSignal) =>
    http.get(apiPath('/api/projects', projectId, 'showcase-templates'), showcaseTemplateListSchema, signal),
  createTemplate: (projectId: string, body: CreateShowcaseTemplateRequest) =>
    http.post(apiPath('/api/projects', projectId, 'showcase-templates'), body, showcaseTemplateSchema),
  updateTemplate: (templateId: string, body: UpdateShowcaseTemplateRequest) =>
    http.patch(apiPath('/api/showcase-templates', templateId), body, showcaseTemplateSchema),
  removeTemplate: (templateId: string) => http.delete(apiPath('/api/showcase-templates', templateId)),
  start: (templateId: string) => http.post(apiPath('/api/showcase-templates', templateId, 'start'), undefined, showcaseSchema),
};
