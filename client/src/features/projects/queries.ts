import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CreateProjectRequest, Project, UpdateProjectRequest } from '../../../../shared/api/projects.ts';
import { projectsApi } from './api.ts';

export const projectKeys = {
  all: ['projects'] as const,
  list: () => [...projectKeys.all, 'list'] as const,
  detail: (projectId: string) => [...projectKeys.all, 'detail', projectId] as const,
  schoolGroups: (schoolId: string) => [...projectKeys.all, 'school-groups', schoolId] as const,
  schoolTeachers: (schoolId: string) => [...projectKeys.all, 'school-teachers', schoolId] as const,
  schoolScales: (schoolId: string) => [...projectKeys.all, 'school-scales', schoolId] as const,
};

export const useProjectsQuery = () => useQuery({ queryKey: projectKeys.list(), queryFn: ({ signal }) => projectsApi.list(signal) });

export const useProjectQuery = (projectId: string | null | undefined) =>
  useQuery({
    queryKey: projectKeys.detail(projectId ?? ''),
    queryFn: ({ signal }) => projectsApi.get(projectId ?? '', signal),
    enabled: Boolean(projectId),
  });

export const useSchoolGroupsQuery = (schoolId: string) =>
  useQuery({
    queryKey: projectKeys.schoolGroups(schoolId),
    queryFn: ({ signal }) => projectsApi.schoolGroups(schoolId, signal),
    enabled: Boolean(schoolId),
  });

export const useSchoolTeachersQuery = (schoolId: string, enabled: boolean) =>
  useQuery({
    queryKey: projectKeys.schoolTeachers(schoolId),
    queryFn: ({ signal }) => projectsApi.schoolTeachers(schoolId, signal),
    enabled: enabled && Boolean(schoolId),
  });

export const useSchoolScalesQuery = (schoolId: string) =>
  useQuery({
    queryKey: projectKeys.schoolScales(schoolId),
    queryFn: ({ signal }) => projectsApi.schoolScales(schoolId, signal),
    enabled: Boolean(schoolId),
  });

export function useCreateProjectMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateProjectRequest) => projectsApi.create(body),
    onSuccess: (project) => {
      queryClient.setQueryData<Project>(projectKeys.detail(project.id), project);
      return queryClient.invalidateQueries({ queryKey: projectKeys.list() });
    },
  });
}

export function useUpdateProjectMutation(projectId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateProjectRequest) => projectsApi.update(projectId, body),
    onSuccess: (project) => {
      queryClient.setQueryData<Project>(projectKeys.detail(project.id), project);
      return queryClient.invalidateQueries({ queryKey: projectKeys.list() });
    },
  });
}
