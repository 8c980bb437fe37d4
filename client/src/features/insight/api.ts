import { coverageSchema, heatmapSchema } from '../../../../shared/api/insight.ts';
import { apiPath, http } from '../../lib/http.ts';

export const insightApi = {
  heatmap: (projectId: string, signal?: AbortSignal) => http.get(`${apiPath('/api/projects', projectId)}/heatmap`, heatmapSchema, signal),
  coverage: (groupId: string, signal?: AbortSignal) => http.get(`${apiPath('/api/groups', groupId)}/coverage`, coverageSchema, signal),
};
