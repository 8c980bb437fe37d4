import { subjectOf } from '../features/guardian-voice/api.ts';
import { guardianVoiceChanged } from '../features/guardian-voice/queries.ts';
import { peerChanged } from '../features/peer-feedback/queries.ts';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useNavigate } from 'react-router';
import { io, type Socket } from 'socket.io-client';
import { artefactEventSchema } from '../../../shared/api/artefacts.ts';
import { meResponseSchema } from '../../../shared/api/auth.ts';
import { feedbackSchema } from '../../../shared/api/feedback.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../shared/realtime.ts';
import { authKeys, endSessionInCache } from '../features/auth/queries.ts';
import type { SignInState } from '../features/auth/components/sign-in-page.tsx';
import { homeKeys } from '../features/home/queries.ts';
import { artefactAccessLost, artefactChanged, artefactKeys, artefactRemoved } from '../features/artefacts/queries.ts';
import { dropFeedback, feedbackCountsChanged, feedbackKeys, upsertFeedback } from '../features/feedback/queries.ts';
import { overviewKeys } from '../features/overview/queries.ts';
import { exportEvent, importEvent, portabilityKeys } from '../features/portability/queries.ts';
import { goalAssessmentsChanged } from '../features/goals/queries.ts';
import { insightChanged } from '../features/insight/queries.ts';
import { rosterEvent } from '../features/rosters/queries.ts';
import { notificationsChanged } from '../features/notifications/queries.ts';
import { showcasesChanged } from '../features/showcases/queries.ts';
import { approvalsChanged } from '../features/guardian-sharing/queries.ts';

type PolkuSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let current: PolkuSocket | null = null;

/**
 * Closes the connection before a sign-out in this tab, so that the server's `session.ended`
 * for our own sign-out does not race the sign-out's own navigation.
 */
export function closeRealtime(): void {
  current?.disconnect();
  current = null;
}

/**
 * The one realtime connection: open while someone is signed in, authenticated by the same
 * session cookie as HTTP. Events patch or invalidate TanStack Query keys; components only
 * ever read the cache.
 */
export function useRealtime(userId: string | null): void {
  const queryClient = useQueryClient();
  const navigate = useNavigate();

  useEffect(() => {
    if (!userId) return;
    // WebSocket only: one long-lived connection, no long-polling requests (which also need
    // sticky sessions once the server runs as several processes). Without it the app still
    // works; it just learns of changes on the next fetch.
    const socket: PolkuSocket = io({ path: '/socket.io', withCredentials: true, transports: ['websocket'] });
    current = socket;

    const refetchPortfolio = () => {
      for (const queryKey of [artefactKeys.all, feedbackKeys.all, overviewKeys.all]) void queryClient.invalidateQueries({ queryKey });
    };
    socket.on('me.updated', (payload) => {
      const parsed = meResponseSchema.safeParse(payload);
      if (!parsed.success) {
        void queryClient.invalidateQueries({ queryKey: authKeys.me });
        refetchPortfolio();
        return;
      }
      queryClient.setQueryData(authKeys.me, parsed.data);
      // Roles or memberships may have changed, and with them what the home pages show; a guardian whose
      // link to a child ended (issue 11 §4) must not keep the child's work on an open page either.
      void queryClient.invalidateQueries({ queryKey: homeKeys.all });
      refetchPortfolio();
    });

    // Portfolio events reach only people allowed to see the thing (the server picks the rooms):
    // each patches what it can and re-fetches the lists and counts it affects. A payload that
    // does not match the contract just makes everything portfolio-related re-fetch.
    socket.on('artefact.updated', (payload) => {
      const parsed = artefactEventSchema.safeParse(payload.artefact);
      if (parsed.success) void artefactChanged(queryClient, parsed.data);
      else refetchPortfolio();
    });
    // Unshared (or access to the pupil ended): gone from every view now, not at the next fetch.
    socket.on('artefact.access_lost', ({ artefactId, ownerId }) => {
      queryClient.removeQueries({ queryKey: feedbackKeys.thread(artefactId) });
      void artefactAccessLost(queryClient, artefactId, ownerId);
    });
    socket.on('artefact.deleted', ({ artefactId, ownerId }) => void artefactRemoved(queryClient, artefactId, ownerId));
    // Goal assessments (issue 10, section 2): the events carry no content; the goal page is fetched again.
    socket.on('goalAssessment.created', ({ goalId, pupilId }) => void goalAssessmentsChanged(queryClient, goalId, pupilId));
    socket.on('goalAssessment.shared', ({ goalId, pupilId }) => void goalAssessmentsChanged(queryClient, goalId, pupilId));
    // Issue 10 §6: the teacher's heatmap and competence coverage count work and assessments (events reach only
    // those who may see them); any of these makes the open views fetch again, as does a reconnect.
    const refetchInsight = () => insightChanged(queryClient);
    socket.on('artefact.updated', refetchInsight);
    socket.on('artefact.deleted', refetchInsight);
    socket.on('goalAssessment.created', refetchInsight);
    socket.on('import.finished', refetchInsight);
    // Issue 10 §5: peer events carry ids only; every peer view re-reads through the policy.
    socket.on('peerFeedback.changed', () => void peerChanged(queryClient));
    socket.on('peerWork.changed', () => void peerChanged(queryClient));
    // Issue 12 §2: guardian voice events carry ids only; the item's voice and the moderation list are read again.
    socket.on('guardianComment.changed', (ids) => void guardianVoiceChanged(queryClient, subjectOf(ids)));
    socket.on('guardianReaction.changed', (ids) => void guardianVoiceChanged(queryClient, subjectOf(ids)));
    // Issue 12 §3: ids only; every open showcase view reads again through the policy (and on a reconnect).
    // A changed showcase may wait for approval again (issue 12 §1): a teacher's queue reads again too.
    socket.on('showcase.changed', () => {
      void showcasesChanged(queryClient);
      void approvalsChanged(queryClient);
    });
    socket.io.on('reconnect', () => void showcasesChanged(queryClient));
    socket.io.on('reconnect', refetchInsight);
    socket.on('feedback.created', (payload) => {
      const parsed = feedbackSchema.safeParse(payload.feedback);
      if (parsed.success) upsertFeedback(queryClient, parsed.data);
      void feedbackCountsChanged(queryClient, payload.feedback.artefactId, payload.ownerId);
    });
    socket.on('feedback.updated', (payload) => {
      const parsed = feedbackSchema.safeParse(payload.feedback);
      if (parsed.success) upsertFeedback(queryClient, parsed.data);
      else refetchPortfolio();
    });
    socket.on('feedback.deleted', ({ artefactId, feedbackId, ownerId }) => {
      dropFeedback(queryClient, artefactId, feedbackId);
      void feedbackCountsChanged(queryClient, artefactId, ownerId);
    });
    // Issue 10 §4: a new version answered feedback: the thread, the history and the teacher's queue change.
    socket.on('feedback.answered', ({ artefactId }) => {
      for (const queryKey of [feedbackKeys.thread(artefactId), artefactKeys.history(artefactId), overviewKeys.all])
        void queryClient.invalidateQueries({ queryKey });
    });
    // Export and import jobs report to their requester only; each event is the job as GET shows it.
    for (const event of ['export.progress', 'export.finished', 'export.failed'] as const) socket.on(event, (payload) => exportEvent(queryClient, payload));
    for (const event of ['import.progress', 'import.finished', 'import.failed'] as const) socket.on(event, (payload) => importEvent(queryClient, payload));
    for (const event of ['roster.progress', 'roster.finished', 'roster.failed'] as const) socket.on(event, (payload) => rosterEvent(queryClient, payload));
    // An applied import added work to a portfolio (the importer sends no per-artefact events).
    socket.on('import.finished', refetchPortfolio);

    // Events sent while the connection was down are lost: catch up after a reconnect.
    socket.io.on('reconnect', refetchPortfolio);
    socket.io.on('reconnect', () => void queryClient.invalidateQueries({ queryKey: portabilityKeys.all }));

    // Issue 12 §5: the bell and the centre read again (through the policy) when one arrives or is read in another tab.
    socket.on('notification.created', () => void notificationsChanged(queryClient));
    socket.on('notification.read', () => void notificationsChanged(queryClient));
    // On every connect, the first too: a notification sent between the page's first read of the count and
    // the socket's connection would otherwise wait for the next event to show.
    socket.on('connect', () => void notificationsChanged(queryClient));
    // Issue 12 §1: the approval queue and an item's sharing state are read again (ids only in the event).
    socket.on('guardianApproval.changed', ({ subjectType, subjectId }) => {
      void approvalsChanged(queryClient, subjectType === 'artefact' ? subjectId : undefined);
      // A showcase's page shows its approval state (issue 12 §1).
      if (subjectType === 'showcase') void showcasesChanged(queryClient);
    });
    socket.io.on('reconnect', () => void approvalsChanged(queryClient));

    // Signed out elsewhere, password reset or account deactivated: this tab's session is gone too.
    socket.on('session.ended', () => {
      socket.disconnect();
      endSessionInCache(queryClient);
      const state: SignInState = { notice: 'sessionEnded' };
      void navigate('/sign-in', { replace: true, state });
    });

    return () => {
      socket.disconnect();
      if (current === socket) current = null;
    };
  }, [userId, queryClient, navigate]);
}
