import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CreateUserRequest, UpdateUserRequest } from '../../../../shared/api/org.ts';
import type { GroupRole, SchoolRole } from '../../../../shared/roles.ts';
import { authKeys } from '../auth/queries.ts';
import { homeKeys } from '../home/queries.ts';
import { adminApi } from './api.ts';

export const adminKeys = {
  all: ['admin'] as const,
  schools: () => [...adminKeys.all, 'schools'] as const,
  school: (schoolId: string) => [...adminKeys.all, 'school', schoolId] as const,
  groups: (schoolId: string) => [...adminKeys.school(schoolId), 'groups'] as const,
  users: (schoolId: string, role?: SchoolRole) => [...adminKeys.school(schoolId), 'users', role ?? 'all'] as const,
  links: (schoolId: string) => [...adminKeys.school(schoolId), 'guardian-links'] as const,
  group: (groupId: string) => [...adminKeys.all, 'group', groupId] as const,
  user: (userId: string) => [...adminKeys.all, 'user', userId] as const,
};

export const useSchoolsQuery = () => useQuery({ queryKey: adminKeys.schools(), queryFn: ({ signal }) => adminApi.schools(signal) });
export const useSchoolQuery = (schoolId: string) =>
  useQuery({ queryKey: adminKeys.school(schoolId), queryFn: ({ signal }) => adminApi.school(schoolId, signal) });
export const useGroupsQuery = (schoolId: string) =>
  useQuery({ queryKey: adminKeys.groups(schoolId), queryFn: ({ signal }) => adminApi.groups(schoolId, signal) });
export const useGroupQuery = (groupId: string) => useQuery({ queryKey: adminKeys.group(groupId), queryFn: ({ signal }) => adminApi.group(groupId, signal) });
export const useSchoolUsersQuery = (schoolId: string, role?: SchoolRole) =>
  useQuery({ queryKey: adminKeys.users(schoolId, role), queryFn: ({ signal }) => adminApi.users(schoolId, role, signal) });
export const useUserQuery = (userId: string) => useQuery({ queryKey: adminKeys.user(userId), queryFn: ({ signal }) => adminApi.user(userId, signal) });
export const useGuardianLinksQuery = (schoolId: string) =>
  useQuery({ queryKey: adminKeys.links(schoolId), queryFn: ({ signal }) => adminApi.guardianLinks(schoolId, signal) });

/**
 * Admin changes ripple (a new member changes the group list's counts, a new link the user's
 * detail page …): after any of them, everything under `admin` is re-fetched, plus what the
 * admin's own home pages and profile show. The lists are small; correctness beats precision here.
 */
function useAdminMutation<TVars, TResult>(mutationFn: (vars: TVars) => Promise<TResult>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn,
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: adminKeys.all }),
        queryClient.invalidateQueries({ queryKey: homeKeys.all }),
        queryClient.invalidateQueries({ queryKey: authKeys.me }),
      ]),
  });
}

export const useCreateSchoolMutation = () => useAdminMutation((body: { name: string; code?: string }) => adminApi.createSchool(body));
export const useUpdateSchoolMutation = (schoolId: string) =>
  useAdminMutation((body: Parameters<typeof adminApi.updateSchool>[1]) => adminApi.updateSchool(schoolId, body));

export const useCreateGroupMutation = (schoolId: string) =>
  useAdminMutation((body: { name: string; schoolYear?: string }) => adminApi.createGroup(schoolId, body));
export const useUpdateGroupMutation = (groupId: string) =>
  useAdminMutation((body: { name?: string; schoolYear?: string | null }) => adminApi.updateGroup(groupId, body));
export const usePutMemberMutation = (groupId: string) =>
  useAdminMutation(({ userId, role }: { userId: string; role: GroupRole }) => adminApi.putMember(groupId, userId, role));
export const useRemoveMemberMutation = (groupId: string) => useAdminMutation((userId: string) => adminApi.removeMember(groupId, userId));

export const useCreateUserMutation = (schoolId: string) => useAdminMutation((body: CreateUserRequest) => adminApi.createUser(schoolId, body));
export const useUpdateUserMutation = (userId: string) => useAdminMutation((body: UpdateUserRequest) => adminApi.updateUser(userId, body));

export const useCreateGuardianLinkMutation = () =>
  useAdminMutation(({ guardianId, pupilId }: { guardianId: string; pupilId: string }) => adminApi.createGuardianLink(guardianId, pupilId));
export const useDeleteGuardianLinkMutation = () =>
  useAdminMutation(({ guardianId, pupilId }: { guardianId: string; pupilId: string }) => adminApi.deleteGuardianLink(guardianId, pupilId));
