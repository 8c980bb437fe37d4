/**
 * Polku's portfolio archive: what `portfolio.json` holds, as one versioned, documented schema.
 * Export writes it, import reads it (and LEAP2A import maps into it), and `portfolio.schema.json`
 * in every archive is generated from it, so the three cannot drift apart.
 */
import { z } from 'zod';
import { ARTEFACT_KINDS, ARTEFACT_STATUSES, MEDIA_KINDS, MEDIA_VARIANTS, VISIBILITIES } from '../portfolio.ts';
import { LOCALES, SCHOOL_ROLES } from '../roles.ts';
import { GUARDIAN_COMMENT_STATES, GUARDIAN_REACTIONS } from '../api/guardian-voice.ts';

export const PORTFOLIO_FORMAT = 'polku-portfolio';
/**
 * Bump when a field changes meaning or goes away, or when a version adds data an older Polku would
 * silently drop. 2 (issue 10): scales, goal assessments, feedback marks and answered-in-version links,
 * artefact events. 3 (issue 10 §5): peer feedback received. 4 (issue 12 §3): showcases; (issue 12 §2)
 * guardian comments and reaction counts on artefacts. Import
 * reads every version in SUPPORTED_PORTFOLIO_VERSIONS (each adds optional fields only).
 */
export const PORTFOLIO_FORMAT_VERSION = 4;
/** 3 (issue 10 §2–3): voice feedback and spoken reflections (`voice`), anchored feedback (`anchor`); 2's fields are all in 3; 4 adds `showcases`, and on artefacts `guardianComments` and `guardianReactions`. */
export const SUPPORTED_PORTFOLIO_VERSIONS = [1, 2, 3, 4] as const;

/** Where things are in the ZIP. */
export const ARCHIVE_PATHS = {
  site: 'index.html',
  document: 'portfolio.json',
  schema: 'portfolio.schema.json',
  leap2a: 'leap2a.xml',
  /** Media, once each, as `files/<sha256>.<ext>`. */
  filesDir: 'files/',
  /** `sha256sum -c SHA256SUMS` checks every other file of the archive. */
  manifest: 'SHA256SUMS',
} as const;

/**
 * Fields that may differ between two exports of the same portfolio (JSON pointers with `*` for
 * any array index). A round trip export → import → export keeps every other field equal.
 */
export const VOLATILE_FIELDS = ['/exportedAt', '/generator', '/schools', '/pupil/id', '/pupil/username'] as const;

const id = z.uuid().describe('Stable id (UUID): the same in every export, kept by import.');
const dateTime = z.iso.datetime({ offset: true }).describe('ISO 8601 date and time with offset.');
const date = z.iso.date().describe('ISO 8601 calendar date.');
const labels = z.record(z.enum(LOCALES), z.string()).describe('A text in Finnish, Swedish and English.');

export const personRefSchema = z
  .object({
    id: id.nullable().describe('Polku user id; null when the person came from another system (see `imported`).'),
    displayName: z.string().describe('Name as shown at the time of export.'),
    role: z.enum(SCHOOL_ROLES).nullable().describe('pupil, teacher, guardian or admin; null if unknown.'),
    imported: z
      .boolean()
      .describe(
        'False for the pupil and for a user of the Polku that wrote this archive (`id` is theirs there); true for a person known only by name: named by another system (e.g. a LEAP2A feed) or brought in by an import. An import links no one but the pupil to an account, so everyone else comes back `true` after Polku → Polku (keeping `id`, name and role as the source said them).',
      ),
  })
  .describe('Someone who wrote feedback, a version or teaches a project.');
export type PersonRef = z.infer<typeof personRefSchema>;

export const mediaFileSchema = z
  .object({
    path: z
      .string()
      .regex(/^files\/[0-9a-f]{64}\.[a-z0-9]{1,8}$/)
      .describe('Path inside the archive: files/<sha256>.<extension>.'),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .describe('SHA-256 of the file, hex.'),
    size: z.number().int().nonnegative().describe('Size in bytes.'),
    mime: z.string().describe('Media type, e.g. image/jpeg.'),
  })
  .describe('One stored file of a media item.');

export const mediaDocSchema = z
  .object({
    id,
    kind: z.enum(MEDIA_KINDS).describe('image, audio, video or file.'),
    mime: z.string().describe('Media type of the original.'),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .describe('SHA-256 of the original (metadata-free) file: the content identity used to skip duplicates on import.'),
    size: z.number().int().nonnegative().describe('Size of the original in bytes.'),
    originalName: z.string().nullable().describe('File name as uploaded.'),
    width: z.number().int().nullable().describe('Pixels, for images and video.'),
    height: z.number().int().nullable().describe('Pixels, for images and video.'),
    durationMs: z.number().int().nullable().describe('Length in milliseconds, for audio and video.'),
    position: z.number().int().describe('Order within the artefact, from 0.'),
    createdAt: dateTime,
    removedAt: dateTime.nullable().describe('Set when an edit removed the item; earlier versions still show it.'),
    files: z
      .partialRecord(z.enum(MEDIA_VARIANTS), mediaFileSchema)
      .describe('original: full size without metadata; display: a screen-sized image; thumb: a small preview; poster: a still of a video.'),
  })
  .describe('A photo, drawing, recording, video or file attached to an artefact.');
export type MediaDoc = z.infer<typeof mediaDocSchema>;

// --- Voice and anchored feedback (version 3, issue 10 §2–3) ---
export const voiceDocSchema = z
  .object({
    file: mediaFileSchema,
    durationMs: z.number().int().nonnegative().nullable().describe('Length in milliseconds.'),
  })
  .describe('A voice recording (feedback spoken aloud, or a spoken reflection), metadata-free like every recording.');
export type VoiceDoc = z.infer<typeof voiceDocSchema>;
export const anchorDocSchema = z
  .union([
    z
      .object({
        kind: z.literal('region'),
        mediaId: id.describe('A media item (image) of the same artefact.'),
        x: z.number().min(0).max(1),
        y: z.number().min(0).max(1),
        w: z.number().min(0).max(1),
        h: z.number().min(0).max(1),
      })
      .describe('A rectangle of the image, relative to its width and height (0..1) from the top left.'),
    z
      .object({
        kind: z.literal('moment'),
        mediaId: id.describe('A media item (audio or video) of the same artefact.'),
        start: z.number().min(0),
        end: z.number().min(0).nullable(),
      })
      .describe('A moment of the recording in seconds from its start, with an optional end.'),
  ])
  .describe('The part of the work feedback is about.');
// --- end voice and anchored feedback ---

export const versionDocSchema = z
  .object({
    version: z.number().int().positive().describe('1 for the first save, then one more per edit.'),
    author: personRefSchema.nullable(),
    createdAt: dateTime,
    title: z.string(),
    bodyHtml: z.string().describe('Sanitised HTML as it was in this version.'),
    status: z.enum(ARTEFACT_STATUSES),
    visibility: z.enum(VISIBILITIES),
    mediaIds: z.array(id).describe('Media items the artefact had in this version.'),
  })
  .describe('An earlier (or the current) saved state of an artefact, so the learning process shows.');
export type VersionDoc = z.infer<typeof versionDocSchema>;

export const feedbackDocSchema = z
  .object({
    id,
    parentId: id.nullable().describe('The feedback this one answers; null for the start of a thread.'),
    author: personRefSchema.nullable().describe('null when the author account was removed.'),
    body: z.string().describe('Plain text.'),
    createdAt: dateTime,
    editedAt: dateTime.nullable(),
    // Version 2 (optional: version 1 archives have none of these).
    goalIds: z.array(id).max(50).optional().describe('Learning goals of the project the feedback is about.'),
    revise: z.boolean().optional().describe('True when the feedback asks the pupil to revise or complete the work.'),
    answeredVersion: z.number().int().positive().nullable().optional().describe('The version of the artefact that answered this feedback (see `versions`).'),
    answeredAt: dateTime.nullable().optional().describe('When the pupil linked that version to the feedback.'),
    // Version 3.
    voice: voiceDocSchema.nullable().optional().describe('The feedback spoken aloud; `body` may then be empty.'),
    anchor: anchorDocSchema.nullable().optional(),
  })
  .describe("Formative feedback or a reply in the artefact's thread.");
export type FeedbackDoc = z.infer<typeof feedbackDocSchema>;

// --- Peer feedback (issue 10 §5, version 3) ---
export const peerFeedbackDocSchema = z
  .object({
    id,
    author: personRefSchema.nullable().describe('The classmate who wrote it; null when unknown. An import keeps them by name only.'),
    star1: z.string().describe('First thing done well.'),
    star2: z.string().describe('Second thing done well.'),
    wish: z.string().describe('One thing to improve.'),
    state: z
      .enum(['held', 'shown', 'reported', 'hidden'])
      .describe("Moderation state. Exports hold only messages the pupil could see ('shown'); held, reported and hidden ones stay with the school."),
    createdAt: dateTime,
  })
  .describe('Peer feedback received: "two stars and a wish" from a classmate in the project.');
export type PeerFeedbackDoc = z.infer<typeof peerFeedbackDocSchema>;

// --- Guardian voice (issue 12 §2, version 4) ---
export const guardianCommentDocSchema = z
  .object({
    id,
    author: personRefSchema
      .nullable()
      .describe('The guardian who wrote it (role guardian); null when unknown or the account was removed. An import keeps them by name only.'),
    body: z.string().max(2000).describe('Plain text.'),
    state: z
      .enum(GUARDIAN_COMMENT_STATES)
      .describe("Moderation state. Exports hold only comments the pupil could see ('shown'); an import brings back only those."),
    createdAt: dateTime,
  })
  .describe("A guardian's comment on the artefact or showcase, apart from the teachers' feedback thread.");
export type GuardianCommentDoc = z.infer<typeof guardianCommentDocSchema>;
export const guardianReactionsDocSchema = z
  .partialRecord(z.enum(GUARDIAN_REACTIONS), z.number().int().min(1))
  .describe(
    "How many of the pupil's current guardians gave each reaction (heart, star, clap, smile, wow); never who. A reaction nobody gave is left out. An import does not bring them back (reactions are a guardian account's).",
  );
export type GuardianReactionsDoc = z.infer<typeof guardianReactionsDocSchema>;
// --- end guardian voice ---

export const artefactEventDocSchema = z
  .object({
    kind: z
      .enum(['status', 'visibility', 'placement'])
      .describe('status: marked ready or draft; visibility: shared or unshared; placement: moved to another project or phase.'),
    details: z.record(z.string(), z.unknown()).describe('What changed, e.g. {"from": "draft", "to": "ready"}.'),
    shared: z.boolean().describe('Whether the artefact was shared with guardians after the event (a guardian sees only those).'),
    actor: personRefSchema.nullable(),
    createdAt: dateTime,
  })
  .describe('Something that happened to an artefact besides its content (version 2).');
export type ArtefactEventDoc = z.infer<typeof artefactEventDocSchema>;

export const scaleDocSchema = z
  .object({
    key: z.string().max(40).nullable().describe("A built-in scale's key (e.g. growth4, smiley3); null for a school's or an imported scale."),
    name: labels,
    levels: z
      .array(z.object({ labels, icon: z.string().max(16) }))
      .min(1)
      .max(16)
      .describe('Levels, lowest first; a level of an assessment is an index into this list.'),
  })
  .describe("The project's assessment scale: formative levels with labels and an icon, no numbers.");
export type ScaleDoc = z.infer<typeof scaleDocSchema>;

export const goalAssessmentDocSchema = z
  .object({
    id,
    goalId: id.describe('A goal of one of `projects`.'),
    kind: z.enum(['self', 'teacher']).describe('self: the pupil assessed themself; teacher: a teacher recorded a level.'),
    level: z.number().int().min(0).max(15).describe("Index into the levels of the goal's project scale."),
    reflection: z.string().max(500).nullable().describe("The pupil's reflection, plain text."),
    artefactIds: z.array(id).max(50).describe('Artefacts (see `artefacts`) the assessment is based on.'),
    sharedWithGuardians: z.boolean(),
    assessor: personRefSchema.nullable().describe('The pupil for a self-assessment; the teacher otherwise; null when unknown.'),
    createdAt: dateTime,
    voice: voiceDocSchema.nullable().optional().describe('A spoken reflection (version 3).'),
  })
  .describe('A self-assessment or teacher level on a learning goal; all are kept, so growth shows over time (version 2).');
export type GoalAssessmentDoc = z.infer<typeof goalAssessmentDocSchema>;

export const originSchema = z
  .object({
    source: z.string().describe('Where the item came from, e.g. "leap2a" or "leap2a:mahara".'),
    id: z.string().describe('Its id in that source (e.g. the Atom entry id), used to skip it when imported again.'),
  })
  .describe('Provenance of an item imported from another system.');

export const linkDocSchema = z.object({ url: z.string().describe('http(s) address.'), title: z.string().optional() });

export const artefactDocSchema = z
  .object({
    id,
    projectId: id.nullable().describe('The project (see `projects`) or null for an artefact outside any project.'),
    phaseId: id.nullable().describe('The project phase it belongs to.'),
    kind: z.enum(ARTEFACT_KINDS),
    title: z.string(),
    bodyHtml: z.string().describe('The text or reflection, sanitised HTML.'),
    links: z.array(linkDocSchema),
    subjectCodes: z.array(z.string()).describe('Subject codes, see `reference.subjects`.'),
    competenceIds: z.array(z.string()).describe('Competence ids, see `reference.competences`.'),
    goalIds: z.array(id).describe('Learning goals of the project this artefact shows.'),
    tags: z
      .array(z.string())
      .optional()
      .describe(
        'Free tags as the pupil wrote them (each once whatever its case, at most 20 of 40 characters). Written by every export since tags came; archives without it import as untagged, and import cleans tags that break the rules rather than failing.',
      ),
    status: z.enum(ARTEFACT_STATUSES).describe('draft, or ready for feedback.'),
    visibility: z.enum(VISIBILITIES).describe('private: the pupil and their teachers; guardians: also shared with guardians.'),
    version: z.number().int().positive().describe('Current version number.'),
    createdAt: dateTime,
    updatedAt: dateTime,
    readyAt: dateTime.nullable(),
    origin: originSchema.nullable(),
    media: z.array(mediaDocSchema).describe('Every media item, including ones removed by an edit.'),
    versions: z.array(versionDocSchema).describe('Every saved version, oldest first.'),
    feedback: z.array(feedbackDocSchema).describe('The whole thread, oldest first.'),
    events: z.array(artefactEventDocSchema).optional().describe('Events besides content changes, oldest first (version 2).'),
    peerFeedback: z.array(peerFeedbackDocSchema).optional().describe("Peer feedback received, oldest first (version 3; never in a guardian's export)."),
    guardianComments: z
      .array(guardianCommentDocSchema)
      .max(10_000)
      .optional()
      .describe("Guardians' comments the pupil could see, oldest first (version 4; never in a guardian's export)."),
    guardianReactions: guardianReactionsDocSchema.optional().describe("Guardians' reactions as counts (version 4; never in a guardian's export)."),
  })
  .describe("One piece of the pupil's learning: text, photo, drawing, recording, video, file or link.");
export type ArtefactDoc = z.infer<typeof artefactDocSchema>;

export const projectDocSchema = z
  .object({
    id,
    title: z.string(),
    description: z.string(),
    schoolYear: z.string().nullable(),
    startsOn: date.nullable(),
    endsOn: date.nullable(),
    subjectCodes: z.array(z.string()),
    competenceIds: z.array(z.string()),
    phases: z
      .array(
        z.object({
          id,
          title: z.string(),
          reflectionPrompts: z.array(z.string().max(200)).max(8).optional().describe('Reflection prompts of the phase: short questions, ordered.'),
        }),
      )
      .describe('Ordered phases, e.g. orientation, research, creating, sharing, reflecting.'),
    goals: z
      .array(
        z.object({
          id,
          text: z.string(),
          // Optional: archives made before success criteria existed have none.
          successCriteria: z.array(z.string().max(200)).max(10).optional().describe('Success criteria of the goal: short lines, ordered.'),
        }),
      )
      .describe('Learning goals ("I can …"), ordered.'),
    teachers: z.array(personRefSchema),
    scale: scaleDocSchema.optional().describe('Version 2; a version 1 archive means the built-in growth4 scale.'),
    origin: originSchema.nullable(),
  })
  .describe('A cross-subject, phenomenon-based learning project the pupil took part in.');
export type ProjectDoc = z.infer<typeof projectDocSchema>;

// --- Showcases (version 4, issue 12 §3) ---
export const SHOWCASE_VISIBILITIES = ['private', 'guardians', 'project'] as const;
export const showcaseItemDocSchema = z
  .object({
    artefactId: id
      .nullable()
      .describe('An artefact of `artefacts`; null for a text block of the showcase itself. An import keeps only artefacts it brings or the pupil already has.'),
    heading: z.string().max(200).describe('A heading above the item (a text block’s title); may be empty.'),
    bodyHtml: z.string().max(100_000).describe('For an artefact: the pupil’s reflection on why it is here. For a text block: its text. Sanitised HTML.'),
  })
  .describe('One place of a showcase, in the order the pupil chose.');
export type ShowcaseItemDoc = z.infer<typeof showcaseItemDocSchema>;
export const showcaseDocSchema = z
  .object({
    id,
    title: z.string().max(200),
    introHtml: z.string().max(200_000).describe('The introduction, sanitised HTML.'),
    visibility: z
      .enum(SHOWCASE_VISIBILITIES)
      .describe(
        'private: the pupil and their teachers; guardians: also shared with guardians; project: also the pupils of `projectId`. An import brings every showcase back private.',
      ),
    projectId: id.nullable().describe('The project (see `projects`) whose pupils it was shared with, or that it was made for; null otherwise.'),
    createdAt: dateTime,
    updatedAt: dateTime,
    origin: originSchema.nullable(),
    items: z.array(showcaseItemDocSchema).max(1000).describe('Items in the order chosen.'),
    // Issue 12 §2 on showcases: as on artefacts, and optional (archives written before carry none).
    guardianComments: z
      .array(guardianCommentDocSchema)
      .max(10_000)
      .optional()
      .describe("Guardians' comments on the showcase the pupil could see, oldest first (never in a guardian's export)."),
    guardianReactions: guardianReactionsDocSchema.optional().describe("Guardians' reactions to the showcase as counts (never in a guardian's export)."),
  })
  .describe('A page of the pupil’s chosen work ("my best work this year"), like a Mahara page; in LEAP2A a selection of type Webpage.');
export type ShowcaseDoc = z.infer<typeof showcaseDocSchema>;

export const portfolioDocumentSchema = z
  .object({
    format: z.literal(PORTFOLIO_FORMAT),
    version: z.union(SUPPORTED_PORTFOLIO_VERSIONS.map((v) => z.literal(v))).describe('Format version; see the README of Polku for changes.'),
    exportedAt: dateTime.describe('Volatile: when this archive was made.'),
    generator: z.object({ name: z.string(), version: z.string() }).describe('Volatile: the program that wrote it.'),
    scope: z.enum(['full', 'shared']).describe('full: the whole portfolio; shared: only what the pupil shared with guardians.'),
    locale: z.enum(LOCALES).describe('Language of the offline pages.'),
    pupil: z.object({
      id: id.describe("Volatile: the pupil's user id in the exporting Polku."),
      username: z.string().describe('Volatile: sign-in name in the exporting Polku.'),
      displayName: z.string(),
      locale: z.enum(LOCALES).nullable(),
    }),
    schools: z.array(z.object({ name: z.string() })).describe('Volatile: schools of the pupil at export time.'),
    projects: z.array(projectDocSchema).describe('Projects that any exported artefact belongs to.'),
    artefacts: z.array(artefactDocSchema).describe('Newest first.'),
    goalAssessments: z
      .array(goalAssessmentDocSchema)
      .max(100_000)
      .optional()
      .describe("The pupil's assessments on the goals of `projects`, oldest first (version 2; a shared export holds only those shared with guardians)."),
    showcases: z
      .array(showcaseDocSchema)
      .max(10_000)
      .optional()
      .describe('The pupil’s showcases, newest first (version 4; a shared export holds only those shared with guardians, and of those only items it holds).'),
    reference: z
      .object({
        subjects: z.array(z.object({ code: z.string(), labels })),
        competences: z.array(z.object({ id: z.string(), labels })),
      })
      .describe('Labels of the subject codes and competence ids used, so the archive reads without Polku.'),
  })
  .describe('A Polku portfolio: everything Polku knows about it, readable without Polku.');
export type PortfolioDocument = z.infer<typeof portfolioDocumentSchema>;

/** The JSON Schema written into every archive as `portfolio.schema.json`. */
export function portfolioJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(portfolioDocumentSchema, { target: 'draft-2020-12' }),
    $id: `https://polku.fi/schemas/portfolio-v${PORTFOLIO_FORMAT_VERSION}.json`,
    title: 'Polku portfolio',
  };
}
