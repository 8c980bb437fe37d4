import type { Locale, SchoolRole } from '../../shared/roles.ts';

/** The signed-in user as the policy sees them, loaded once per request from the session. */
export interface Actor {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly locale: Locale | null;
  readonly roles: ReadonlyArray<{ readonly schoolId: string; readonly role: SchoolRole }>;
  /** Groups this user teaches. */
  readonly teacherGroupIds: ReadonlySet<string>;
  /** Groups this user is a pupil in. */
  readonly pupilGroupIds: ReadonlySet<string>;
  /** Pupils this user is a guardian of. */
  readonly childIds: ReadonlySet<string>;
  /** Groups where this user's children are pupils. */
  readonly childGroupIds: ReadonlySet<string>;
  /** The school of each group this user is a member of (teacher or pupil): a card session keeps only its school's groups. */
  readonly groupSchoolIds?: ReadonlyMap<string, string>;
  readonly sessionId: string;
  /** Set when this session was opened with a QR sign-in card (issue 11 §3): the card's school. See `narrowForCard`. */
  readonly cardSchoolId?: string;
}
