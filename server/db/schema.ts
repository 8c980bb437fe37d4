import type { ColumnType, Generated, GeneratedAlways, Insertable, Selectable } from 'kysely';
import type { Labels } from '../../shared/api/reference.ts';
import type { FeedbackAnchor } from '../../shared/api/feedback.ts';
import type { ArtefactKind, ArtefactStatus, MediaKind, MediaVariant, Visibility } from '../../shared/portfolio.ts';
import type { GroupRole, Locale, SchoolRole } from '../../shared/roles.ts';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;

/** Kysely's view of the tables created by server/db/migrations (snake_case in SQL, camelCase here). */
export interface Database {
  schools: SchoolsTable;
  users: UsersTable;
  schoolRoles: SchoolRolesTable;
  groups: GroupsTable;
  memberships: MembershipsTable;
  guardianLinks: GuardianLinksTable;
  sessions: SessionsTable;
  auditEvents: AuditEventsTable;
  schemaMigrations: SchemaMigrationsTable;
  subjects: SubjectsTable;
  competenceFrameworks: CompetenceFrameworksTable;
  competences: CompetencesTable;
  projects: ProjectsTable;
  projectPhases: ProjectPhasesTable;
  projectGoals: ProjectGoalsTable;
  projectTeachers: ProjectTeachersTable;
  projectGroups: ProjectGroupsTable;
  artefacts: ArtefactsTable;
  artefactVersions: ArtefactVersionsTable;
  mediaItems: MediaItemsTable;
  pendingBlobs: PendingBlobsTable;
  feedback: FeedbackTable;
  feedbackReads: FeedbackReadsTable;
  portabilityJobs: PortabilityJobsTable;
  loginLimits: LoginLimitsTable;
  assessmentScales: AssessmentScalesTable;
  goalAssessments: GoalAssessmentsTable;
  artefactEvents: ArtefactEventsTable;
  signInCards: SignInCardsTable;
  signInCardSettings: SignInCardSettingsTable;
  guardianInvitations: GuardianInvitationsTable;
  passwordResets: PasswordResetsTable;
}

/** Issue 11 §4 (migration 0031): an invitation for a guardian of one pupil; the code is kept only as its SHA-256. */
export interface GuardianInvitationsTable {
  id: Generated<string>;
  schoolId: string;
  pupilId: string;
  createdBy: string | null;
  email: string | null;
  locale: Locale | null;
  codeHash: string;
  expiresAt: Date;
  sentAt: Date | null;
  openedAt: Date | null;
  acceptedAt: Date | null;
  acceptedBy: string | null;
  revokedAt: Date | null;
  createdAt: CreatedAt;
}

/** Issue 11 §5 (migration 0031): a password reset by e-mail; the token is kept only as its SHA-256. */
export interface PasswordResetsTable {
  tokenHash: string;
  userId: string;
  expiresAt: Date;
  usedAt: Date | null;
  createdAt: CreatedAt;
}

/** Issue 10 §4 (migration 0022): non-content changes of an artefact, shown in its history as events. */
export interface ArtefactEventsTable {
  id: Generated<string>;
  artefactId: string;
  actorId: string | null;
  kind: 'status' | 'visibility' | 'placement';
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
  shared: boolean;
  createdAt: CreatedAt;
  /** Migration 0025: who caused an imported event when it was not the pupil, by name only. */
  importedActor: ColumnType<ImportedPerson | null, string | null | undefined, string | null>;
}

/** Failed sign-in counters (rate-limiter-flexible's PostgreSQL layout); `expire` in epoch ms. */
export interface LoginLimitsTable {
  key: string;
  points: number;
  expire: string | null;
}

export interface SchoolsTable {
  id: Generated<string>;
  name: string;
  code: string | null;
  /** IANA time zone name (e.g. Europe/Helsinki): dates and times are shown in it, in the app and in exports. */
  timeZone: Generated<string>;
  /** Migration 0039 (issue 12 §4): the minimum age for a pupil's own secret links (younger: a teacher makes them). */
  shareLinkMinAge: Generated<number>;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
}

export interface UsersTable {
  id: Generated<string>;
  username: string;
  displayName: string;
  email: string | null;
  passwordHash: string | null;
  locale: Locale | null;
  active: Generated<boolean>;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
  /** Migration 0031: guardians' access ends when the pupil turns 18 (null: not known). A `date`, read as 'YYYY-MM-DD'. */
  birthDate: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface SchoolRolesTable {
  schoolId: string;
  userId: string;
  role: SchoolRole;
  createdAt: CreatedAt;
}

export interface GroupsTable {
  id: Generated<string>;
  schoolId: string;
  name: string;
  schoolYear: string | null;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
}

export interface MembershipsTable {
  groupId: string;
  userId: string;
  role: GroupRole;
  createdAt: CreatedAt;
}

export interface GuardianLinksTable {
  guardianId: string;
  pupilId: string;
  createdAt: CreatedAt;
}

export interface SessionsTable {
  sid: string;
  userId: string | null;
  data: ColumnType<unknown, string, string>;
  expiresAt: ColumnType<Date, Date, Date>;
}

export interface AuditEventsTable {
  id: Generated<string>;
  at: CreatedAt;
  actorId: string | null;
  action: string;
  subjectType: string;
  subjectId: string | null;
  subjectUserId: string | null;
  details: ColumnType<unknown, string | undefined, string>;
  ip: string | null;
}

export interface SchemaMigrationsTable {
  version: string;
  appliedAt: CreatedAt;
}

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type SchoolRow = Selectable<SchoolsTable>;
export type GroupRow = Selectable<GroupsTable>;

// Portfolio (migration 0003)
export interface SubjectsTable {
  code: string;
  labels: Labels;
  position: number;
}
export interface CompetenceFrameworksTable {
  key: string;
  labels: Labels;
}
export interface CompetencesTable {
  id: string;
  framework: string;
  key: string;
  labels: Labels;
  position: number;
}
export interface ProjectsTable {
  id: Generated<string>;
  schoolId: string;
  title: string;
  description: Generated<string>;
  schoolYear: string | null;
  startsOn: ColumnType<string | null, string | null | undefined, string | null>;
  endsOn: ColumnType<string | null, string | null | undefined, string | null>;
  subjectCodes: Generated<string[]>;
  competenceIds: Generated<string[]>;
  createdBy: string | null;
  /** The pupil an imported project belongs to (null: a school's project, reached through its teachers and groups). */
  ownerId: ColumnType<string | null, string | null | undefined, string | null>;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
  origin: ColumnType<ImportOrigin | null, string | null | undefined, string | null>;
  importedTeachers: ColumnType<ImportedPerson[], string | undefined, string>;
  /** Issue 10: the project's assessment scale; null means the built-in 4-step growth scale. */
  scaleId: ColumnType<string | null, string | null | undefined, string | null>;
  /** Migration 0025: an imported project's own scale when it is no built-in one (scaleId is then null). */
  importedScale: ColumnType<ImportedScale | null, string | null | undefined, string | null>;
}
/** Issue 10: a formative scale; built-in when schoolId is null (then builtinKey names it). */
export interface AssessmentScalesTable {
  id: Generated<string>;
  schoolId: string | null;
  builtinKey: ColumnType<string | null, string | null | undefined, never>;
  name: ColumnType<ScaleLabels, string, string>;
  levels: ColumnType<Array<{ labels: ScaleLabels; icon: string }>, string, string>;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
}
type ScaleLabels = { fi: string; sv: string; en: string };
/** A self-assessment or a teacher's level on a goal (issue 10): inserted, never rewritten, apart from sharing. */
export interface GoalAssessmentsTable {
  id: Generated<string>;
  goalId: string;
  pupilId: string;
  kind: 'self' | 'teacher';
  assessorId: string | null;
  level: number;
  reflection: string | null;
  artefactIds: ColumnType<string[], string[] | undefined, never>;
  sharedWithGuardians: ColumnType<boolean, boolean | undefined, boolean>;
  createdAt: CreatedAt;
  /** Migration 0025: the teacher of an imported level, known only by name (assessorId is then null). */
  importedAssessor: ColumnType<ImportedPerson | null, string | null | undefined, string | null>;
  /** Migration 0027: a spoken reflection. */
  voice: ColumnType<VoiceRecording | null, string | null | undefined, string | null>;
}
/** A scale an import brought that is no built-in one: the project's own (migration 0025). */
export interface ImportedScale {
  name: { fi: string; sv: string; en: string };
  levels: Array<{ labels: { fi: string; sv: string; en: string }; icon: string }>;
}
export interface ProjectPhasesTable {
  id: Generated<string>;
  projectId: string;
  position: number;
  title: string;
  reflectionPrompts: ColumnType<string[], string[] | undefined, string[]>;
}
export interface ProjectGoalsTable {
  id: Generated<string>;
  projectId: string;
  position: number;
  text: string;
  successCriteria: ColumnType<string[], string[] | undefined, string[]>;
}
export interface ProjectTeachersTable {
  projectId: string;
  userId: string;
}
export interface ProjectGroupsTable {
  projectId: string;
  groupId: string;
}
export interface ArtefactsTable {
  id: Generated<string>;
  ownerId: string;
  projectId: string | null;
  phaseId: string | null;
  kind: ArtefactKind;
  title: string;
  bodyHtml: Generated<string>;
  links: ColumnType<ArtefactLink[], string, string>;
  subjectCodes: Generated<string[]>;
  competenceIds: Generated<string[]>;
  goalIds: Generated<string[]>;
  tags: Generated<string[]>;
  status: Generated<ArtefactStatus>;
  readyAt: Date | null;
  visibility: Generated<Visibility>;
  version: Generated<number>;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
  deletedAt: Date | null;
  origin: ColumnType<ImportOrigin | null, string | null | undefined, string | null>;
}
export interface ArtefactVersionsTable {
  artefactId: string;
  version: number;
  authorId: string | null;
  snapshot: ColumnType<ArtefactSnapshot, string, string>;
  createdAt: CreatedAt;
  importedAuthor: ColumnType<ImportedPerson | null, string | null | undefined, string | null>;
  /** Whether the artefact was shared with guardians while this version was current (generated from the snapshot). */
  shared: GeneratedAlways<boolean>;
}
export interface MediaItemsTable {
  id: string;
  artefactId: string;
  ownerId: string;
  position: number;
  kind: MediaKind;
  mime: string;
  sha256: string;
  size: ColumnType<number, number, number>;
  originalName: string | null;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  variants: ColumnType<Partial<Record<MediaVariant, string>>, string, string>;
  variantDigests: ColumnType<Partial<Record<MediaVariant, { sha256: string; size: number }>>, string | undefined, string>;
  createdAt: CreatedAt;
  removedAt: Date | null;
}
export interface PendingBlobsTable {
  key: string;
  createdAt: CreatedAt;
  /** `host:pid:boot` of the process that noted it, when it was noted by a writer (NotedBlobStore). */
  owner: string | null;
}
export interface FeedbackTable {
  id: Generated<string>;
  artefactId: string;
  authorId: string | null;
  parentId: string | null;
  body: string;
  createdAt: CreatedAt;
  editedAt: Date | null;
  importedAuthor: ColumnType<ImportedPerson | null, string | null | undefined, string | null>;
  // Issue 10 §3–4 (migration 0022): the goals it is about, a request to revise, the version that answered it.
  goalIds: Generated<string[]>;
  revise: Generated<boolean>;
  answeredVersion: number | null;
  answeredAt: Date | null;
  /** Migration 0027 (issue 10 §3): a voice message, and the region or moment of a media item it is about. */
  voice: ColumnType<VoiceRecording | null, string | null | undefined, string | null>;
  anchor: ColumnType<FeedbackAnchor | null, string | null | undefined, string | null>;
}
/** A voice recording stored beside its row (migration 0027): cleaned by the media pipeline, its blob keys in `variants`. */
export interface VoiceRecording {
  mime: string;
  sha256: string;
  size: number;
  durationMs: number | null;
  variants: { original: string };
  variantDigests: { original?: { sha256: string; size: number } };
}
export interface FeedbackReadsTable {
  userId: string;
  artefactId: string;
  readAt: Date;
}

/** Export and import jobs (migration 0006); JSON columns are parsed by the portability module's zod schemas. */
export interface PortabilityJobsTable {
  id: Generated<string>;
  kind: 'export' | 'import';
  status: 'queued' | 'running' | 'ready' | 'done' | 'failed';
  store: string;
  requestedBy: string;
  pupilId: string | null;
  schoolId: string | null;
  scope: 'full' | 'shared' | null;
  locale: Generated<Locale>;
  target: ColumnType<unknown, string | null | undefined, string | null>;
  fileName: string;
  blobKey: string | null;
  size: ColumnType<number | null, number | null | undefined, number | null>;
  progress: ColumnType<unknown, string | null | undefined, string | null>;
  result: ColumnType<unknown, string | null | undefined, string | null>;
  error: ColumnType<unknown, string | null | undefined, string | null>;
  attempts: Generated<number>;
  worker: string | null;
  heartbeatAt: Date | null;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
  finishedAt: Date | null;
  expiresAt: Date;
}

/** Where an imported item came from (migration 0005). */
export interface ImportOrigin {
  source: string;
  id: string;
}
/** Someone known only by name, from an imported archive (migration 0005). */
export interface ImportedPerson {
  id: string | null;
  displayName: string;
  role: SchoolRole | null;
  /** As in portfolio.json: false for a Polku user of the Polku the archive came from; absent (LEAP2A) means true. */
  imported?: boolean;
}

export interface ArtefactLink {
  url: string;
  title?: string | undefined;
}

/** What a version keeps: enough to show the artefact as it was. */
export interface ArtefactSnapshot {
  title: string;
  bodyHtml: string;
  links: ArtefactLink[];
  status: ArtefactStatus;
  visibility: Visibility;
  projectId: string | null;
  phaseId: string | null;
  subjectCodes: string[];
  competenceIds: string[];
  goalIds: string[];
  /** Absent in versions saved before tags existed (migration 0014). */
  tags?: string[];
  mediaIds: string[];
}

/** Issue 11 §3 (migration 0032): QR sign-in cards; only the secret's SHA-256 (hex) is kept. */
export interface SignInCardsTable {
  id: Generated<string>;
  schoolId: string;
  userId: string;
  secretHash: string;
  createdBy: string | null;
  createdAt: CreatedAt;
  revokedAt: Date | null;
  revokedBy: string | null;
  lastUsedAt: Date | null;
}

/** When a school's cards work: minutes of the day in the school's zone, [start, end); null = any time. */
export interface SignInCardSettingsTable {
  schoolId: string;
  hoursStart: number | null;
  hoursEnd: number | null;
  updatedAt: UpdatedAt;
}
