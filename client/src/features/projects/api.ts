import { projectListSchema, projectSchema, type CreateProjectRequest, type UpdateProjectRequest } from '../../../../shared/api/projects.ts';
import { groupListSchema, myGroupsSchema, schoolUserListSchema } from '../../../../shared/api/org.ts';
import { scaleListSchema } from '../../../../shared/api/scales.ts';
import { apiPath, http } from '../../lib/http.ts';

export const projectsApi = {
  list: (signal?: AbortSignal) => http.get('/api/projects', projectListSchema, signal),
  get: (projectId: string, signal?: AbortSignal) => http.get(apiPath('/api/projects', projectId), projectSchema, signal),
  create: (body: CreateProjectRequest) => http.post('/api/projects', body, projectSchema),
  update: (projectId: string, body: UpdateProjectRequest) => http.patch(apiPath('/api/projects', projectId), body, projectSchema),

  // Choices for the project form: groups of the school (teachers and admins may list them) …
  schoolGroups: (schoolId: string, signal?: AbortSignal) => http.get(`${apiPath('/api/schools', schoolId)}/groups`, groupListSchema, signal),
  // … the school's teachers (admins only) …
  schoolTeachers: (schoolId: string, signal?: AbortSignal) => http.get(`${apiPath('/api/schools', schoolId)}/users?role=teacher`, schoolUserListSchema, signal),
  // … and, for teachers, the colleagues they share a group with.
  // … the assessment scales the school's projects may use (built-ins and the school's own) …
  schoolScales: (schoolId: string, signal?: AbortSignal) => http.get(`${apiPath('/api/schools', schoolId)}/scales`, scaleListSchema, signal),
  myGroups: (signal?: AbortSignal) => http.get('/api/me/groups', myGroupsSchema, signal),
};
