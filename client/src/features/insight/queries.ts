import { useQuery, type QueryClient } from '@tanstack/react-query';
import { insightApi } from './api.ts';

export const insightKeys = {
  all: ['insight'] as const,
  heatmap: (projectId: string) => [...insightKeys.all, 'heatmap', projectId] as const,
  coverage: (groupId: string) => [...insightKeys.all, 'coverage', groupId] as const,
};

export const useHeatmapQuery = (projectId: string) =>
  useQuery({ queryKey: insightKeys.heatmap(projectId), queryFn: ({ signal }) => insightApi.heatmap(projectId, signal), enabled: Boolean(projectId) });

export const useCoverageQuery = (groupId: string) =>
  useQuery({ queryKey: insightKeys.coverage(groupId), queryFn: ({ signal }) => insightApi.coverage(groupId, signal), enabled: Boolean(groupId) });

/** Events that arrive within this window make one refetch (a class saving work at once, an import). */
const COALESCE_MS = 1000;
let pending: ReturnType<typeof setTimeout> | null = null;

/**
 * A pupil added, changed or removed work, or someone assessed a goal: the open heatmaps and coverage views
 * are fetched again (each is one query; only mounted ones refetch, the rest are marked stale). Events
 * within a second of each other make one refetch, so thirty pupils saving at once cost one query.
 */
export function insightChanged(queryClient: QueryClient): void {
  if (pending) return;
  pending = setTimeout(() => {
    pending = null;
    void queryClient.invalidateQueries({ queryKey: insightKeys.all });
  }, COALESCE_MS);
}
