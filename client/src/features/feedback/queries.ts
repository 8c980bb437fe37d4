import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { Artefact } from '../../../../shared/api/artefacts.ts';
import type { Feedback, feedbackThreadSchema } from '../../../../shared/api/feedback.ts';
import { artefactKeys } from '../artefacts/queries.ts';
import { overviewKeys } from '../overview/queries.ts';
import { feedbackApi, type CreateFeedbackBody } from './api.ts';

export type FeedbackThread = z.infer<typeof feedbackThreadSchema>;

export const feedbackKeys = {
  all: ['feedback'] as const,
  thread: (artefactId: string) => [...feedbackKeys.all, artefactId] as const,
};

export const useFeedbackQuery = (artefactId: string) =>
  useQuery({ queryKey: feedbackKeys.thread(artefactId), queryFn: ({ signal }) => feedbackApi.thread(artefactId, signal) });

/** Puts one comment into a cached thread (new or edited), oldest first; realtime and our own writes both land here. */
export function upsertFeedback(queryClient: QueryClient, feedback: Feedback): void {
  queryClient.setQueryData<FeedbackThread>(feedbackKeys.thread(feedback.artefactId), (old) => {
    if (!old) return old;
    const exists = old.items.some((f) => f.id === feedback.id);
    const items = exists ? old.items.map((f) => (f.id === feedback.id ? feedback : f)) : [...old.items, feedback];
    items.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    return { ...old, items };
  });
}

/** A deleted comment takes its replies with it (the database cascades the same way). */
export function dropFeedback(queryClient: QueryClient, artefactId: string, feedbackId: string): void {
  queryClient.setQueryData<FeedbackThread>(feedbackKeys.thread(artefactId), (old) => {
    if (!old) return old;
    const gone = new Set([feedbackId]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const f of old.items) {
        if (f.parentId && gone.has(f.parentId) && !gone.has(f.id)) {
          gone.add(f.id);
          grew = true;
        }
      }
    }
    return { ...old, items: old.items.filter((f) => !gone.has(f.id)) };
  });
}

/** Counts (feedback, unread, waiting for feedback) live in other views: re-fetch them. */
export function feedbackCountsChanged(queryClient: QueryClient, artefactId: string, ownerId: string): Promise<unknown> {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: feedbackKeys.thread(artefactId) }),
    queryClient.invalidateQueries({ queryKey: artefactKeys.detail(artefactId) }),
    queryClient.invalidateQueries({ queryKey: artefactKeys.timelines(ownerId) }),
    queryClient.invalidateQueries({ queryKey: overviewKeys.all }),
  ]);
}

export function useCreateFeedbackMutation(artefact: Artefact) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateFeedbackBody) => feedbackApi.create(artefact.id, body),
    onSuccess: (feedback) => {
      upsertFeedback(queryClient, feedback);
      return feedbackCountsChanged(queryClient, artefact.id, artefact.owner.id);
    },
  });
}

/** A message with a recording (issue 10 §3); without one, the same as useCreateFeedbackMutation. */
export function useCreateVoiceFeedbackMutation(artefact: Artefact) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ body, audio }: { body: CreateFeedbackBody; audio: File }) => feedbackApi.createVoice(artefact.id, body, audio),
    onSuccess: (feedback) => {
      upsertFeedback(queryClient, feedback);
      return feedbackCountsChanged(queryClient, artefact.id, artefact.owner.id);
    },
  });
}

export function useUpdateFeedbackMutation(artefact: Artefact) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ feedbackId, body }: { feedbackId: string; body: string }) => feedbackApi.update(artefact.id, feedbackId, { body }),
    onSuccess: (feedback) => upsertFeedback(queryClient, feedback),
  });
}

export function useDeleteFeedbackMutation(artefact: Artefact) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (feedbackId: string) => feedbackApi.remove(artefact.id, feedbackId),
    onSuccess: (_ok, feedbackId) => {
      dropFeedback(queryClient, artefact.id, feedbackId);
      return feedbackCountsChanged(queryClient, artefact.id, artefact.owner.id);
    },
  });
}

export function useMarkReadMutation(artefact: Artefact) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => feedbackApi.markRead(artefact.id),
    onSuccess: () => {
      queryClient.setQueryData<FeedbackThread>(feedbackKeys.thread(artefact.id), (old) =>
        old ? { ...old, unreadCount: 0, readAt: new Date().toISOString() } : old,
      );
      queryClient.setQueryData<Artefact>(artefactKeys.detail(artefact.id), (old) => (old ? { ...old, unreadFeedbackCount: 0 } : old));
      return queryClient.invalidateQueries({ queryKey: artefactKeys.timelines(artefact.owner.id) });
    },
  });
}
