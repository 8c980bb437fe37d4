import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { notificationsApi } from './api.ts';

export const notificationKeys = {
  all: ['notifications'] as const,
  list: () => [...notificationKeys.all, 'list'] as const,
  unread: () => [...notificationKeys.all, 'unread'] as const,
};

/** The badge's count; realtime events keep it fresh, so it is not polled. */
export const useUnreadCountQuery = () => useQuery({ queryKey: notificationKeys.unread(), queryFn: ({ signal }) => notificationsApi.unreadCount(signal) });

export const useNotificationsQuery = () =>
  useInfiniteQuery({
    queryKey: notificationKeys.list(),
    queryFn: ({ pageParam, signal }) => notificationsApi.page(pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextBefore,
  });

/** A notification arrived or was read (here or in another tab): the list and the badge are read again, through the policy. */
export function notificationsChanged(queryClient: QueryClient): Promise<unknown> {
  return queryClient.invalidateQueries({ queryKey: notificationKeys.all });
}

export function useMarkReadMutation() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: (notificationId: string) => notificationsApi.markRead(notificationId), onSuccess: () => notificationsChanged(queryClient) });
}

export function useMarkAllReadMutation() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: () => notificationsApi.markAllRead(), onSuccess: () => notificationsChanged(queryClient) });
}
