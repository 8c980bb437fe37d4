import { sql, type ColumnType, type Kysely, type RawBuilder } from 'kysely';
import type { GuardianView } from '../../auth/policy.ts';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';

/**
 * Issue 12 §1: the facts behind what guardians see of shared work, as SQL that other modules' queries carry
 * (artefact facts, the timeline, tags, goal evidence, the guardian's export), so that every read path asks the
 * same question. The policy (guardianSeesArtefact, guardianSeesVersion …) decides on what these return.
 */

export type GuardianSharingMode = 'direct' | 'approval';
export type ApprovalState = 'pending' | 'approved' | 'returned';
export type SharedSubjectType = 'artefact' | 'showcase';

/** Migration 0036, declared beside the module that writes it. */
export type GuardianSharingTables = {
  guardianShares: {
    subjectType: SharedSubjectType;
    subjectId: string;
    ownerId: string;
    shareHistory: ColumnType<boolean, boolean | undefined, boolean>;
    visibleSince: Date | null;
    state: ApprovalState | null;
    requestedVersion: number | null;
    requestedAt: Date | null;
    approvedVersion: number | null;
    approvedVersions: ColumnType<number[], number[] | undefined, number[] | RawBuilder<number[]>>;
    note: string | null;
    decidedBy: string | null;
    decidedAt: Date | null;
    /** Migration 0043: a showcase's approved content, and the content of its last decision (showcaseFingerprintSql). */
    approvedFingerprint: ColumnType<string | null, string | null | undefined, string | null>;
    decidedFingerprint: ColumnType<string | null, string | null | undefined, string | null>;
  };
  /** The school's rule, a column of `schools` (migration 0036). */
  schools: { guardianSharing: ColumnType<GuardianSharingMode, GuardianSharingMode | undefined, GuardianSharingMode> };
};
export type GuardianSharingDb = Kysely<Database & GuardianSharingTables>;
export const sharingDb = (db: Db): GuardianSharingDb => db.withTables<GuardianSharingTables>();

/**
 * Whether the school's rule asks a teacher to approve this artefact (alias `a` of `artefacts`): the rule of the
 * school of its project; for work outside any project, approval if any school where its owner is a pupil asks for it.
 * Also the rule that applied to the version guardians were last approved to see (its placement in the snapshot):
 * a move is a version, and moving approved work (with an edit waiting) into a project of a school that shares
 * directly must not let the edit out past the teachers of the school whose rule it was under (attack review 15).
 * Once a teacher approves the move, the approved version is in the new project and that school's rule alone holds.
 */
export function approvalRequiredSql(alias: string): RawBuilder<boolean> {
  const a = sql.table(alias);
  return sql<boolean>`(${approvalRequiredFor(sql`${a}.project_id`, sql`${a}.owner_id`)}
    or exists (select 1 from guardian_shares ar_gs join artefact_versions ar_v on ar_v.artefact_id = ar_gs.subject_id and ar_v.version = ar_gs.approved_version
               where ar_gs.subject_type = 'artefact' and ar_gs.subject_id = ${a}.id
                 and ${approvalRequiredFor(sql`(ar_v.snapshot ->> 'projectId')`, sql`${a}.owner_id`)}))`;
}

/** The same rule for any subject (a showcase too): its project (or null) and its owner. */
export function approvalRequiredFor(projectId: RawBuilder<unknown> | string | null, ownerId: RawBuilder<unknown> | string): RawBuilder<boolean> {
  // Aliases of their own: a caller's outer alias (`s`, `p`) must not be shadowed inside (the arguments are outer refs).
  return sql<boolean>`coalesce(
    (select ar_s.guardian_sharing = 'approval' from projects ar_p join schools ar_s on ar_s.id = ar_p.school_id where ar_p.id = ${projectId}::uuid),
    exists (select 1 from school_roles ar_sr join schools ar_s on ar_s.id = ar_sr.school_id
            where ar_sr.user_id = ${ownerId}::uuid and ar_sr.role = 'pupil' and ar_s.guardian_sharing = 'approval'))`;
}

/** The version guardians see (null: none): the current one while shared directly, the last approved one under approval. */
export function guardianVersionSql(alias: string): RawBuilder<number | null> {
  const a = sql.table(alias);
  return sql<number | null>`(case when ${a}.visibility <> 'guardians' then null
    when ${approvalRequiredSql(alias)} then (select gs.approved_version from guardian_shares gs where gs.subject_type = 'artefact' and gs.subject_id = ${a}.id)
    else ${a}.version end)`;
}

/**
 * The content and placement guardians see of an artefact (alias), for searching and filtering as they see it:
 * the current columns when they see the current version, else that (approved) version's snapshot. A pending
 * edit's words and tags must not find, or list, anything for a guardian; nor may a pending move (project,
 * phase, goals, subjects, competences) file the work where a teacher has not yet approved it.
 */
export function guardianSeenSql(alias: string) {
  const a = sql.table(alias);
  const gv = guardianVersionSql(alias);
  const snap = (expr: RawBuilder<unknown>) => sql`(select ${expr} from artefact_versions gsv where gsv.artefact_id = ${a}.id and gsv.version = ${gv})`;
  const seen = <T>(column: string, fromSnapshot: RawBuilder<unknown>) =>
    sql<T>`(case when ${gv} = ${a}.version then ${a}.${sql.ref(column)} else ${snap(fromSnapshot)} end)`;
  const text = (column: string, key: string) => seen<string | null>(column, sql`gsv.snapshot ->> ${key}`);
  // A list from the snapshot; empty rather than null when the version has none (or is missing).
  const list = <T>(column: string, key: string, type: RawBuilder<unknown>) =>
    sql<T>`coalesce(${seen(column, sql`array(select jsonb_array_elements_text(coalesce(gsv.snapshot -> ${key}, '[]'::jsonb)))::${type}`)}, '{}'::${type})`;
  return {
    title: text('title', 'title'),
    bodyHtml: text('body_html', 'bodyHtml'),
    tags: list<string[]>('tags', 'tags', sql`text[]`),
    projectId: seen<string | null>('project_id', sql`(gsv.snapshot ->> 'projectId')::uuid`),
    phaseId: seen<string | null>('phase_id', sql`(gsv.snapshot ->> 'phaseId')::uuid`),
    goalIds: list<string[]>('goal_ids', 'goalIds', sql`uuid[]`),
    subjectCodes: list<string[]>('subject_codes', 'subjectCodes', sql`text[]`),
    competenceIds: list<string[]>('competence_ids', 'competenceIds', sql`text[]`),
  };
}

/** The whole GuardianView of an artefact as one json value (parse it with `guardianViewOf`). */
export function guardianViewSql(alias: string): RawBuilder<GuardianViewJson> {
  const a = sql.table(alias);
  return sql<GuardianViewJson>`(select json_build_object(
      'version', case when ${a}.visibility <> 'guardians' then null when req.required then gs.approved_version else ${a}.version end,
      'currentVersion', ${a}.version,
      'approvalRequired', req.required,
      'approvedVersions', coalesce(gs.approved_versions, '{}'),
      'shareHistory', coalesce(gs.share_history, false),
      -- Shared directly without a row (imported as shared): seen since it was made.
      'since', case when req.required then gs.visible_since else coalesce(gs.visible_since, ${a}.created_at) end)
    from (select ${approvalRequiredSql(alias)} as required) req
    left join guardian_shares gs on gs.subject_type = 'artefact' and gs.subject_id = ${a}.id)`;
}

export interface GuardianViewJson {
  version: number | null;
  currentVersion: number;
  approvalRequired: boolean;
  approvedVersions: number[];
  shareHistory: boolean;
  since: string | null;
}

export function guardianViewOf(json: GuardianViewJson | string): GuardianView {
  const v = typeof json === 'string' ? (JSON.parse(json) as GuardianViewJson) : json;
  return {
    version: v.version,
    current: v.version !== null && v.version === v.currentVersion,
    approvalRequired: v.approvalRequired,
    approvedVersions: v.approvedVersions,
    shareHistory: v.shareHistory,
    since: v.since ? new Date(v.since) : null,
  };
}

// --- Showcases under approval (migration 0043) ---
/**
 * A showcase's content (alias `s` of `showcases`) as one md5: its title, introduction and items in order, each
 * with its heading, text, template slot, work and that work's current version (a work's version grows with every
 * content edit, so editing a work inside the showcase changes this too), and whether a reader sees the work. A
 * showcase has no versions: a teacher approves this fingerprint, and guardians see the showcase while it holds.
 */
export function showcaseFingerprintSql(alias: string): RawBuilder<string> {
  const s = sql.table(alias);
  // Hashed as JSON, whose text escapes every character of the fields: separator characters typed into a heading
  // cannot make other content (a work the teacher never saw) hash like approved content (attack review 15).
  return sql<string>`md5(jsonb_build_array(${s}.title, ${s}.intro_html, coalesce((
      select jsonb_agg(jsonb_build_array(sf_i.artefact_id, sf_a.version,
               sf_i.artefact_id is null or (sf_a.deleted_at is null and sf_a.owner_id = ${s}.owner_id),
               sf_i.template_slot, sf_i.heading, sf_i.body_html) order by sf_i.position)
      from showcase_items sf_i left join artefacts sf_a on sf_a.id = sf_i.artefact_id
      where sf_i.showcase_id = ${s}.id), '[]'::jsonb))::text)`;
}

/**
 * Whether the school's rule asks a teacher to approve the showcase (alias): the rule of its project's school (of
 * any of its owner's schools without a project), or of any work in it (approvalRequiredSql). A showcase carries
 * its works to guardians, so naming a project of a school that shares directly must not take work of a school
 * that asks for approval past its teachers (attack review 15); one of such a school's own works only is shared
 * directly, as it chose.
 */
export function showcaseApprovalRequiredSql(alias: string): RawBuilder<boolean> {
  const s = sql.table(alias);
  return sql<boolean>`(${approvalRequiredFor(sql`${s}.project_id`, sql`${s}.owner_id`)}
    or exists (select 1 from showcase_items sr_i join artefacts sr_a on sr_a.id = sr_i.artefact_id
               where sr_i.showcase_id = ${s}.id and sr_a.owner_id = ${s}.owner_id and ${approvalRequiredSql('sr_a')}))`;
}

/** The showcase (alias) is approved for guardians in its present content: a teacher approved exactly this fingerprint. */
export function showcaseGuardianApprovedSql(alias: string): RawBuilder<boolean> {
  const s = sql.table(alias);
  return sql<boolean>`exists (select 1 from guardian_shares sa_gs where sa_gs.subject_type = 'showcase' and sa_gs.subject_id = ${s}.id
    and sa_gs.approved_fingerprint = ${showcaseFingerprintSql(alias)})`;
}

/**
 * The showcase (alias) waits in the teachers' queue: shared with guardians (or its project, which includes them)
 * where the school's rule asks for approval, and its content is not what the last decision was about (a new
 * share, or any edit after a decision).
 */
export function showcaseWaitingSql(alias: string): RawBuilder<boolean> {
  const s = sql.table(alias);
  return sql<boolean>`(${s}.visibility in ('guardians', 'project') and ${showcaseApprovalRequiredSql(alias)}
    and not exists (select 1 from guardian_shares sw_gs where sw_gs.subject_type = 'showcase' and sw_gs.subject_id = ${s}.id
                    and sw_gs.decided_fingerprint = ${showcaseFingerprintSql(alias)}))`;
}
