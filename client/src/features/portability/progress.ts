import type { JobProgress } from '../../../../shared/api/portability.ts';

// Each phase's share of the bar: media dominates both jobs, since it is most of the bytes.
const SPANS: Record<string, [number, number]> = {
  collecting: [0, 0.05],
  media: [0.05, 0.85],
  pages: [0.85, 0.95],
  finishing: [0.95, 1],
  reading: [0, 0.1],
  rows: [0.7, 1],
};
const IMPORT_MEDIA: [number, number] = [0.1, 0.7];

/** 0…100 for a progress bar, from a job's phase and its done/total counts. */
export function progressPercent(progress: JobProgress | null, kind: 'export' | 'import'): number {
  if (!progress) return 0;
  const [start, end] = progress.phase === 'media' && kind === 'import' ? IMPORT_MEDIA : (SPANS[progress.phase] ?? [0, 1]);
  const within = progress.total > 0 ? Math.min(1, progress.done / progress.total) : 0;
  return Math.round((start + (end - start) * within) * 100);
}
