import { useQuery } from '@tanstack/react-query';
import { overviewApi } from './api.ts';

export const overviewKeys = {
  all: ['overview'] as const,
  group: (groupId: string) => [...overviewKeys.all, groupId] as const,
};

export const useGroupOverviewQuery = (groupId: string) =>
  useQuery({ queryKey: overviewKeys.group(groupId), queryFn: ({ signal }) => overviewApi.group(groupId, signal) });
