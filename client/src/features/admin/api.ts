import { z } from 'zod';
import {
  groupDetailSchema,
  groupListSchema,
  groupSchema,
  guardianLinkListSchema,
  schoolListSchema,
  schoolSchema,
  schoolUserListSchema,
  userDetailSchema,
  type CreateUserRequest,
  type UpdateUserRequest,
  type updateSchoolRequestSchema,
} from '../../../../shared/api/org.ts';
import type { GroupRole, SchoolRole } from '../../../../shared/roles.ts';
import { apiPath, http } from '../../lib/http.ts';

const anything = z.unknown();

export const adminApi = {
  schools: (signal?: AbortSignal) => http.get('/api/schools', schoolListSchema, signal),
  school: (schoolId: string, signal?: AbortSignal) => http.get(apiPath('/api/schools', schoolId), schoolSchema, signal),
  createSchool: (body: { name: string; code?: string }) => http.post('/api/schools', body, schoolSchema),
  updateSchool: (schoolId: string, body: z.input<typeof updateSchoolRequestSchema>) => http.patch(apiPath('/api/schools', schoolId), body, schoolSchema),

  groups: (schoolId: string, signal?: AbortSignal) => http.get(`${apiPath('/api/schools', schoolId)}/groups`, groupListSchema, signal),
  createGroup: (schoolId: string, body: { name: string; schoolYear?: string }) => http.post(`${apiPath('/api/schools', schoolId)}/groups`, body, groupSchema),
  group: (groupId: string, signal?: AbortSignal) => http.get(apiPath('/api/groups', groupId), groupDetailSchema, signal),
  updateGroup: (groupId: string, body: { name?: string; schoolYear?: string | null }) => http.patch(apiPath('/api/groups', groupId), body, anything),
  putMember: (groupId: string, userId: string, role: GroupRole) =>
    http.put(`${apiPath('/api/groups', groupId)}/members/${encodeURIComponent(userId)}`, { role }, anything),
  removeMember: (groupId: string, userId: string) => http.delete(`${apiPath('/api/groups', groupId)}/members/${encodeURIComponent(userId)}`),

  users: (schoolId: string, role: SchoolRole | undefined, signal?: AbortSignal) =>
    http.get(`${apiPath('/api/schools', schoolId)}/users${role ? `?role=${encodeURIComponent(role)}` : ''}`, schoolUserListSchema, signal),
  createUser: (schoolId: string, body: CreateUserRequest) => http.post(`${apiPath('/api/schools', schoolId)}/users`, body, anything),
  user: (userId: string, signal?: AbortSignal) => http.get(apiPath('/api/users', userId), userDetailSchema, signal),
  updateUser: (userId: string, body: UpdateUserRequest) => http.patch(apiPath('/api/users', userId), body, anything),

  guardianLinks: (schoolId: string, signal?: AbortSignal) => http.get(`${apiPath('/api/schools', schoolId)}/guardian-links`, guardianLinkListSchema, signal),
  createGuardianLink: (guardianId: string, pupilId: string) => http.post('/api/guardian-links', { guardianId, pupilId }, anything),
  deleteGuardianLink: (guardianId: string, pupilId: string) => http.delete(apiPath('/api/guardian-links', guardianId, pupilId)),
};
