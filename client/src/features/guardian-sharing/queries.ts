import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { GuardianSharingMode } from '../../../../shared/api/org.ts';
import { artefactKeys } from '../artefacts/queries.ts';
import { showcaseKeys } from '../showcases/queries.ts';
import { guardianSharingApi } from './api.ts';

export const guardianSharingKeys = {
  all: ['guardian-sharing'] as const,
  school: (schoolId: string) => [...guardianSharingKeys.all, 'school', schoolId] as const,
  queue: (groupId: string | undefined) => [...guardianSharingKeys.all, 'queue', groupId ?? 'all'] as const,
  artefact: (artefactId: string) => [...guardianSharingKeys.all, 'artefact', artefactId] as const,
};

export const useSchoolGuardianSharingQuery = (schoolId: string) =>
  useQuery({ queryKey: guardianSharingKeys.school(schoolId), queryFn: ({ signal }) => guardianSharingApi.schoolSetting(schoolId, signal) });

export function useSetSchoolGuardianSharingMutation(schoolId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (mode: GuardianSharingMode) => guardianSharingApi.setSchoolSetting(schoolId, mode),
    onSuccess: (data) => queryClient.setQueryData(guardianSharingKeys.school(schoolId), data),
  });
}

/** The approval queue; `guardianApproval.changed` events make it read again (approvalsChanged). */
export const useApprovalQueueQuery = (groupId?: string) =>
  useQuery({ queryKey: guardianSharingKeys.queue(groupId), queryFn: ({ signal }) => guardianSharingApi.queue(groupId, signal) });

export const useArtefactSharingQuery = (artefactId: string, enabled: boolean) =>
  useQuery({
    queryKey: guardianSharingKeys.artefact(artefactId),
    queryFn: ({ signal }) => guardianSharingApi.state(artefactId, signal),
    enabled,
    retry: false,
  });

/** A shared item's approval state changed (here, in another tab, or by a colleague): queues and its state are read again. */
export function approvalsChanged(queryClient: QueryClient, artefactId?: string): Promise<unknown> {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: [...guardianSharingKeys.all, 'queue'] }),
    artefactId ? queryClient.invalidateQueries({ queryKey: guardianSharingKeys.artefact(artefactId) }) : null,
  ]);
}

export function useDecisionMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (d: { artefactId: string; version: number; approve: boolean; note: string }) =>
      d.approve ? guardianSharingApi.approve(d.artefactId, d.version, d.note || undefined) : guardianSharingApi.return(d.artefactId, d.version, d.note),
    onSuccess: (data, d) => {
      queryClient.setQueryData(guardianSharingKeys.artefact(d.artefactId), data);
      return approvalsChanged(queryClient);
    },
  });
}

/** A showcase's decision (issue 12 §1): the showcase's page reads it again, as do the queues. */
export function useShowcaseDecisionMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (d: { showcaseId: string; fingerprint: string; approve: boolean; note: string }) =>
      d.approve
        ? guardianSharingApi.approveShowcase(d.showcaseId, d.fingerprint, d.note || undefined)
        : guardianSharingApi.returnShowcase(d.showcaseId, d.fingerprint, d.note),
    onSuccess: (_data, d) => Promise.all([approvalsChanged(queryClient), queryClient.invalidateQueries({ queryKey: showcaseKeys.detail(d.showcaseId) })]),
  });
}

export function useShareHistoryMutation(artefactId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (shareHistory: boolean) => guardianSharingApi.setShareHistory(artefactId, shareHistory),
    onSuccess: (data) => {
      queryClient.setQueryData(guardianSharingKeys.artefact(artefactId), data);
      return queryClient.invalidateQueries({ queryKey: artefactKeys.history(artefactId) });
    },
  });
}
