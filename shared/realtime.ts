import type { MeResponse } from './api/auth.ts';
import type { ArtefactEvent } from './api/artefacts.ts';
import type { Feedback } from './api/feedback.ts';
import type { Notification } from './api/notifications.ts';
import type { ExportJob, ImportJob } from './api/portability.ts';
import type { RosterImport } from './api/rosters.ts';

/** Issue 12 §2: the item a guardian voice event is about: an artefact, or a showcase (§3); exactly one is set. */
export type GuardianItemIds = { artefactId?: string; showcaseId?: string; ownerId: string };

/**
 * Events the server sends. Payloads are presenter outputs, the same shapes as the HTTP API.
 * Each goes only to the user rooms of people the policy lets see the thing, after the commit.
 */
export interface ServerToClientEvents {
  /** The signed-in user's profile or roles changed (e.g. an admin edited them). */
  'me.updated': (payload: MeResponse) => void;
  /**
   * This session was ended (signed out, expired, pruned, the account deactivated or its password changed).
   * The server disconnects the session's sockets right after sending it, in every process.
   */
  'session.ended': (payload: { reason: SessionEndReason }) => void;
  /** An artefact was created, edited, marked ready, shared, or restored. */
  'artefact.updated': (payload: { artefact: ArtefactEvent }) => void;
  /**
   * The receiver may no longer see this artefact (it was unshared, or their access to the pupil ended):
   * the client drops it from every view at once. Sent only to those who lost access.
   */
  'artefact.access_lost': (payload: { artefactId: string; ownerId: string }) => void;
  /** An artefact was deleted (it can still be restored for a while). */
  'artefact.deleted': (payload: { artefactId: string; ownerId: string }) => void;
  'feedback.created': (payload: { feedback: Feedback; ownerId: string }) => void;
  'feedback.updated': (payload: { feedback: Feedback; ownerId: string }) => void;
  'feedback.deleted': (payload: { artefactId: string; feedbackId: string; ownerId: string }) => void;
  /** Issue 10 §4: the pupil's new version `version` answers these feedback messages (to those who see the artefact). */
  'feedback.answered': (payload: { artefactId: string; feedbackIds: string[]; version: number; ownerId: string }) => void;
  /** An export job of this user moved on (queued, running with progress); the same shape as GET /api/exports/:id. Only to the requester. */
  'export.progress': (payload: ExportJob) => void;
  /** The archive is ready to download. */
  'export.finished': (payload: ExportJob) => void;
  /** The export stopped with an error (`error` says why). */
  'export.failed': (payload: ExportJob) => void;
  /** An import being applied moved on; the same shape as GET /api/imports/:id. Only to the requester. */
  'import.progress': (payload: ImportJob) => void;
  /** The import was applied; `report` accounts for every entry. */
  'import.finished': (payload: ImportJob) => void;
  'import.failed': (payload: ImportJob) => void;
  // --- Goal assessments (issue 10, section 2) ---
  /**
   * A self-assessment or teacher's level was recorded on a pupil's goal. No content: receivers reload the
   * goal page through the policy (a guardian hears only of shared ones, and then sees only what is shared).
   */
  'goalAssessment.created': (payload: GoalAssessmentEvent) => void;
  /** The pupil shared an assessment with guardians or stopped sharing it. */
  'goalAssessment.shared': (payload: GoalAssessmentEvent) => void;
  // --- Peer feedback (issue 10, section 5) ---
  /**
   * A peer message was written, approved, hidden or reported. Ids only, sent to those who may see it before or
   * after the change (held ones: the author and teachers only); receivers re-read through the policy.
   */
  'peerFeedback.changed': (payload: { artefactId: string; projectId: string; peerFeedbackId: string }) => void;
  /** A pupil shared work with the project's pupils or stopped sharing it (to the project's pupils and teachers). */
  'peerWork.changed': (payload: { artefactId: string; projectId: string }) => void;
  // --- Rosters (issue 11 §2): only to the admin who applies the roster; the same shape as GET /api/roster-imports/:id ---
  'roster.progress': (payload: RosterImport) => void;
  'roster.finished': (payload: RosterImport) => void;
  'roster.failed': (payload: RosterImport) => void;
  // --- Notification centre (issue 12 §5): only to the recipient ---
  /** A new notification, as GET /api/notifications shows it (the policy is checked again whenever the list is read). */
  'notification.created': (payload: Notification) => void;
  /** The recipient marked one (`notificationId`) or all (null) read, perhaps in another tab: badges follow. */
  'notification.read': (payload: { notificationId: string | null }) => void;
  // --- Guardian voice (issue 12 §2): ids only, to those who may see the comment or item; receivers re-read ---
  /** A guardian comment was written, approved, hidden, reported or deleted. */
  'guardianComment.changed': (payload: GuardianItemIds & { commentId: string }) => void;
  /** A guardian gave or took back a reaction on an item. */
  'guardianReaction.changed': (payload: GuardianItemIds) => void;
  /** Issue 12 §3: a showcase changed, or was unshared or deleted (ids only: the receiver reads it again, and a 404 means it is gone for them). */
  'showcase.changed': (payload: { showcaseId: string; ownerId: string }) => void;
  // --- Teacher approval before guardians see (issue 12 §1) ---
  /**
   * A shared item entered, left or changed in the approval queue (requested, approved, returned, unshared).
   * Ids and the state only, to the pupil and their teachers; receivers read the queue again through the policy.
   */
  'guardianApproval.changed': (payload: GuardianApprovalEvent) => void;
}

export interface GuardianApprovalEvent {
  subjectType: 'artefact' | 'showcase';
  subjectId: string;
  ownerId: string;
  state: 'pending' | 'approved' | 'returned' | null;
}

export interface GoalAssessmentEvent {
  assessmentId: string;
  goalId: string;
  pupilId: string;
}

export type SessionEndReason = 'signed_out' | 'expired' | 'deactivated' | 'password_changed';

/** Events the client may send. None: clients change data through the HTTP API. */
export type ClientToServerEvents = Record<string, never>;

export const userRoom = (userId: string) => `user:${userId}`;
export const sessionRoom = (sessionId: string) => `session:${sessionId}`;
