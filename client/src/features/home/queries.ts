import { useQuery } from '@tanstack/react-query';
import { homeApi } from './api.ts';

export const homeKeys = {
  all: ['home'] as const,
  groups: () => [...homeKeys.all, 'groups'] as const,
  children: () => [...homeKeys.all, 'children'] as const,
};

export function useMyGroupsQuery() {
  return useQuery({ queryKey: homeKeys.groups(), queryFn: ({ signal }) => homeApi.myGroups(signal) });
}

export function useMyChildrenQuery() {
  return useQuery({ queryKey: homeKeys.children(), queryFn: ({ signal }) => homeApi.myChildren(signal) });
}
