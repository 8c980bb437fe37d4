import { myChildrenSchema, myGroupsSchema } from '../../../../shared/api/org.ts';
import { http } from '../../lib/http.ts';

export const homeApi = {
  myGroups: (signal?: AbortSignal) => http.get('/api/me/groups', myGroupsSchema, signal),
  myChildren: (signal?: AbortSignal) => http.get('/api/me/children', myChildrenSchema, signal),
};
