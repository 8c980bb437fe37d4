import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { RosterImport } from '../../../../shared/api/rosters.ts';
import { rostersApi } from './api.ts';

export const rosterKeys = {
  all: ['rosters'] as const,
  import: (id: string) => [...rosterKeys.all, 'import', id] as const,
};

/** A roster import; while it is applied, socket events keep it current (and a slow poll, should the socket be down). */
export function useRosterImportQuery(id: string | null) {
  return useQuery({
    queryKey: rosterKeys.import(id ?? ''),
    queryFn: ({ signal }) => rostersApi.get(id!, signal),
    enabled: id !== null,
    refetchInterval: (q) => (q.state.data?.status === 'running' ? 3_000 : false),
  });
}

export function useApplyRosterMutation() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: rostersApi.apply, onSuccess: (job) => rosterEvent(queryClient, job) });
}

export function useDiscardRosterMutation() {
  return useMutation({ mutationFn: rostersApi.discard });
}

/** `roster.progress` / `roster.finished` / `roster.failed`: the payload is the job itself. */
export function rosterEvent(queryClient: QueryClient, job: RosterImport): void {
  queryClient.setQueryData(rosterKeys.import(job.id), job);
}
