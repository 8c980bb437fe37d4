/** Roles a user can hold at a school. */
export const SCHOOL_ROLES = ['pupil', 'teacher', 'guardian', 'admin'] as const;
export type SchoolRole = (typeof SCHOOL_ROLES)[number];

/** Roles inside a teaching group. */
export const GROUP_ROLES = ['pupil', 'teacher'] as const;
export type GroupRole = (typeof GROUP_ROLES)[number];

export const LOCALES = ['fi', 'sv', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'fi';
