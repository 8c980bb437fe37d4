import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { exportJobSchema, importJobSchema, type ExportJob, type ExportJobList, type ImportJob } from '../../../../shared/api/portability.ts';
import type { Locale } from '../../../../shared/roles.ts';
import { portabilityApi } from './api.ts';

export const portabilityKeys = {
  all: ['portability'] as const,
  exports: (pupilId: string) => [...portabilityKeys.all, 'exports', pupilId] as const,
  importJob: (importId: string) => [...portabilityKeys.all, 'import', importId] as const,
};

const active = (status: string) => status === 'queued' || status === 'running';
// Events carry progress; this slow re-fetch only covers a missed event or a dropped connection.
const FALLBACK_POLL_MS = 5_000;

export const useExportsQuery = (pupilId: string) =>
  useQuery({
    queryKey: portabilityKeys.exports(pupilId),
    queryFn: ({ signal }) => portabilityApi.exports(pupilId, signal),
    refetchInterval: (query) => (query.state.data?.exports.some((e) => active(e.status)) ? FALLBACK_POLL_MS : false),
  });

export function useStartExportMutation(pupilId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (locale: Locale) => portabilityApi.startExport(pupilId, locale),
    onSuccess: (job) => upsertExport(queryClient, job),
  });
}

export const useImportQuery = (importId: string | null) =>
  useQuery({
    queryKey: portabilityKeys.importJob(importId ?? ''),
    queryFn: ({ signal }) => portabilityApi.importJob(importId ?? '', signal),
    enabled: importId !== null,
    refetchInterval: (query) => (query.state.data && active(query.state.data.status) ? FALLBACK_POLL_MS : false),
  });

export function useApplyImportMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (importId: string) => portabilityApi.apply(importId),
    onSuccess: (job) => queryClient.setQueryData(portabilityKeys.importJob(job.id), job),
  });
}

export function useDiscardImportMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (importId: string) => portabilityApi.discard(importId),
    onSuccess: (_result, importId) => queryClient.removeQueries({ queryKey: portabilityKeys.importJob(importId) }),
  });
}

/** An export's newer state (from an answer or an `export.*` event) replaces the old one in its pupil's list. */
export function upsertExport(queryClient: QueryClient, job: ExportJob): void {
  queryClient.setQueryData<ExportJobList>(portabilityKeys.exports(job.pupil.id), (old) => {
    if (!old) return { exports: [job] };
    const others = old.exports.filter((e) => e.id !== job.id);
    // A late progress event must not overwrite the finished state.
    const previous = old.exports.find((e) => e.id === job.id);
    if (previous && !active(previous.status) && active(job.status)) return old;
    return { exports: [job, ...others].sort((a, b) => b.createdAt.localeCompare(a.createdAt)) };
  });
}

/** Socket payloads are checked against the contract; one that does not match makes the lists re-fetch. */
export function exportEvent(queryClient: QueryClient, payload: unknown): void {
  const parsed = exportJobSchema.safeParse(payload);
  if (parsed.success) upsertExport(queryClient, parsed.data);
  else void queryClient.invalidateQueries({ queryKey: portabilityKeys.all });
}

export function importEvent(queryClient: QueryClient, payload: unknown): void {
  const parsed = importJobSchema.safeParse(payload);
  if (!parsed.success) {
    void queryClient.invalidateQueries({ queryKey: portabilityKeys.all });
    return;
  }
  queryClient.setQueryData<ImportJob>(portabilityKeys.importJob(parsed.data.id), (old) =>
    old && !active(old.status) && old.status !== 'ready' && active(parsed.data.status) ? old : parsed.data,
  );
}
