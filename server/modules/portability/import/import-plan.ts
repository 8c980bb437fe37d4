import type { FeedbackAnchor } from '../../../../shared/api/feedback.ts';
import type { ArtefactKind, ArtefactStatus, MediaVariant, Visibility } from '../../../../shared/portfolio.ts';
import type { Locale } from '../../../../shared/roles.ts';
import type { MessageParams } from '../../../../shared/portability/import-messages.ts';
import type { ImportReasonCode } from '../../../../shared/portability/import-reasons.ts';
import type { ImportTitleCode } from '../../../../shared/portability/import-titles.ts';
import type { ImportOrigin, ImportedPerson, ImportedScale } from '../../../db/schema.ts';
import type { NewArtefact } from '../../artefacts/artefact-writes.ts';
import type { ImportPreviewView } from '../../../../shared/api/portability.ts';

/**
 * One line of the preview and the report: every item of the archive is accounted for. A reason is
 * set with importReason() (shared/portability/import-reasons.ts): the code and params for the
 * client to word in the reader's language, and `reason`, the same in English for the CLI and logs.
 */
export interface ImportItem {
  type: 'project' | 'artefact' | 'media' | 'feedback' | 'version' | 'entry' | 'assessment' | 'showcase';
  sourceId: string;
  title: string;
  /** For a title the importer made up (see shared/portability/import-titles.ts). */
  titleCode?: ImportTitleCode;
  titleParams?: MessageParams;
  action: 'create' | 'skip' | 'unmapped';
  reasonCode?: ImportReasonCode;
  reasonParams?: MessageParams;
  reason?: string;
}

/**
 * What an archive turns into, whatever its format: readers (polku-archive.ts, leap2a-plan.ts) build
 * it, import-writer.ts writes it. Building reads the database but never writes; the same plan comes
 * out for the preview and for the apply, so their counts agree.
 */
export interface ImportPlan {
  format: ImportPreviewView['format'];
  sourceVersion: string;
  pupilName: string;
  /** Set when the archive names no learner: `pupilName` is then the English placeholder. */
  pupilNameCode?: ImportTitleCode;
  items: ImportItem[];
  /** For a new account: what the archive says about the pupil. */
  pupil: { id: string | null; username: string | null; displayName: string; locale: Locale | null };
  projects: PlannedProject[];
  artefacts: PlannedArtefact[];
  /** The pupil's goal assessments (Polku archives of version 2), on goals of planned or own projects. */
  assessments?: PlannedAssessment[];
  /** Issue 12 §3: showcases (Polku format 4, Mahara pages and collections), always brought in private. */
  showcases?: PlannedShowcase[];
  /**
   * The learner's profile as the archive states it (LEAP2A persondata: names, e-mail, student id …),
   * shown in the preview and the report. Never used to find or link an account.
   */
  profile?: ImportProfileField[];
}

export interface ImportProfileField {
  /** LEAP2A's field name (legal_given_name, legal_family_name, email, studentid, other …). */
  field: string;
  label: string;
  value: string;
}

export interface PlannedProject {
  id: string;
  title: string;
  description: string;
  schoolYear: string | null;
  startsOn: string | null;
  endsOn: string | null;
  subjectCodes: string[];
  competenceIds: string[];
  phases: Array<{ id: string; title: string; reflectionPrompts?: string[] }>;
  goals: Array<{ id: string; text: string; successCriteria?: string[] }>;
  /**
   * Teachers the archive names, by name only. There is deliberately no field for accounts: an
   * import never makes anyone a teacher of a project, nor adds a group to it.
   */
  importedTeachers: ImportedPerson[];
  origin: ImportOrigin | null;
  createdAt: Date | null;
  /** A built-in scale (matched by key); null with no importedScale: the default. */
  scaleId?: string | null;
  /** A scale that is no built-in one, kept as the project's own (migration 0025). */
  importedScale?: ImportedScale | null;
}

/** A self-assessment or teacher level: the assessor is the target pupil or a name-only person. */
export interface PlannedAssessment extends PlannedAuthor {
  id: string;
  goalId: string;
  kind: 'self' | 'teacher';
  level: number;
  reflection: string | null;
  artefactIds: string[];
  sharedWithGuardians: boolean;
  createdAt: Date | null;
  /** Format 3: a spoken reflection, stored through the media pipeline like other recordings. */
  voice?: PlannedMedia | null;
}

/** An artefact event (status, sharing, placement) of an artefact the import creates. */
export interface PlannedEvent extends PlannedAuthor {
  kind: 'status' | 'visibility' | 'placement';
  details: Record<string, unknown>;
  shared: boolean;
  createdAt: Date | null;
}

/** A media file of the archive, found and sniffed while planning (see MediaInspector). */
export interface PlannedMedia {
  id: string;
  position: number;
  createdAt: Date | null;
  removedAt: Date | null;
  /** Path of the file inside the ZIP. */
  entry: string;
  originalName: string | null;
  /** As the archive states them, for files kept byte for byte (processing measures its own). */
  dims: { width: number | null; height: number | null; durationMs: number | null };
  /**
   * keep: a Polku archive's file, stored byte for byte when it carries no metadata (round trip);
   * process: through the upload pipeline, variants made fresh (LEAP2A, or a Polku file with metadata).
   */
  mode: 'keep' | 'process';
  /** Polku archives: the other stored variants, reused when the original is kept. */
  variants: Partial<Record<Exclude<MediaVariant, 'original'>, { entry: string; mime: string }>>;
  /** Index into the plan's items, so the writer can say that a file was cleaned. */
  item: number;
}

/**
 * Who wrote something an archive brings: the target pupil (the only account an import links to), a
 * name-only imported person, or nobody known. A plan cannot hold any other account's id.
 */
export interface PlannedAuthor {
  byPupil: boolean;
  importedAuthor: ImportedPerson | null;
}

export interface PlannedFeedback extends PlannedAuthor {
  id: string;
  parentId: string | null;
  body: string;
  createdAt: Date | null;
  editedAt: Date | null;
  /** Goals of the artefact's planned project the feedback is about. */
  goalIds?: string[];
  revise?: boolean;
  /** A version the import creates for the artefact; null otherwise. */
  answeredVersion?: number | null;
  answeredAt?: Date | null;
  /** Format 3: a voice message (through the media pipeline), and the region or moment of a media item here it is about. */
  voice?: PlannedMedia | null;
  anchor?: FeedbackAnchor | null;
}

export interface PlannedVersion extends PlannedAuthor {
  version: number;
  createdAt: Date | null;
  title: string;
  bodyHtml: string;
  status: ArtefactStatus;
  visibility: Visibility;
  /** null: the media this import stores for the artefact (LEAP2A, known only after processing). */
  mediaIds: string[] | null;
}

/**
 * The history of work from a format without versions: one version, the pupil's, as the work
 * stands once its text is sanitised (LEAP2A, Takeout, Seesaw). Call it after the bodies are final.
 */
export function firstVersions(artefacts: readonly PlannedArtefact[]): void {
  for (const a of artefacts) {
    if (!a.row) continue;
    const { createdAt, title, bodyHtml } = a.row;
    a.versions.push({ version: 1, byPupil: true, importedAuthor: null, createdAt, title, bodyHtml, status: 'draft', visibility: 'private', mediaIds: null });
  }
}

/**
 * An artefact row as planned: the shape the one write path takes (artefact-writes.ts NewArtefact),
 * less what the writer settles (id, owner, media, versions, author), with the kind possibly left
 * to the first stored media item (null: that item's kind, 'text' if none) and times as the archive gives them.
 */
export type PlannedArtefactRow = Omit<NewArtefact, 'id' | 'ownerId' | 'kind' | 'media' | 'history' | 'author' | 'createdAt' | 'updatedAt' | 'origin'> & {
  kind: ArtefactKind | null;
  createdAt: Date | null;
  updatedAt: Date | null;
  origin: ImportOrigin | null;
};

/** What every planned row of a format without them starts as: a private draft at version 1, outside any phase, untagged by subject, competence or goal. */
export const importedDraft = () =>
  ({
    phaseId: null,
    subjectCodes: [],
    competenceIds: [],
    goalIds: [],
    status: 'draft',
    readyAt: null,
    visibility: 'private',
    version: 1,
  }) satisfies Partial<PlannedArtefactRow>;

export interface PlannedArtefact {
  id: string;
  /** null: the artefact is already there and only receives new media or feedback. */
  row: PlannedArtefactRow | null;
  versions: PlannedVersion[];
  media: PlannedMedia[];
  feedback: PlannedFeedback[];
  events?: PlannedEvent[];
  /** Issue 10 §5: peer feedback the archive's pupil received, for an artefact this import creates; authors by name only. */
  peerFeedback?: PlannedPeerFeedback[];
  /** Issue 12 §2: guardian comments (shown), for an artefact this import creates; authors by name only. */
  guardianComments?: PlannedGuardianComment[];
}

/** A guardian comment an import creates: always shown, its author a name only. `id`: the archive's, kept where free. */
export interface PlannedGuardianComment {
  id: string;
  importedAuthor: ImportedPerson | null;
  body: string;
  createdAt: Date | null;
}

/** The most items an imported showcase keeps, as the app lets a pupil have (the rest are left out). */
export const IMPORTED_SHOWCASE_MAX_ITEMS = 100;

/**
 * A showcase an import creates. Its items name artefacts by their id here (ones this import creates
 * or the pupil already has); the writer keeps only those the target pupil owns, whatever the plan says.
 */
export interface PlannedShowcase {
  id: string;
  title: string;
  introHtml: string;
  projectId: string | null;
  origin: ImportOrigin | null;
  createdAt: Date | null;
  updatedAt: Date | null;
  items: Array<{ artefactId: string | null; heading: string; bodyHtml: string }>;
  /** Issue 12 §2 on showcases: guardian comments (shown), authors by name only, as on artefacts. */
  guardianComments?: PlannedGuardianComment[];
}

export interface PlannedPeerFeedback {
  importedAuthor: ImportedPerson | null;
  star1: string;
  star2: string;
  wish: string;
  createdAt: Date | null;
}

export function countItems(items: readonly ImportItem[]): { create: number; skip: number; unmapped: number } {
  const counts = { create: 0, skip: 0, unmapped: 0 };
  for (const item of items) counts[item.action] += 1;
  return counts;
}

/** Parses an archive's date; a missing or unreadable one becomes null (the database then says now). */
export function parseDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms);
}
