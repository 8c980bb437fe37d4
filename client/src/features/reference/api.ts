import { referenceDataSchema } from '../../../../shared/api/reference.ts';
import { http } from '../../lib/http.ts';

export const referenceApi = {
  get: (signal?: AbortSignal) => http.get('/api/reference', referenceDataSchema, signal),
};
