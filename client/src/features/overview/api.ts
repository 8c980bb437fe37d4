import { groupOverviewSchema } from '../../../../shared/api/artefacts.ts';
import { apiPath, http } from '../../lib/http.ts';

export const overviewApi = {
  group: (groupId: string, signal?: AbortSignal) => http.get(`${apiPath('/api/groups', groupId)}/overview`, groupOverviewSchema, signal),
};
