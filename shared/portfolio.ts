/** Domain constants of the portfolio, shared by server and client. */
export const ARTEFACT_KINDS = ['text', 'image', 'drawing', 'audio', 'video', 'file', 'link'] as const;
export type ArtefactKind = (typeof ARTEFACT_KINDS)[number];

export const ARTEFACT_STATUSES = ['draft', 'ready'] as const;
export type ArtefactStatus = (typeof ARTEFACT_STATUSES)[number];

/** private: the pupil and their teachers; guardians: also the pupil's guardians. */
export const VISIBILITIES = ['private', 'guardians'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export const MEDIA_KINDS = ['image', 'audio', 'video', 'file'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

export const MEDIA_VARIANTS = ['original', 'display', 'thumb', 'poster'] as const;
export type MediaVariant = (typeof MEDIA_VARIANTS)[number];

/** How long a deleted artefact can be restored before it and its media are removed for good. */
export const UNDO_DELETE_SECONDS = 30;
/** How long an author may edit their own feedback. */
export const FEEDBACK_EDIT_MINUTES = 15;
/** Default project phases offered when a teacher creates a project. */
export const DEFAULT_PHASE_KEYS = ['orientation', 'research', 'creating', 'sharing', 'reflecting'] as const;
