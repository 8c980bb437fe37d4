import { Forbidden, NotFound } from '../http/errors.ts';
import { FEEDBACK_EDIT_MINUTES, type Visibility } from '../../shared/portfolio.ts';
import type { SchoolRole } from '../../shared/roles.ts';
import type { GuardianCommentSetting, GuardianCommentState } from '../../shared/api/guardian-voice.ts';
import type { ServerToClientEvents } from '../../shared/realtime.ts';
import type { Actor } from './actor.ts';

/**
 * Who may do what, in one place. Services load the resource's facts (ids, school ids) and ask
 * `authorize`; list queries take their scope from the helpers below. Routes never check roles.
 */
export type Resource =
  | { readonly type: 'school'; readonly schoolId: string }
  | { readonly type: 'group'; readonly schoolId: string; readonly groupId: string }
  /** A user account: every school where the user holds any role, and those where they are an admin. */
  | { readonly type: 'user'; readonly userId: string; readonly schoolIds: readonly string[]; readonly adminSchoolIds: readonly string[] }
  | { readonly type: 'platform' }
  /** A pupil as the owner of a portfolio: their schools and the groups they are a pupil in. */
  | {
      readonly type: 'pupil';
      readonly pupilId: string;
      readonly schoolIds: readonly string[];
      readonly groupIds: readonly string[];
      readonly projectTeacherIds: readonly string[];
    }
  | {
      readonly type: 'artefact';
      readonly ownerId: string;
      /** Groups the owner is a pupil in. */
      readonly ownerGroupIds: readonly string[];
      /** Teachers of the artefact's project. */
      readonly projectTeacherIds: readonly string[];
      readonly visibility: Visibility;
      /** What guardians may see of it under the school's rule (issue 12 §1). */
      readonly guardianView: GuardianView;
    }
  | { readonly type: 'feedback'; readonly authorId: string | null; readonly createdAt: Date; readonly artefact: ArtefactResource }
  | {
      readonly type: 'project';
      readonly schoolId: string;
      readonly teacherIds: readonly string[];
      readonly groupIds: readonly string[];
      /** The pupil an imported project belongs to (it has no teachers or groups), and the groups they are a pupil in. */
      readonly ownerId: string | null;
      readonly ownerGroupIds: readonly string[];
    }
  /** An export or import job: who asked for it, and the schools of the pupil (or new account) it concerns. */
  | { readonly type: 'portabilityJob'; readonly requestedBy: string; readonly schoolIds: readonly string[] }
  /**
   * A media file of an artefact; `removed` when an edit took it off the artefact (earlier versions still name it);
   * `versions`: the artefact's versions that name it (issue 12 §1: a guardian sees a file of a version they see).
   */
  | { readonly type: 'media'; readonly artefact: ArtefactResource; readonly removed: boolean; readonly versions: readonly VersionFact[] }
  /** A finished export's archive: who asked for it, what it holds, and its pupil as they are now (not as they were when it was made). */
  /** An assessment scale: built-in (schoolId null, read-only) or a school's own. */
  | { readonly type: 'scale'; readonly schoolId: string | null }
  | { readonly type: 'exportArchive'; readonly requestedBy: string; readonly scope: 'full' | 'shared'; readonly pupil: ResourceOf<'pupil'> }
  // --- Goal assessments (issue 10, section 2) ---
  /** One pupil's work on one project goal: the pupil's groups, and the project's teachers, groups and owner. */
  | {
      readonly type: 'pupilGoal';
      readonly pupilId: string;
      readonly pupilGroupIds: readonly string[];
      readonly projectTeacherIds: readonly string[];
      readonly projectGroupIds: readonly string[];
      readonly projectOwnerId: string | null;
    }
  /** One self-assessment or teacher's level on a pupil's goal. */
  | { readonly type: 'goalAssessment'; readonly goal: ResourceOf<'pupilGoal'>; readonly sharedWithGuardians: boolean }
  // --- Peer feedback (issue 10, section 5) ---
  /** An artefact as its project's pupils may meet it: the project's groups, whether peer feedback is allowed, whether the owner shared it. */
  | {
      readonly type: 'peerArtefact';
      readonly artefact: ArtefactResource;
      readonly projectGroupIds: readonly string[];
      readonly allowed: boolean;
      readonly shared: boolean;
    }
  /** One peer message ("two stars and a wish") on such an artefact. */
  | { readonly type: 'peerMessage'; readonly on: ResourceOf<'peerArtefact'>; readonly authorId: string | null; readonly state: PeerMessageState }
  // --- Notification centre (issue 12 §5) ---
  /** One notification: whose it is. Its subject (an artefact, a pupil) is checked with that subject's own rule. */
  | { readonly type: 'notification'; readonly recipientId: string }
  // --- Guardian voice (issue 12 §2) ---
  /**
   * An item as guardian voice meets it: an artefact, or a showcase (issue 12 §3), and the guardian comment
   * setting of the school that applies to it. Every guardian voice rule asks the item through the helpers
   * below (readsItem, teachesItemOwner …), so both kinds follow one set of rules.
   */
  | { readonly type: 'guardianItem'; readonly subject: 'artefact'; readonly artefact: ArtefactResource; readonly setting: GuardianCommentSetting }
  | { readonly type: 'guardianItem'; readonly subject: 'showcase'; readonly showcase: ResourceOf<'showcase'>; readonly setting: GuardianCommentSetting }
  /** One guardian comment: its item, its author, whether the author is (still) a guardian of the item's pupil, its state. */
  | {
      readonly type: 'guardianComment';
      readonly on: ResourceOf<'guardianItem'>;
      readonly authorId: string | null;
      readonly authorGuardsPupil: boolean;
      readonly state: GuardianCommentState;
    }
  // --- Showcases (issue 12 §3) ---
  /**
   * A pupil's showcase: its owner, the owner's groups and the teachers of the showcase's own project while the
   * owner takes part in it (as an artefact's: a teacher who names the owner's group in a project of their own
   * gains only what the pupil puts in that project, never her other showcases), its sharing, and the groups of its
   * project (empty when it has none).
   */
  | {
      readonly type: 'showcase';
      readonly ownerId: string;
      readonly ownerGroupIds: readonly string[];
      readonly projectTeacherIds: readonly string[];
      readonly visibility: 'private' | 'guardians' | 'project';
      readonly projectGroupIds: readonly string[];
      /** Issue 12 §1: the school that applies asks a teacher to approve what guardians see. */
      readonly guardianApprovalRequired: boolean;
      /** ... and a teacher approved the showcase's present content (its fingerprint; migration 0043). */
      readonly guardianApproved: boolean;
    }
  // --- Weekly digest and Web Push (issue 12 §5) ---
  /** A guardian's weekly digest: theirs alone (its items are each checked with their own rule). */
  | { readonly type: 'digest'; readonly guardianId: string }
  /** A user's own delivery settings: notification preferences and Web Push subscriptions. */
  | { readonly type: 'ownSettings'; readonly userId: string }
  // --- Secret links (issue 12 §4) ---
  /**
   * What a secret link opens (an artefact or a showcase), as its owner's facts: the owner's groups, the teachers
   * of its project (an artefact's or a showcase's), the owner's age in whole years (null: no birth date known)
   * and the strictest minimum age of the owner's schools for their own links.
   */
  | {
      readonly type: 'shareSubject';
      readonly ownerId: string;
      readonly ownerGroupIds: readonly string[];
      readonly projectTeacherIds: readonly string[];
      readonly ownerAge: number | null;
      readonly minAge: number;
    }
  /** One secret link: who made it, and its subject. */
  | { readonly type: 'shareLink'; readonly createdBy: string | null; readonly subject: ResourceOf<'shareSubject'> };

type ArtefactResource = ResourceOf<'artefact'>;

// --- Teacher approval before guardians see (issue 12 §1) ---
/**
 * What guardians may see of a shared thing, loaded with its facts (guardian-sharing.sql.ts). Under a school whose
 * sharing is `direct` that is the current state while shared; under `approval` the last version one of the pupil's
 * teachers approved while shared, and nothing before the first approval. Which school's rule: the school of the
 * artefact's project; for work outside any project, approval if any of the pupil's schools asks for it.
 */
export interface GuardianView {
  /** The version guardians see; null: none (not shared, or waiting for a first approval). */
  readonly version: number | null;
  /** Whether that version is the current state (false while a newer one waits for approval). */
  readonly current: boolean;
  readonly approvalRequired: boolean;
  /** Versions teachers approved while shared (approval only): a guardian's history without the pupil's whole history. */
  readonly approvedVersions: readonly number[];
  /** The pupil's choice: guardians see the earlier versions, files and feedback too. */
  readonly shareHistory: boolean;
  /** When guardians first saw it in its present sharing: feedback from before is theirs only with shareHistory. */
  readonly since: Date | null;
}
/** A version as the policy needs it: its number, and whether it was current while shared (migration 0010). */
export interface VersionFact {
  readonly version: number;
  readonly shared: boolean;
}
/** Guardians see nothing of it: the facts of something never shared (and of a card session's own-work check). */
export const NO_GUARDIAN_VIEW: GuardianView = {
  version: null,
  current: false,
  approvalRequired: false,
  approvedVersions: [],
  shareHistory: false,
  since: null,
};
// --- end teacher approval ---

type ResourceOf<T extends Resource['type']> = Extract<Resource, { type: T }>;

const rules = {
  'school.create': (a: Actor) => hasRole(a, 'admin'),
  'school.read': (a: Actor, r: ResourceOf<'school'>) => memberOf(a, r.schoolId),
  'school.update': (a: Actor, r: ResourceOf<'school'>) => adminOf(a, r.schoolId),
  'group.list': (a: Actor, r: ResourceOf<'school'>) => adminOf(a, r.schoolId) || roleAt(a, r.schoolId, 'teacher'),
  'group.create': (a: Actor, r: ResourceOf<'school'>) => adminOf(a, r.schoolId),
  'group.read': (a: Actor, r: ResourceOf<'group'>) => adminOf(a, r.schoolId) || a.teacherGroupIds.has(r.groupId),
  'group.update': (a: Actor, r: ResourceOf<'group'>) => adminOf(a, r.schoolId),
  'group.members.manage': (a: Actor, r: ResourceOf<'group'>) => adminOf(a, r.schoolId),
  'user.list': (a: Actor, r: ResourceOf<'school'>) => adminOf(a, r.schoolId),
  'user.create': (a: Actor, r: ResourceOf<'school'>) => adminOf(a, r.schoolId),
  // Reading an account: an admin of any one of the user's schools (each school sees its own people).
  'user.read': (a: Actor, r: ResourceOf<'user'>) => a.id === r.userId || r.schoolIds.some((s) => adminOf(a, s)),
  // Profile fields (name, email, language; none of them signs anyone in): an admin of one of the user's schools,
  // but never of a user who is an admin somewhere the actor is not: a second school's admin does not edit the first's.
  'user.update': (a: Actor, r: ResourceOf<'user'>) => r.schoolIds.some((s) => adminOf(a, s)) && !adminWhereActorIsNot(a, r),
  // Password, active flag and school roles take over or shut out the whole account, in every school it belongs to:
  // only an admin of ALL the user's schools. (An admin of a school they created cannot thereby seize an account
  // that another school also holds; that school's admin must do it, or someone who administers both.)
  'user.manageAccount': (a: Actor, r: ResourceOf<'user'>) => r.schoolIds.length > 0 && r.schoolIds.every((s) => adminOf(a, s)),
  'guardianLink.list': (a: Actor, r: ResourceOf<'school'>) => adminOf(a, r.schoolId),
  // Linking a guardian to a pupil (the resource is the pupil): an admin of any one of the pupil's schools, as
  // deliberately as reading. A link gives the guardian only what the pupil shares, which every admin of the
  // pupil's schools may already export in full (exportScope); it changes nothing about the pupil's account.
  // It still never reaches a user who is an admin where the actor is not.
  'guardianLink.manage': (a: Actor, r: ResourceOf<'user'>) => r.schoolIds.some((s) => adminOf(a, s)) && !adminWhereActorIsNot(a, r),

  // Portfolios. A pupil's teachers are the teachers of the pupil's groups and of the projects they take part in.
  'portfolio.read': (a: Actor, r: ResourceOf<'pupil'>) =>
    a.id === r.pupilId || teachesAny(a, r.groupIds) || teachesProject(a, r.projectTeacherIds) || a.childIds.has(r.pupilId),
  'artefact.create': (a: Actor, r: ResourceOf<'pupil'>) => a.id === r.pupilId && hasRole(a, 'pupil'),
  'artefact.read': (a: Actor, r: ArtefactResource) => readsArtefact(a, r),
  'artefact.update': (a: Actor, r: ArtefactResource) => a.id === r.ownerId,
  'artefact.delete': (a: Actor, r: ArtefactResource) => a.id === r.ownerId,
  // The pupil and their teachers talk; guardians read (their comments are a later, moderated feature).
  'feedback.create': (a: Actor, r: ArtefactResource) => a.id === r.ownerId || teachesOwner(a, r),
  'feedback.update': (a: Actor, r: ResourceOf<'feedback'>) => r.authorId === a.id && Date.now() - r.createdAt.getTime() <= FEEDBACK_EDIT_MINUTES * 60_000,
  'feedback.delete': (a: Actor, r: ResourceOf<'feedback'>) => r.authorId === a.id,
  // Issue 10 §3–4 (the uptake loop): only the pupil's teachers mark feedback (its goals, a request to
  // revise); only the owner says which feedback a new version of their work answers.
  'feedback.mark': (a: Actor, r: ArtefactResource) => a.id !== r.ownerId && teachesOwner(a, r),
  'feedback.answer': (a: Actor, r: ArtefactResource) => a.id === r.ownerId,
  'group.overview': (a: Actor, r: ResourceOf<'group'>) => a.teacherGroupIds.has(r.groupId),
  // A file is seen with its artefact; a removed one only by the owner and the owner's teachers (for the history).
  // Issue 12 §1: a guardian sees a file of a version they see (guardianSeesFile), never one only a pending edit brought.
  'media.read': (a: Actor, r: ResourceOf<'media'>) => readsArtefact(a, r.artefact) && (seesWholeArtefact(a, r.artefact) || guardianSeesFile(r)),

  // Portability. Exporting: the pupil, the teachers of the pupil's groups and the school's admins take
  // the whole portfolio; a guardian takes what was shared with them (see exportScope). Project-only
  // teachers see parts of the portfolio, but a whole-portfolio archive is not theirs to take.
  'portfolio.export': (a: Actor, r: ResourceOf<'pupil'>) => exportScope(a, r) !== null,
  // Importing into a portfolio: the pupil themselves, or an admin of the pupil's school.
  'portfolio.import': (a: Actor, r: ResourceOf<'pupil'>) =>
    (a.id === r.pupilId && hasRole(a, 'pupil') && !a.cardSchoolId) || r.schoolIds.some((s) => adminOf(a, s)),
  // Importing into a new pupil account: an admin of the school where it is created.
  'portfolio.importNew': (a: Actor, r: ResourceOf<'school'>) => adminOf(a, r.schoolId),
  // A job and its archive: only whoever asked for it, and the admins of the school it concerns.
  'portabilityJob.read': (a: Actor, r: ResourceOf<'portabilityJob'>) => a.id === r.requestedBy || r.schoolIds.some((s) => adminOf(a, s)),
  'portabilityJob.manage': (a: Actor, r: ResourceOf<'portabilityJob'>) => a.id === r.requestedBy || r.schoolIds.some((s) => adminOf(a, s)),
  // An archive is decided again at every look and download: whoever may have it must *still* be allowed an
  // export holding at least as much (a guardian whose link was removed, a teacher who left the group: 404).
  'exportArchive.read': (a: Actor, r: ResourceOf<'exportArchive'>) =>
    (a.id === r.requestedBy || r.pupil.schoolIds.some((s) => adminOf(a, s))) && covers(exportScope(a, r.pupil), r.scope),

  // Projects
  'project.create': (a: Actor, r: ResourceOf<'school'>) => roleAt(a, r.schoolId, 'teacher') || adminOf(a, r.schoolId),
  'project.read': (a: Actor, r: ResourceOf<'project'>) =>
    adminOf(a, r.schoolId) ||
    teachesProject(a, r.teacherIds) ||
    r.groupIds.some((g) => a.teacherGroupIds.has(g) || a.pupilGroupIds.has(g) || a.childGroupIds.has(g)) ||
    // A pupil's own (imported) project: the pupil and the teachers of their groups, as the work in it.
    (r.ownerId !== null && (a.id === r.ownerId || teachesAny(a, r.ownerGroupIds))),
  // Never the owner: editing would let a pupil give their project teachers or groups (issue 8, A1).
  'project.update': (a: Actor, r: ResourceOf<'project'>) => adminOf(a, r.schoolId) || teachesProject(a, r.teacherIds),

  // Assessment scales (issue 10): everyone at a school sees its scales and the built-ins (a pupil picks a
  // level on them); the school's admins keep the school's own. Built-ins are nobody's to change.
  'scale.list': (a: Actor, r: ResourceOf<'school'>) => memberOf(a, r.schoolId),
  'scale.create': (a: Actor, r: ResourceOf<'school'>) => adminOf(a, r.schoolId),
  'scale.read': (a: Actor, r: ResourceOf<'scale'>) => r.schoolId === null || memberOf(a, r.schoolId),
  'scale.update': (a: Actor, r: ResourceOf<'scale'>) => r.schoolId !== null && adminOf(a, r.schoolId),

  // --- Goal assessments (issue 10, section 2) ---
  // A pupil's goal page: the pupil, their teachers (of the project or of the pupil's groups) and their guardians
  // (who see only what the pupil shared: goalAssessmentScope), and only for a project the pupil takes part in.
  'goal.read': (a: Actor, r: ResourceOf<'pupilGoal'>) => takesPart(r) && (a.id === r.pupilId || teachesPupilGoal(a, r) || a.childIds.has(r.pupilId)),
  // The pupil assesses themself; a teacher records a level. Never a guardian.
  'goalAssessment.createSelf': (a: Actor, r: ResourceOf<'pupilGoal'>) => takesPart(r) && a.id === r.pupilId && hasRole(a, 'pupil'),
  'goalAssessment.createTeacher': (a: Actor, r: ResourceOf<'pupilGoal'>) => takesPart(r) && a.id !== r.pupilId && teachesPupilGoal(a, r),
  'goalAssessment.read': (a: Actor, r: ResourceOf<'goalAssessment'>) => {
    const scope = goalAssessmentScope(a, r.goal);
    return scope === 'all' || (scope === 'shared' && r.sharedWithGuardians);
  },
  // Sharing with guardians is the pupil's choice, for their own assessments and their teachers' levels alike (as with artefacts).
  'goalAssessment.share': (a: Actor, r: ResourceOf<'goalAssessment'>) => takesPart(r.goal) && a.id === r.goal.pupilId,

  // --- Teacher's view of a group (issue 10, section 6) ---
  // The pupil × goal heatmap of a project: its teachers and the teachers of its groups (each sees the pupils
  // heatmapGroupIds gives). Not admins (they do not read group overviews either), pupils or guardians.
  'project.heatmap': (a: Actor, r: ResourceOf<'project'>) => teachesProject(a, r.teacherIds) || teachesAny(a, r.groupIds),
  // Competence coverage of a group: as the group overview, the group's teachers.
  'group.coverage': (a: Actor, r: ResourceOf<'group'>) => a.teacherGroupIds.has(r.groupId),

  // --- Voice and anchored feedback (issue 10, sections 2–3) ---
  // A voice message is heard by whoever may read its thread (the artefact); writing one is feedback.create.
  'feedback.voice.read': (a: Actor, r: ArtefactResource) => readsArtefact(a, r),
  // A spoken reflection is heard wherever its assessment is seen (guardians: only a shared one).
  'goalAssessment.voice.read': (a: Actor, r: ResourceOf<'goalAssessment'>) => {
    const scope = goalAssessmentScope(a, r.goal);
    return scope === 'all' || (scope === 'shared' && r.sharedWithGuardians);
  },
  // --- Sign-in cards (issue 11 §3) ---
  // A group's teachers and the school's admins print and revoke its pupils' cards; never from a card session.
  'signInCard.manage': (a: Actor, r: ResourceOf<'group'>) => !a.cardSchoolId && (adminOf(a, r.schoolId) || a.teacherGroupIds.has(r.groupId)),
  // Across groups (the admin's user list) and the school's sign-in hours: the school's admins.
  'signInCard.manageSchool': (a: Actor, r: ResourceOf<'school'>) => !a.cardSchoolId && adminOf(a, r.schoolId),
  'signInCard.readSettings': (a: Actor, r: ResourceOf<'school'>) => adminOf(a, r.schoolId) || roleAt(a, r.schoolId, 'teacher'),
  // A card session posts in the pupil's own portfolio; it does not change the account's settings.
  'me.update': (a: Actor) => !a.cardSchoolId,
  // --- Admin's user list (issue 11 §6) ---
  'user.bulkManage': (a: Actor, r: ResourceOf<'school'>) => adminOf(a, r.schoolId),
  // --- Guardian invitations and password resets (issue 11, sections 4-5) ---
  // Inviting a pupil's guardians, and re-sending, revoking or listing those invitations: an admin of the
  // pupil's school or a teacher of one of the pupil's groups there (the resource holds that one school
  // and its groups). Accepting one gives only a guardian link at that school.
  'guardianInvitation.manage': (a: Actor, r: ResourceOf<'pupil'>) => r.schoolIds.some((s) => adminOf(a, s)) || teachesAny(a, r.groupIds),
  'guardianInvitation.manageGroup': (a: Actor, r: ResourceOf<'group'>) => adminOf(a, r.schoolId) || a.teacherGroupIds.has(r.groupId),
  'guardianInvitation.list': (a: Actor, r: ResourceOf<'school'>) => adminOf(a, r.schoolId),
  // The chosen pupils of the admin's user list, across groups (issue 11 §6): the school's admins.
  'guardianInvitation.manageSchool': (a: Actor, r: ResourceOf<'school'>) => !a.cardSchoolId && adminOf(a, r.schoolId),
  // A pupil's password: a teacher of one of the pupil's groups, or an admin of all the pupil's schools
  // (as user.manageAccount). The service refuses an account that is anything but a pupil. A password takes
  // over the account in every school, so the teacher's word suffices only for a pupil of one school: a
  // pupil another school also holds is its admins' (all of them) to reset, never one school's teacher
  // (whom that school's admin could make any of its accounts; attack review 11).
  'pupil.setPassword': (a: Actor, r: ResourceOf<'pupil'>) =>
    a.id !== r.pupilId && ((r.schoolIds.length === 1 && teachesAny(a, r.groupIds)) || (r.schoolIds.length > 0 && r.schoolIds.every((s) => adminOf(a, s)))),
  // --- School sign-in (issue 11 §1) ---
  // Which providers a school uses and how, and whether passwords work there: the school's admins.
  'school.signIn.manage': (a: Actor, r: ResourceOf<'school'>) => adminOf(a, r.schoolId),
  // --- Peer feedback (issue 10, section 5) ---
  // The "classmates' work" list of a project: its pupils and its teachers (of the project or its groups).
  // Never guardians (a classmate's name is not theirs to see) nor admins.
  'peerWork.list': (a: Actor, r: ResourceOf<'project'>) =>
    teachesProject(a, r.teacherIds) || teachesAny(a, r.groupIds) || (hasRole(a, 'pupil') && r.groupIds.some((g) => a.pupilGroupIds.has(g))),
  // Allowing peer feedback and moderating it: the project's teachers and the teachers of its groups (as the heatmap).
  'peerSettings.update': (a: Actor, r: ResourceOf<'project'>) => teachesProject(a, r.teacherIds) || teachesAny(a, r.groupIds),
  'peerModeration.list': (a: Actor, r: ResourceOf<'project'>) => teachesProject(a, r.teacherIds) || teachesAny(a, r.groupIds),
  // The shared work, read-only: the owner and their teachers (who see it anyway) and a classmate it was shared with.
  'peerWork.read': (a: Actor, r: ResourceOf<'peerArtefact'>) =>
    seesWholeArtefact(a, r.artefact) || peerReader(a, r) || (r.allowed && r.shared && peerModerator(a, r)),
  'peerSharing.update': (a: Actor, r: ResourceOf<'peerArtefact'>) => a.id === r.artefact.ownerId,
  // Giving peer feedback: only a classmate the work is shared with (not the owner, not a teacher, not a guardian).
  'peerFeedback.create': (a: Actor, r: ResourceOf<'peerArtefact'>) => peerReader(a, r),
  // The owner reports a message they can see; it is then hidden until a teacher looks.
  'peerFeedback.report': (a: Actor, r: ResourceOf<'peerMessage'>) => a.id === r.on.artefact.ownerId && r.state === 'shown',
  'peerFeedback.moderate': (a: Actor, r: ResourceOf<'peerMessage'>) => peerModerator(a, r.on),
  // --- Rosters (issue 11 §2): a school's roster, and its imports, are its admins' alone ---
  'roster.import': (a: Actor, r: ResourceOf<'school'>) => adminOf(a, r.schoolId),
  // --- Notification centre (issue 12 §5): a notification is its recipient's alone, to read and to mark read ---
  'notification.read': (a: Actor, r: ResourceOf<'notification'>) => a.id === r.recipientId,
  'notification.update': (a: Actor, r: ResourceOf<'notification'>) => a.id === r.recipientId,
  // --- Guardian voice (issue 12 §2) ---
  // Reactions and comments on an item are seen with the item (readsItem: artefact.read, or a showcase's readers but its project's
  // classmates); each comment then by seesGuardianComment.
  'guardianVoice.read': (a: Actor, r: ResourceOf<'guardianItem'>) => readsItem(a, r),
  // Reacting and commenting: only a guardian of the item's pupil who may read it (never the pupil, a teacher or a card session).
  'guardianReaction.give': (a: Actor, r: ResourceOf<'guardianItem'>) => guardsItemOwner(a, r),
  'guardianComment.create': (a: Actor, r: ResourceOf<'guardianItem'>) => r.setting !== 'off' && guardsItemOwner(a, r),
  // A guardian deletes their own comment, in any state but deleted.
  'guardianComment.delete': (a: Actor, r: ResourceOf<'guardianComment'>) => r.authorId === a.id && r.state !== 'deleted',
  // The pupil reports a shown comment on their work: hidden until a teacher looks.
  'guardianComment.report': (a: Actor, r: ResourceOf<'guardianComment'>) => a.id === itemOwnerId(r.on) && r.state === 'shown',
  // The pupil's teachers (of the pupil's groups or the item's project) approve or hide.
  'guardianComment.moderate': (a: Actor, r: ResourceOf<'guardianComment'>) => teachesItemOwner(a, r.on) && r.state !== 'deleted',
  // The moderation list: a teacher's own scope (each row is checked with guardianComment.moderate).
  'guardianModeration.list': (a: Actor) => !a.cardSchoolId && hasRole(a, 'teacher'),
  // --- Showcases (issue 12 §3): the pupil curates; their teachers, and whoever the pupil shares with, read ---
  'showcase.create': (a: Actor, r: ResourceOf<'pupil'>) => a.id === r.pupilId && hasRole(a, 'pupil'),
  'showcase.read': (a: Actor, r: ResourceOf<'showcase'>) => readsShowcase(a, r),
  // Only the owner changes, orders, shares or deletes it (a card session too: it is the pupil's own portfolio).
  'showcase.update': (a: Actor, r: ResourceOf<'showcase'>) => a.id === r.ownerId,
  'showcase.delete': (a: Actor, r: ResourceOf<'showcase'>) => a.id === r.ownerId,
  // A project's templates: its teachers (by name or of its groups) keep them; they and its pupils see them.
  'showcaseTemplate.list': (a: Actor, r: ResourceOf<'project'>) =>
    teachesProject(a, r.teacherIds) || teachesAny(a, r.groupIds) || (hasRole(a, 'pupil') && r.groupIds.some((g) => a.pupilGroupIds.has(g))),
  'showcaseTemplate.manage': (a: Actor, r: ResourceOf<'project'>) => teachesProject(a, r.teacherIds) || teachesAny(a, r.groupIds),
  'showcaseTemplate.start': (a: Actor, r: ResourceOf<'project'>) => hasRole(a, 'pupil') && r.groupIds.some((g) => a.pupilGroupIds.has(g)),
  // --- Weekly digest and Web Push (issue 12 §5) ---
  // Only a guardian has a digest; a card session (a pupil on a shared classroom device) changes no delivery
  // settings and subscribes no browser: the device is not theirs alone.
  'digest.read': (a: Actor, r: ResourceOf<'digest'>) => a.id === r.guardianId && hasRole(a, 'guardian') && !a.cardSchoolId,
  'notificationPreferences.manage': (a: Actor, r: ResourceOf<'ownSettings'>) => a.id === r.userId && !a.cardSchoolId,
  'pushSubscription.manage': (a: Actor, r: ResourceOf<'ownSettings'>) => a.id === r.userId && !a.cardSchoolId,
  // --- Secret links (issue 12 §4) ---
  // A pupil of the school's minimum age makes links to their own work; for a younger pupil, or one whose age is
  // not known, only the pupil's teachers do (teachesOwner). Never a card session (it posts, it does not publish),
  // never a guardian, an admin or another school.
  'shareLink.create': (a: Actor, r: ResourceOf<'shareSubject'>) => shareCreateBlock(a, r) === null,
  // The links of a subject are listed by its owner and the owner's teachers (and each link by its maker: shareLink.manage).
  'shareLink.list': (a: Actor, r: ResourceOf<'shareSubject'>) => a.id === r.ownerId || teachesShareOwner(a, r),
  // Revoking (and seeing) one link: whoever made it, the owner and the owner's teachers.
  'shareLink.manage': (a: Actor, r: ResourceOf<'shareLink'>) =>
    (r.createdBy !== null && a.id === r.createdBy) || a.id === r.subject.ownerId || teachesShareOwner(a, r.subject),
  // --- Teacher approval before guardians see (issue 12 §1) ---
  // The pupil's teachers (of their groups and of the artefact's project) approve or return what the pupil shares;
  // never the pupil themself (a pupil who also teaches somewhere does not approve their own work).
  'guardianApproval.decide': (a: Actor, r: ArtefactResource) => a.id !== r.ownerId && teachesOwner(a, r),
  // A showcase: the teachers who see it whole (of the pupil's groups, and of its own project while she takes part in it),
  // never its owner. The same teachers also see its approval state.
  'showcaseApproval.decide': (a: Actor, r: ResourceOf<'showcase'>) => a.id !== r.ownerId && seesWholeShowcase(a, r),
  'showcaseApproval.read': (a: Actor, r: ResourceOf<'showcase'>) => seesWholeShowcase(a, r),
  // The sharing state (waiting, returned with a note) is the pupil's and their teachers' to see; the history choice the pupil's.
  'guardianSharing.read': (a: Actor, r: ArtefactResource) => seesWholeArtefact(a, r),
  'guardianSharing.update': (a: Actor, r: ArtefactResource) => a.id === r.ownerId,
} as const;

type Rules = typeof rules;
export type Action = keyof Rules;
type ResourceFor<A extends Action> = Parameters<Rules[A]>[1] extends Resource ? Parameters<Rules[A]>[1] : ResourceOf<'platform'>;

/** Seeing a thing at all; when this fails the answer is 404, so that ids cannot be probed. */
const readAction = {
  school: 'school.read',
  group: 'group.read',
  user: 'user.read',
  platform: null,
  pupil: 'portfolio.read',
  artefact: 'artefact.read',
  feedback: null,
  project: 'project.read',
  portabilityJob: 'portabilityJob.read',
  media: 'media.read',
  exportArchive: 'exportArchive.read',
  scale: 'scale.read',
  pupilGoal: 'goal.read',
  goalAssessment: 'goalAssessment.read',
  peerArtefact: 'peerWork.read',
  peerMessage: null,
  notification: 'notification.read',
  guardianItem: 'guardianVoice.read',
  guardianComment: null,
  showcase: 'showcase.read',
  digest: 'digest.read',
  ownSettings: null,
  shareSubject: 'shareLink.list',
  shareLink: 'shareLink.manage',
} as const satisfies Record<Resource['type'], Action | null>;

export function can<A extends Action>(actor: Actor, action: A, resource: ResourceFor<A>): boolean {
  const rule = rules[action] as (a: Actor, r: Resource) => boolean;
  return rule(actor, resource);
}

/** Throws NotFound when the actor may not even see the resource, Forbidden when they may see but not do. */
export function authorize<A extends Action>(actor: Actor, action: A, resource: ResourceFor<A>, what?: string): void {
  if (can(actor, action, resource)) return;
  const read = readAction[resource.type];
  if (read && read !== action && can(actor, read, resource as never)) throw new Forbidden();
  if (resource.type === 'platform') throw new Forbidden();
  // Feedback is only ever reached through an artefact the actor may read: 403 is no leak there.
  if (resource.type === 'feedback' && can(actor, 'artefact.read', resource.artefact)) throw new Forbidden();
  if (resource.type === 'peerMessage' && peerSeesMessage(actor, resource)) throw new Forbidden();
  if (resource.type === 'guardianComment' && seesGuardianComment(actor, resource)) throw new Forbidden();
  throw new NotFound(what);
}

/** Schools where the actor holds one of `roles`: the scope for school-wide lists. */
export function schoolsWhere(actor: Actor, ...roles: SchoolRole[]): string[] {
  return [...new Set(actor.roles.filter((r) => roles.includes(r.role)).map((r) => r.schoolId))];
}

/**
 * Which of a pupil's artefacts an actor sees in the timeline: all (the pupil, their group teachers),
 * those shared with guardians (a guardian), those of projects the actor teaches, or none.
 */
export type PortfolioScope = { readonly kind: 'all' } | { readonly kind: 'shared' } | { readonly kind: 'projects'; readonly projectIds: readonly string[] };

export function portfolioScope(a: Actor, r: ResourceOf<'pupil'>, projectsTaughtByActor: readonly string[]): PortfolioScope | null {
  if (a.id === r.pupilId || teachesAny(a, r.groupIds)) return { kind: 'all' };
  if (teachesProject(a, r.projectTeacherIds)) return { kind: 'projects', projectIds: projectsTaughtByActor };
  if (a.childIds.has(r.pupilId)) return { kind: 'shared' };
  return null;
}

/**
 * What an export by this actor contains: 'full' for the pupil, the teachers of the pupil's groups and
 * the school's admins; 'shared' (what the pupil shared with guardians) for a guardian; null for anyone else.
 */
export function exportScope(a: Actor, r: ResourceOf<'pupil'>): 'full' | 'shared' | null {
  if (a.id === r.pupilId || teachesAny(a, r.groupIds) || r.schoolIds.some((s) => adminOf(a, s))) return 'full';
  if (a.childIds.has(r.pupilId)) return 'shared';
  return null;
}

/**
 * Which of an artefact's versions and media an actor who may read it sees: everything (the owner and
 * the owner's teachers), or only what existed while it was shared with guardians and is still on it (a guardian).
 */
export type HistoryScope = 'all' | 'shared';

export function historyScope(a: Actor, r: ArtefactResource): HistoryScope {
  return seesWholeArtefact(a, r) ? 'all' : 'shared';
}

/**
 * A signed media URL issued to a guardian is checked again when used: it still opens only while the
 * file is on a version guardians see (guardianSeesFile), the artefact is shared (and approved where the
 * school asks for it), and the guardian is still linked to its owner.
 */
export function guardianStillSees(r: ResourceOf<'media'>, guardianOfOwner: boolean): boolean {
  return guardianOfOwner && guardianSeesArtefact(r.artefact) && guardianSeesFile(r);
}

/**
 * Who receives realtime events about an artefact: those `artefact.read` lets see it. Guardians only while what
 * they see is its current state: an edit waiting for approval (and its feedback) reaches them once approved.
 */
export function artefactAudience(r: ArtefactResource, facts: { groupTeacherIds: readonly string[]; guardianIds: readonly string[] }): string[] {
  const ids = new Set([r.ownerId, ...facts.groupTeacherIds, ...r.projectTeacherIds]);
  if (guardianSeesArtefact(r) && r.guardianView.current) for (const g of facts.guardianIds) ids.add(g);
  return [...ids];
}

// --- Teacher approval before guardians see (issue 12 §1) ---
/** Whether guardians see the artefact at all: shared, and under an approval school approved at least once since. */
export function guardianSeesArtefact(r: ArtefactResource): boolean {
  return r.visibility === 'guardians' && r.guardianView.version !== null;
}
/**
 * Which versions a guardian's history holds: none after the version they see; with the pupil's history choice
 * every earlier one; otherwise those a teacher approved (approval) or that were current while shared (direct).
 */
export function guardianSeesVersion(r: ArtefactResource, v: VersionFact): boolean {
  const view = r.guardianView;
  if (!guardianSeesArtefact(r) || view.version === null || v.version > view.version) return false;
  if (v.version === view.version || view.shareHistory) return true;
  return view.approvalRequired ? view.approvedVersions.includes(v.version) : v.shared;
}
/**
 * A file: on the artefact while guardians see its current state, on the (approved) version they see, or on an
 * earlier version they see (a removed file only when the pupil shared the history).
 */
export function guardianSeesFile(m: ResourceOf<'media'>): boolean {
  const view = m.artefact.guardianView;
  if (!guardianSeesArtefact(m.artefact)) return false;
  if ((view.current && !m.removed) || m.versions.some((v) => v.version === view.version)) return true;
  return (!m.removed || view.shareHistory) && m.versions.some((v) => guardianSeesVersion(m.artefact, v));
}
/** Feedback a guardian sees in the thread: written since they first saw the item, or any with the history shared. */
export function guardianSeesFeedback(r: ArtefactResource, createdAt: Date): boolean {
  if (!guardianSeesArtefact(r)) return false;
  return r.guardianView.shareHistory || (r.guardianView.since !== null && createdAt.getTime() >= r.guardianView.since.getTime());
}
/** The teachers who decide on a shared item (approval_requested, the live queue): the owner's group and project teachers. */
export function approverIds(r: Pick<ArtefactResource, 'ownerId' | 'projectTeacherIds'>, groupTeacherIds: readonly string[]): string[] {
  return [...new Set([...groupTeacherIds, ...r.projectTeacherIds])].filter((id) => id !== r.ownerId);
}
// --- end teacher approval ---

// --- Goal assessments (issue 10, section 2) ---
/**
 * Which assessments on a pupil's goal an actor sees: all (the pupil and their teachers), those the pupil
 * shared with guardians (a guardian), or none. Evidence follows the artefacts' own rule (artefact.read).
 */
export function goalAssessmentScope(a: Actor, r: ResourceOf<'pupilGoal'>): 'all' | 'shared' | null {
  if (!takesPart(r)) return null;
  if (a.id === r.pupilId || teachesPupilGoal(a, r)) return 'all';
  if (a.childIds.has(r.pupilId)) return 'shared';
  return null;
}

/** Who hears of an assessment live: the pupil and their teachers; guardians only of a shared one. */
export function goalAssessmentAudience(
  r: ResourceOf<'goalAssessment'>,
  facts: { groupTeacherIds: readonly string[]; guardianIds: readonly string[] },
): string[] {
  const ids = new Set([r.goal.pupilId, ...r.goal.projectTeacherIds, ...facts.groupTeacherIds]);
  if (r.sharedWithGuardians) for (const g of facts.guardianIds) ids.add(g);
  return [...ids];
}
function takesPart(r: ResourceOf<'pupilGoal'>): boolean {
  return r.projectOwnerId === r.pupilId || r.projectGroupIds.some((g) => r.pupilGroupIds.includes(g));
}
function teachesPupilGoal(a: Actor, r: ResourceOf<'pupilGoal'>): boolean {
  return teachesProject(a, r.projectTeacherIds) || teachesAny(a, r.pupilGroupIds);
}
// --- end goal assessments ---

// --- Teacher's view of a group (issue 10, section 6) ---
/**
 * Whose rows the heatmap shows: the pupils of every group of the project for one of its teachers, of the
 * project's groups the actor teaches otherwise (the goal page's own rule, teachesPupilGoal, lets both open).
 */
export function heatmapGroupIds(a: Actor, r: ResourceOf<'project'>): string[] {
  return teachesProject(a, r.teacherIds) ? [...r.groupIds] : r.groupIds.filter((g) => a.teacherGroupIds.has(g));
}
// --- end teacher's view of a group ---

// --- Voice and anchored feedback (issue 10, sections 2–3) ---
/** A guardian's signed URL of a spoken reflection opens only while the assessment is shared and the link stands. */
export function guardianStillHears(r: ResourceOf<'goalAssessment'>, guardianOfPupil: boolean): boolean {
  return guardianOfPupil && takesPart(r.goal) && r.sharedWithGuardians;
}
// --- end voice and anchored feedback ---
// --- Peer feedback (issue 10, section 5) ---
export type PeerMessageState = 'held' | 'shown' | 'reported' | 'hidden';

/**
 * Whether the actor sees one peer message: the owner's teachers see every message (they moderate); its
 * author sees their own in any state (so they know it waits or was hidden); the owner and the classmates
 * the work is shared with see shown ones only. Guardians and admins never: a guardian would learn
 * classmates' names, and the safer choice is to show them no peer feedback at all.
 */
export function peerSeesMessage(a: Actor, m: ResourceOf<'peerMessage'>): boolean {
  if (teachesOwner(a, m.on.artefact) || peerModerator(a, m.on)) return true;
  if (m.authorId !== null && m.authorId === a.id) return true;
  return m.state === 'shown' && (a.id === m.on.artefact.ownerId || peerReader(a, m.on));
}

/**
 * Who hears live of a change to a peer message (the event carries ids only; receivers re-read through the
 * policy): the owner's teachers, the project's and its groups' teachers (groupTeacherIds) and the author always; the owner and the project's pupils only if the message
 * is or was shown, so that held messages reach no one but the author and teachers.
 */
export function peerAudience(
  m: ResourceOf<'peerMessage'>,
  previousState: PeerMessageState | null,
  facts: { groupTeacherIds: readonly string[]; projectPupils: ReadonlyArray<{ id: string; groupIds: readonly string[] }> },
): string[] {
  const ids = new Set<string>([...m.on.artefact.projectTeacherIds, ...facts.groupTeacherIds]);
  if (m.authorId) ids.add(m.authorId);
  if (m.state === 'shown' || previousState === 'shown') {
    ids.add(m.on.artefact.ownerId);
    for (const p of facts.projectPupils) if (peerReaderFacts(p.id, p.groupIds, m.on)) ids.add(p.id);
  }
  return [...ids];
}

/** The project's teachers and the teachers of its groups: they allow, see and moderate peer feedback. */
function peerModerator(a: Actor, r: ResourceOf<'peerArtefact'>): boolean {
  return teachesProject(a, r.artefact.projectTeacherIds) || teachesAny(a, r.projectGroupIds);
}
function peerReader(a: Actor, r: ResourceOf<'peerArtefact'>): boolean {
  return hasRole(a, 'pupil') && peerReaderFacts(a.id, [...a.pupilGroupIds], r);
}
/** A pupil of one of the project's groups, not the owner, while the owner (still in the project) shares the work and peer feedback is allowed. */
function peerReaderFacts(userId: string, pupilGroupIds: readonly string[], r: ResourceOf<'peerArtefact'>): boolean {
  return (
    r.allowed &&
    r.shared &&
    userId !== r.artefact.ownerId &&
    r.projectGroupIds.some((g) => pupilGroupIds.includes(g)) &&
    r.projectGroupIds.some((g) => r.artefact.ownerGroupIds.includes(g))
  );
}
// --- end peer feedback ---

// --- Guardian voice (issue 12 §2) ---
/**
 * Whether the actor sees one guardian comment. Never a deleted one, and only on an item the actor may read.
 * The pupil's teachers see every state (they moderate); its author sees their own in any state; the pupil
 * sees shown ones; another guardian sees shown ones only if both are current guardians of the same pupil.
 * Everyone else (a classmate, another family, an admin) sees none.
 */
export function seesGuardianComment(a: Actor, c: ResourceOf<'guardianComment'>): boolean {
  if (c.state === 'deleted' || !readsItem(a, c.on)) return false;
  if (teachesItemOwner(a, c.on)) return true;
  if (c.authorId !== null && c.authorId === a.id) return true;
  if (c.state !== 'shown') return false;
  const ownerId = itemOwnerId(c.on);
  return a.id === ownerId || (c.authorGuardsPupil && a.childIds.has(ownerId));
}

/** Whether the actor sees who wrote a guardian comment: its author, the pupil and the pupil's teachers; never another guardian. */
export function seesGuardianCommentAuthor(a: Actor, c: ResourceOf<'guardianComment'>): boolean {
  return (c.authorId !== null && c.authorId === a.id) || seesWholeItem(a, c.on);
}

/**
 * Who hears live of a change to a guardian comment (the event carries ids only; receivers re-read): the pupil's
 * teachers always; the author and the pupil's other current guardians (while the item is shared) and the pupil
 * only if it is or was shown. Held comments reach the teachers and their author only.
 */
export function guardianCommentAudience(
  c: ResourceOf<'guardianComment'>,
  previousState: GuardianCommentState | null,
  facts: { groupTeacherIds: readonly string[]; guardianIds: readonly string[] },
): string[] {
  const ids = new Set<string>([...itemTeacherIds(c.on), ...facts.groupTeacherIds]);
  const shared = itemSharedWithGuardians(c.on);
  if (c.authorId && shared && facts.guardianIds.includes(c.authorId)) ids.add(c.authorId);
  if (c.state === 'shown' || previousState === 'shown') {
    ids.add(itemOwnerId(c.on));
    if (shared && c.authorGuardsPupil) for (const g of facts.guardianIds) ids.add(g);
  }
  return [...ids];
}

/**
 * Who hears live of a change to an item's reactions (ids only): the item's readers of guardian voice (readsItem).
 * An artefact's are those of artefactAudience; a showcase's those of showcaseAudience without its project's pupils.
 */
export function guardianItemAudience(r: ResourceOf<'guardianItem'>, facts: { groupTeacherIds: readonly string[]; guardianIds: readonly string[] }): string[] {
  return r.subject === 'artefact' ? artefactAudience(r.artefact, facts) : showcaseAudience(r.showcase, { ...facts, projectPupils: [] });
}

/**
 * A current guardian of the item's pupil while the item is shared with guardians, who may read it (and is
 * not the pupil): a guardian who also teaches the pupil does not speak as a guardian on unshared work.
 */
function guardsItemOwner(a: Actor, r: ResourceOf<'guardianItem'>): boolean {
  const ownerId = itemOwnerId(r);
  return a.id !== ownerId && a.childIds.has(ownerId) && itemSharedWithGuardians(r) && readsItem(a, r);
}

// The guardian voice item, whichever kind: each helper asks the kind's own rule.
const itemOwnerId = (r: ResourceOf<'guardianItem'>) => (r.subject === 'artefact' ? r.artefact.ownerId : r.showcase.ownerId);
/**
 * Who reads guardian voice on the item: an artefact's readers; a showcase's, but not the project's pupils who
 * read one shared with the project. Classmates never meet guardian voice (they do not on artefacts either).
 */
function readsItem(a: Actor, r: ResourceOf<'guardianItem'>): boolean {
  if (r.subject === 'artefact') return readsArtefact(a, r.artefact);
  return seesWholeShowcase(a, r.showcase) || (showcaseSharedWithGuardians(r.showcase) && a.childIds.has(r.showcase.ownerId));
}
function seesWholeItem(a: Actor, r: ResourceOf<'guardianItem'>): boolean {
  return r.subject === 'artefact' ? seesWholeArtefact(a, r.artefact) : seesWholeShowcase(a, r.showcase);
}
/** The pupil's teachers: of the pupil's groups, and of the item's own project (an artefact's or a showcase's, as showcase.read). */
function teachesItemOwner(a: Actor, r: ResourceOf<'guardianItem'>): boolean {
  return r.subject === 'artefact' ? teachesOwner(a, r.artefact) : teachesAny(a, r.showcase.ownerGroupIds) || teachesProject(a, r.showcase.projectTeacherIds);
}
/** The item's teachers by project (the group teachers come from the owner's facts). */
export const itemTeacherIds = (r: ResourceOf<'guardianItem'>): readonly string[] =>
  r.subject === 'artefact' ? r.artefact.projectTeacherIds : r.showcase.projectTeacherIds;
/** Whether the pupil's guardians see the item at all: THE guardians check of each kind. */
function itemSharedWithGuardians(r: ResourceOf<'guardianItem'>): boolean {
  return r.subject === 'artefact' ? guardianSeesArtefact(r.artefact) : showcaseSharedWithGuardians(r.showcase);
}
// --- end guardian voice ---
// --- Showcases (issue 12 §3) ---
/**
 * THE guardians check of a showcase: whether the pupil's guardians may see it. Every rule and audience that
 * lets guardians in asks this one function, so that teacher approval (issue 12 §1) can be required here alone.
 * 'project' is wider than 'guardians': it keeps the guardians and adds the project's pupils.
 */
export function showcaseSharedWithGuardians(r: ResourceOf<'showcase'>): boolean {
  // Under a school's approval rule (issue 12 §1) only while a teacher approved its present content: a showcase has
  // no versions, so a changed one (its text, order or a work in it) is not shown at all until approved again.
  return (r.visibility === 'guardians' || r.visibility === 'project') && (!r.guardianApprovalRequired || r.guardianApproved);
}
/** The owner and the owner's teachers (of their groups, of the projects they take part in): always, whatever the sharing. */
export function seesWholeShowcase(a: Actor, r: ResourceOf<'showcase'>): boolean {
  return a.id === r.ownerId || teachesAny(a, r.ownerGroupIds) || teachesProject(a, r.projectTeacherIds);
}
function readsShowcase(a: Actor, r: ResourceOf<'showcase'>): boolean {
  return (
    seesWholeShowcase(a, r) ||
    (showcaseSharedWithGuardians(r) && a.childIds.has(r.ownerId)) ||
    (hasRole(a, 'pupil') && projectPupilSeesShowcase(a.id, [...a.pupilGroupIds], r))
  );
}
/** A pupil of one of the showcase's project's groups, not the owner, while it is shared with the project and the owner still takes part in it. */
function projectPupilSeesShowcase(userId: string, pupilGroupIds: readonly string[], r: ResourceOf<'showcase'>): boolean {
  return (
    r.visibility === 'project' &&
    userId !== r.ownerId &&
    r.projectGroupIds.some((g) => pupilGroupIds.includes(g)) &&
    r.projectGroupIds.some((g) => r.ownerGroupIds.includes(g))
  );
}
/** Who hears live of a change to a showcase (ids only; receivers read it again through showcase.read): exactly its readers. */
export function showcaseAudience(
  r: ResourceOf<'showcase'>,
  facts: { groupTeacherIds: readonly string[]; guardianIds: readonly string[]; projectPupils: ReadonlyArray<{ id: string; groupIds: readonly string[] }> },
): string[] {
  const ids = new Set([r.ownerId, ...facts.groupTeacherIds, ...r.projectTeacherIds]);
  if (showcaseSharedWithGuardians(r)) for (const g of facts.guardianIds) ids.add(g);
  for (const p of facts.projectPupils) if (projectPupilSeesShowcase(p.id, p.groupIds, r)) ids.add(p.id);
  return [...ids];
}
// --- end showcases ---
// --- Secret links (issue 12 §4) ---
/** Why the actor may not make a secret link to this subject, or null when they may (the panel says which). */
export function shareCreateBlock(a: Actor, r: ResourceOf<'shareSubject'>): 'teacher_only' | 'pupil_only' | 'not_allowed' | null {
  if (a.cardSchoolId) return 'not_allowed';
  const ofAge = r.ownerAge !== null && r.ownerAge >= r.minAge;
  if (a.id === r.ownerId) return !hasRole(a, 'pupil') ? 'not_allowed' : ofAge ? null : 'teacher_only';
  if (!teachesShareOwner(a, r)) return 'not_allowed';
  return ofAge ? 'pupil_only' : null;
}

/**
 * Whether a secret link opens now: not revoked and not expired. Everything it shows is read again at each
 * look (an artefact deleted, a showcase item removed), and its media URLs are checked again at use.
 */
export function shareLinkOpens(link: { readonly revokedAt: Date | null; readonly expiresAt: Date }, now = new Date()): boolean {
  return link.revokedAt === null && link.expiresAt.getTime() > now.getTime();
}

function teachesShareOwner(a: Actor, r: ResourceOf<'shareSubject'>): boolean {
  return a.id !== r.ownerId && (teachesAny(a, r.ownerGroupIds) || teachesProject(a, r.projectTeacherIds));
}
// --- end secret links ---

/** Whether an export the actor may take now holds at least what an archive of `scope` holds. */
function covers(allowed: 'full' | 'shared' | null, scope: 'full' | 'shared'): boolean {
  return allowed === 'full' || (allowed === 'shared' && scope === 'shared');
}
/** A teacher of a project by name (not through a group). Never a card session: it is only a pupil (narrowForCard). */
function teachesProject(a: Actor, teacherIds: readonly string[]): boolean {
  return !a.cardSchoolId && teacherIds.includes(a.id);
}
function teachesAny(a: Actor, groupIds: readonly string[]): boolean {
  return groupIds.some((g) => a.teacherGroupIds.has(g));
}
function teachesOwner(a: Actor, r: ArtefactResource): boolean {
  return teachesAny(a, r.ownerGroupIds) || teachesProject(a, r.projectTeacherIds);
}
function readsArtefact(a: Actor, r: ArtefactResource): boolean {
  return seesWholeArtefact(a, r) || (guardianSeesArtefact(r) && a.childIds.has(r.ownerId));
}
/** The owner and the owner's teachers: the artefact's whole history, removed files included. */
function seesWholeArtefact(a: Actor, r: ArtefactResource): boolean {
  return a.id === r.ownerId || teachesOwner(a, r);
}
function hasRole(a: Actor, role: SchoolRole): boolean {
  return a.roles.some((r) => r.role === role);
}
function roleAt(a: Actor, schoolId: string, role: SchoolRole): boolean {
  return a.roles.some((r) => r.schoolId === schoolId && r.role === role);
}
function adminOf(a: Actor, schoolId: string): boolean {
  return roleAt(a, schoolId, 'admin');
}
/** The user is an admin of some school the actor does not administer. */
function adminWhereActorIsNot(a: Actor, r: ResourceOf<'user'>): boolean {
  return r.adminSchoolIds.some((s) => !adminOf(a, s));
}
function memberOf(a: Actor, schoolId: string): boolean {
  return a.roles.some((r) => r.schoolId === schoolId);
}

// --- Sign-in cards (issue 11 §3) ---
/**
 * A session opened with a sign-in card is narrower than a password session: the actor is only a pupil
 * of the card's school (any other role the account holds, as a teacher, a guardian or an admin anywhere,
 * is not part of it), so it reaches the pupil's own portfolio and nothing else: no group of another school,
 * and no project it teaches by name (teachesProject). Rules above also deny it account settings and
 * portfolio imports. The HTTP requests and the Socket.IO connection of a session get their actor from here
 * (sessionActor), and the socket hears only what this actor may read (hearsEvent). Applied where every request's actor is built (session-reader.ts, app.ts).
 */
export function narrowForCard<T extends Omit<Actor, 'cardSchoolId'>>(actor: T, cardSchoolId: string | null | undefined): T & { cardSchoolId?: string } {
  if (!cardSchoolId) return actor;
  return {
    ...actor,
    cardSchoolId,
    roles: actor.roles.filter((r) => r.schoolId === cardSchoolId && r.role === 'pupil'),
    // Only the card school's groups: a group elsewhere (where the account is a pupil too) would open that
    // school's projects and classmates' shared work. A group of unknown school is dropped.
    pupilGroupIds: new Set([...actor.pupilGroupIds].filter((g) => actor.groupSchoolIds?.get(g) === cardSchoolId)),
    teacherGroupIds: new Set<string>(),
    childIds: new Set<string>(),
    childGroupIds: new Set<string>(),
  };
}

/**
 * Whether a socket whose session has actor `a` hears an event that a service addressed to the socket's
 * user (services choose the users from the account's facts: as a teacher, a guardian, a classmate, anywhere).
 * A password or school sign-in session hears each one. A card session hears only what its narrowed actor
 * may read, judged by the rules above from what the event carries; a fact it does not carry (the artefact's
 * groups, its project's teachers) counts as absent, which can only deny. So a card session hears of its own
 * portfolio, and not of peer work, rosters, imports or the account's profile (its roles in every school).
 */
export function hearsEvent<E extends RealtimeEvent>(a: Actor, event: E, payload: RealtimePayload<E>): boolean {
  if (!a.cardSchoolId) return true;
  return (cardHears[event] as (a: Actor, p: RealtimePayload<E>) => boolean)(a, payload);
}

type RealtimeEvent = keyof ServerToClientEvents;
type RealtimePayload<E extends RealtimeEvent> = Parameters<ServerToClientEvents[E]>[0];

/** The artefact rule with only the owner known: the owner's own work and nothing else for a card session. */
const readsOwnWork = (a: Actor, ownerId: string) =>
  can(a, 'artefact.read', { type: 'artefact', ownerId, ownerGroupIds: [], projectTeacherIds: [], visibility: 'private', guardianView: NO_GUARDIAN_VIEW });
const never = () => false;

const cardHears: { readonly [E in RealtimeEvent]: (a: Actor, p: RealtimePayload<E>) => boolean } = {
  'me.updated': never,
  'session.ended': () => true,
  'artefact.updated': (a, p) => readsOwnWork(a, p.artefact.owner.id),
  'artefact.access_lost': (a, p) => readsOwnWork(a, p.ownerId),
  'artefact.deleted': (a, p) => readsOwnWork(a, p.ownerId),
  'feedback.created': (a, p) => readsOwnWork(a, p.ownerId),
  'feedback.updated': (a, p) => readsOwnWork(a, p.ownerId),
  'feedback.deleted': (a, p) => readsOwnWork(a, p.ownerId),
  'feedback.answered': (a, p) => readsOwnWork(a, p.ownerId),
  // The pupil's own export (portfolio.export), not one the account asked for as a teacher or guardian.
  'export.progress': (a, p) => p.pupil.id === a.id && p.requestedBy.id === a.id,
  'export.finished': (a, p) => p.pupil.id === a.id && p.requestedBy.id === a.id,
  'export.failed': (a, p) => p.pupil.id === a.id && p.requestedBy.id === a.id,
  // portfolio.import and roster.import are never a card session's.
  'import.progress': never,
  'import.finished': never,
  'import.failed': never,
  // The pupil's own goals (goal.read: the pupil themself); the event does not say the project, so nothing more.
  'goalAssessment.created': (a, p) => a.id === p.pupilId,
  'goalAssessment.shared': (a, p) => a.id === p.pupilId,
  // Peer events name only the project, not its school: the card session reads them again on its next load.
  'peerFeedback.changed': never,
  'peerWork.changed': never,
  'roster.progress': never,
  'roster.finished': never,
  'roster.failed': never,
  // Issue 12 §5: only a notification about the pupil's own work (feedback, a revision asked for); shared work
  // and accepted invitations go to guardians and teachers, which a card session never is.
  'notification.created': (a, p) =>
    (p.kind === 'feedback' || p.kind === 'revision_requested' || p.kind === 'guardian_comment' || p.kind === 'item_approved' || p.kind === 'item_returned') &&
    readsOwnWork(a, p.data.pupilId),
  // Issue 12 §2: guardian voice on the pupil's own work, an artefact or a showcase (ids only; the session re-reads through the policy).
  'guardianComment.changed': (a, p) => readsOwnWork(a, p.ownerId),
  'guardianReaction.changed': (a, p) => readsOwnWork(a, p.ownerId),
  // Read state of the account's own notifications carries nothing but an id.
  'notification.read': () => true,
  // Issue 12 §3: the pupil's own showcases only (a classmate's shared one is read again on the next load).
  'showcase.changed': (a, p) => a.id === p.ownerId,
  // Issue 12 §1: the pupil hears of their own item's approval state (a card session never approves).
  'guardianApproval.changed': (a, p) => readsOwnWork(a, p.ownerId),
};
