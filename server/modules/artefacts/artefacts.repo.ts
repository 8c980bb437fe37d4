import { sql, type RawBuilder, type Selectable } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Artefact, Media } from '../../../shared/api/artefacts.ts';
import { MEDIA_VARIANTS, type ArtefactKind, type MediaVariant } from '../../../shared/portfolio.ts';
import { artefactAudience, type HistoryScope, type PortfolioScope, type VersionFact } from '../../auth/policy.ts';
import type { Db } from '../../db/database.ts';
import { executeCompiled, executePrepared } from '../../db/prepared.ts';
import type { ArtefactsTable, MediaItemsTable } from '../../db/schema.ts';
import { guardianLinkInForce } from '../org/org.repo.ts';
import { guardianSeenSql, guardianVersionSql, guardianViewOf, guardianViewSql } from '../guardian-sharing/guardian-sharing.sql.ts';

/** The columns and relations the policy needs about artefacts (one row each). */
function artefactFactsQuery(db: Db) {
  return db.selectFrom('artefacts').select((eb) => [
    'artefacts.id',
    'artefacts.ownerId',
    'artefacts.projectId',
    'artefacts.visibility',
    'artefacts.status',
    'artefacts.deletedAt',
    'artefacts.version',
    // Issue 12 §1: what guardians see of it under the school's rule (policy's GuardianView).
    guardianViewSql('artefacts').as('guardianView'),
    jsonArrayFrom(
      eb
        .selectFrom('memberships')
        .select('memberships.groupId')
        .whereRef('memberships.userId', '=', 'artefacts.ownerId')
        .where('memberships.role', '=', 'pupil'),
    ).as('ownerGroups'),
    jsonArrayFrom(eb.selectFrom('projectTeachers').select('projectTeachers.userId').whereRef('projectTeachers.projectId', '=', 'artefacts.projectId')).as(
      'projectTeachers',
    ),
  ]);
}

type ArtefactFactsRow = Awaited<ReturnType<ReturnType<typeof artefactFactsQuery>['executeTakeFirstOrThrow']>>;

function factsOf(row: ArtefactFactsRow) {
  return {
    row,
    resource: {
      type: 'artefact' as const,
      ownerId: row.ownerId,
      ownerGroupIds: row.ownerGroups.map((g) => g.groupId),
      projectTeacherIds: row.projectTeachers.map((t) => t.userId),
      visibility: row.visibility,
      guardianView: guardianViewOf(row.guardianView),
    },
  };
}

export type ArtefactFacts = ReturnType<typeof factsOf>;

/** What the policy needs about an artefact, in one query (a prepared statement: most artefact routes start here). */
export async function artefactFacts(db: Db, artefactId: string): Promise<ArtefactFacts | null> {
  const [row] = await executePrepared(db, artefactFactsQuery(db).where('artefacts.id', '=', artefactId).compile());
  return row ? factsOf(row) : null;
}

/**
 * `artefactFacts` for many artefacts in one query (a page of notifications checks each subject again).
 * Absent artefacts are missing from the map; deleted ones are in it with `deletedAt` set, as there.
 */
export async function artefactFactsMany(db: Db, artefactIds: readonly string[]): Promise<Map<string, ArtefactFacts>> {
  const ids = [...new Set(artefactIds)];
  if (ids.length === 0) return new Map();
  const rows = await artefactFactsQuery(db).where('artefacts.id', 'in', ids).execute();
  return new Map(rows.map((row) => [row.id, factsOf(row)]));
}

/**
 * A pupil's policy facts as one json value: the schools where they are a pupil, their groups, and
 * who teaches the projects of those groups. Plain SQL, so that the timeline's query can carry it too.
 */
function pupilFactsJson(pupilId: unknown) {
  return sql<PupilFactsJson>`(select json_build_object(
      'schools', array(select sr.school_id from school_roles sr where sr.user_id = ${pupilId} and sr.role = 'pupil'),
      'groups', array(select m.group_id from memberships m where m.user_id = ${pupilId} and m.role = 'pupil'),
      'projectTeachers', coalesce((
        select json_agg(json_build_object('projectId', pt.project_id, 'userId', pt.user_id))
        from project_teachers pt
        join project_groups pg on pg.project_id = pt.project_id
        join memberships m on m.group_id = pg.group_id
        where m.user_id = ${pupilId} and m.role = 'pupil'
      ), '[]')))`;
}
interface PupilFactsJson {
  schools: string[];
  groups: string[];
  projectTeachers: Array<{ projectId: string; userId: string }>;
}
export type PupilFacts = NonNullable<ReturnType<typeof pupilFactsFrom>>;

function pupilFactsFrom(pupilId: string, facts: PupilFactsJson) {
  if (facts.schools.length === 0) return null;
  const { projectTeachers } = facts;
  return {
    resource: {
      type: 'pupil' as const,
      pupilId,
      schoolIds: facts.schools,
      groupIds: facts.groups,
      projectTeacherIds: [...new Set(projectTeachers.map((p) => p.userId))],
    },
    projectsTaughtBy: (userId: string) => [...new Set(projectTeachers.filter((p) => p.userId === userId).map((p) => p.projectId))],
  };
}

/** A pupil as a portfolio owner: schools, groups, and who teaches the projects of those groups (one prepared query); null for a non-pupil. */
export async function pupilFacts(db: Db, pupilId: string): Promise<PupilFacts | null> {
  const plain = withoutPlugins(db);
  // Built and compiled once per database: on every timeline request that does not get them with its page.
  const [row] = await executeCompiled(plain, 'pupilFacts', [pupilId], ([id]) =>
    sql<{ facts: PupilFactsJson }>`select ${pupilFactsJson(id)} as facts`.compile(plain),
  );
  return row ? pupilFactsFrom(pupilId, row.facts) : null;
}

/** Teachers of the owner's groups and the owner's guardians: with the policy, who hears of an artefact. */
export async function audienceFacts(db: Db, ownerId: string) {
  const [teachers, guardians] = await Promise.all([
    db
      .selectFrom('memberships as t')
      .innerJoin('memberships as p', 'p.groupId', 't.groupId')
      .select('t.userId')
      .distinct()
      .where('p.userId', '=', ownerId)
      .where('p.role', '=', 'pupil')
      .where('t.role', '=', 'teacher')
      .execute(),
    db.selectFrom('guardianLinks').select('guardianId').where('pupilId', '=', ownerId).where(guardianLinkInForce('guardianLinks.pupilId')).execute(),
  ]);
  return { groupTeacherIds: teachers.map((t) => t.userId), guardianIds: guardians.map((g) => g.guardianId) };
}

/** Everyone who hears of an artefact: the policy's audience over the owner's teachers and guardians. */
export async function audienceOf(db: Db, facts: { row: { ownerId: string }; resource: Parameters<typeof artefactAudience>[0] }): Promise<string[]> {
  return artefactAudience(facts.resource, await audienceFacts(db, facts.row.ownerId));
}

export const mediaUrl = (mediaId: string, variant: MediaVariant) => `/api/media/${mediaId}/${variant}`;

type MediaRow = Pick<Selectable<MediaItemsTable>, 'id' | 'kind' | 'mime' | 'size' | 'originalName' | 'width' | 'height' | 'durationMs' | 'variants'>;

export type ArtefactRow = Pick<
  Selectable<ArtefactsTable>,
  | 'id'
  | 'ownerId'
  | 'projectId'
  | 'phaseId'
  | 'kind'
  | 'title'
  | 'bodyHtml'
  | 'links'
  | 'subjectCodes'
  | 'competenceIds'
  | 'goalIds'
  | 'tags'
  | 'status'
  | 'visibility'
  | 'version'
  | 'createdAt'
  | 'updatedAt'
  | 'readyAt'
> & { ownerName: string; media: MediaRow[]; feedbackCount: number; unreadCount: number };

/**
 * Artefacts as the API shows them, for one viewer, newest first: media, feedback count and the
 * viewer's unread count come in the same query (no N+1 on timelines, and one round trip).
 *
 * Plain SQL with the columns aliased to the row's names, run without the CamelCasePlugin: this is
 * the timeline's query, the hottest read, and building, transforming and compiling it as a Kysely
 * tree and then mapping every key of every row (and of every media item) back to camelCase was a
 * good part of the server's CPU per timeline request. `where` is ANDed; the alias is `a`.
 */
export function selectArtefacts(db: Db, viewerId: string, where: readonly RawBuilder<unknown>[], limit?: number): Promise<ArtefactRow[]> {
  const plain = withoutPlugins(db);
  return executePrepared(plain, artefactsQuery(plain, viewerId, where, limit));
}

function artefactsQuery(plain: Db, viewerId: unknown, where: readonly RawBuilder<unknown>[], limit?: unknown, extraColumns = sql``) {
  const query = sql<ArtefactRow>`
    select a.id, a.owner_id as "ownerId", owner.display_name as "ownerName", a.project_id as "projectId", a.phase_id as "phaseId",
      a.kind, a.title, a.body_html as "bodyHtml", a.links, a.subject_codes as "subjectCodes", a.competence_ids as "competenceIds",
      a.goal_ids as "goalIds", a.tags, a.status, a.visibility, a.version, a.created_at as "createdAt", a.updated_at as "updatedAt", a.ready_at as "readyAt",
      coalesce((
        select json_agg(json_build_object('id', m.id, 'kind', m.kind, 'mime', m.mime, 'size', m.size, 'originalName', m.original_name,
                                          'width', m.width, 'height', m.height, 'durationMs', m.duration_ms, 'variants', m.variants) order by m.position)
        from media_items m where m.artefact_id = a.id and m.removed_at is null
      ), '[]') as media,
      (select count(*)::int from feedback f where f.artefact_id = a.id) as "feedbackCount",
      (select count(*)::int from feedback f
        where f.artefact_id = a.id and (f.author_id is null or f.author_id <> ${viewerId})
          and f.created_at > coalesce((select fr.read_at from feedback_reads fr where fr.user_id = ${viewerId} and fr.artefact_id = a.id), '-infinity'::timestamptz)
      ) as "unreadCount"${extraColumns}
    from artefacts a
    join users owner on owner.id = a.owner_id
    where ${sql.join(where, sql` and `)}
    order by a.created_at desc, a.id desc
    ${limit === undefined ? sql`` : sql`limit ${limit}`}`;
  return query.compile(plain);
}

/** `db` without the CamelCasePlugin, one per database (a new Kysely object per call would defeat executeCompiled's cache). */
const plainDbs = new WeakMap<Db, Db>();
function withoutPlugins(db: Db): Db {
  let plain = plainDbs.get(db);
  if (!plain) plainDbs.set(db, (plain = db.withoutPlugins()));
  return plain;
}

/** `text` anywhere, as an ILIKE pattern: the user's % and _ are literal (backslash is ILIKE's escape). */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The timeline's filters, besides the policy's scope. */
export interface TimelineFilter {
  projectId?: string | undefined;
  kind?: ArtefactKind | undefined;
  subject?: string | undefined;
  competence?: string | undefined;
  tag?: string | undefined;
  /** Text to find in the title, the text or a tag. */
  q?: string | undefined;
  /** Keyset pagination: strictly older than this (createdAt, id). */
  before?: { createdAt: Date; id: string } | null;
}

/**
 * One page of a pupil's artefacts within the policy's scope (never 'projects' with no project). The
 * query is compiled once per shape (scope and which filters are set): the hottest read.
 * `withPupilFacts`: every row also carries the pupil's policy facts (see timelineWithPupilFacts).
 */
export function timelineRows(
  db: Db,
  viewerId: string,
  pupilId: string,
  scope: PortfolioScope,
  filter: TimelineFilter,
  limit: number,
  withPupilFacts = false,
): Promise<Array<ArtefactRow & { pupilFacts?: string; guardianVersion?: number | null }>> {
  // Each optional condition: its name in the shape's key, its values, and its SQL for placeholders of those values.
  const conditions: Array<{ name: string; values: unknown[]; where: (v: readonly unknown[]) => RawBuilder<unknown> }> = [];
  // Issue 12 §1: what guardians see (shared, and approved where the school asks for it); see guardianVersionSql.
  if (scope.kind === 'shared') conditions.push({ name: 'shared', values: [], where: () => sql`${guardianVersionSql('a')} is not null` });
  // An array parameter, not a list: the text (and so the prepared statement) is the same for any number of projects.
  if (scope.kind === 'projects')
    conditions.push({ name: 'projects', values: [[...scope.projectIds]], where: ([ids]) => sql`a.project_id = any(${ids}::uuid[])` });
  // Issue 12 §1: a guardian's filters and search ask the version they see (its placement, words and tags),
  // never a pending edit's or move's. polku_tag_keys (migration 0014) and its GIN index: the same tag whatever its case.
  // (The SQL and its prepared shape are the same as before for everyone else: the row's own columns.)
  const col =
    scope.kind === 'shared'
      ? guardianSeenSql('a')
      : {
          title: sql`a.title`,
          bodyHtml: sql`a.body_html`,
          tags: sql`a.tags`,
          projectId: sql`a.project_id`,
          subjectCodes: sql`a.subject_codes`,
          competenceIds: sql`a.competence_ids`,
        };
  if (filter.projectId) conditions.push({ name: 'project', values: [filter.projectId], where: ([id]) => sql`${col.projectId} = ${id}` });
  if (filter.kind) conditions.push({ name: 'kind', values: [filter.kind], where: ([kind]) => sql`a.kind = ${kind}` });
  if (filter.subject) conditions.push({ name: 'subject', values: [filter.subject], where: ([code]) => sql`${col.subjectCodes} @> array[${code}]::text[]` });
  if (filter.competence)
    conditions.push({ name: 'competence', values: [filter.competence], where: ([id]) => sql`${col.competenceIds} @> array[${id}]::text[]` });
  if (filter.tag) conditions.push({ name: 'tag', values: [filter.tag], where: ([tag]) => sql`polku_tag_keys(${col.tags}) @> array[lower(${tag}::text)]` });
  if (filter.q)
    conditions.push({
      name: 'q',
      values: [likePattern(filter.q)],
      where: ([pattern]) =>
        sql`(${col.title} ilike ${pattern} or ${col.bodyHtml} ilike ${pattern} or exists (select 1 from unnest(${col.tags}) t where t ilike ${pattern}))`,
    });
  if (filter.before)
    conditions.push({ name: 'before', values: [filter.before.createdAt, filter.before.id], where: ([at, id]) => sql`(a.created_at, a.id) < (${at}, ${id})` });
  const values = [viewerId, pupilId, limit, ...conditions.flatMap((c) => c.values)];
  const plain = withoutPlugins(db);
  const shape = `${withPupilFacts ? 'timeline+pupil' : 'timeline'}:${conditions.map((c) => c.name).join(',')}`;
  return executeCompiled(plain, shape, values, ([viewer, pupil, lim, ...rest]) => {
    const where = [sql`a.owner_id = ${pupil}`, sql`a.deleted_at is null`];
    let next = 0;
    for (const c of conditions) {
      where.push(c.where(rest.slice(next, next + c.values.length)));
      next += c.values.length;
    }
    // As text: every row carries the facts, but only the first row's are parsed (see timelineWithPupilFacts).
    // A guardian's page also says which version they see (issue 12 §1: the last approved one while an edit waits).
    const guardian = scope.kind === 'shared' ? sql`, ${guardianVersionSql('a')} as "guardianVersion"` : sql``;
    return artefactsQuery(plain, viewer, where, lim, sql`${guardian}${withPupilFacts ? sql`, ${pupilFactsJson(pupil)}::text as "pupilFacts"` : sql``}`);
  });
}

/**
 * A timeline page read for a scope the caller expects, with the pupil's policy facts in the same
 * round trip (the hottest read: one query instead of two). The caller must let the policy decide on
 * `pupil` and use `rows` only if the policy's scope is the one they were read with. When the page
 * is empty, the facts are read on their own; `pupil` is null when there is no such pupil.
 */
export async function timelineWithPupilFacts(db: Db, viewerId: string, pupilId: string, scope: PortfolioScope, filter: TimelineFilter, limit: number) {
  const rows = await timelineRows(db, viewerId, pupilId, scope, filter, limit, true);
  const facts = rows[0]?.pupilFacts;
  const pupil = facts ? pupilFactsFrom(pupilId, JSON.parse(facts) as PupilFactsJson) : await pupilFacts(db, pupilId);
  return { rows: rows as ArtefactRow[], pupil };
}

const iso = (d: Date | string) => (typeof d === 'string' ? new Date(d) : d).toISOString();

export function presentArtefact(row: ArtefactRow): Artefact {
  return {
    id: row.id,
    owner: { id: row.ownerId, displayName: row.ownerName },
    projectId: row.projectId,
    phaseId: row.phaseId,
    kind: row.kind,
    title: row.title,
    bodyHtml: row.bodyHtml,
    // Field by field, like the rest: the timeline route sends this without a zod pass.
    links: row.links.map((l) => (l.title === undefined ? { url: l.url } : { url: l.url, title: l.title })),
    subjectCodes: row.subjectCodes,
    competenceIds: row.competenceIds,
    goalIds: row.goalIds,
    tags: row.tags,
    status: row.status,
    visibility: row.visibility,
    version: row.version,
    media: row.media.map(presentMedia),
    feedbackCount: row.feedbackCount ?? 0,
    unreadFeedbackCount: row.unreadCount ?? 0,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    readyAt: row.readyAt ? iso(row.readyAt) : null,
  };
}

function presentMedia(m: ArtefactRow['media'][number]): Media {
  const urls: Media['urls'] = {};
  for (const variant of MEDIA_VARIANTS) if (m.variants[variant]) urls[variant] = mediaUrl(m.id, variant);
  return {
    id: m.id,
    kind: m.kind,
    mime: m.mime,
    size: Number(m.size),
    originalName: m.originalName,
    width: m.width,
    height: m.height,
    durationMs: m.durationMs,
    urls,
  };
}

/** Whether this user is a guardian of this pupil. */
export async function isGuardianOf(db: Db, guardianId: string, pupilId: string): Promise<boolean> {
  const link = await db
    .selectFrom('guardianLinks')
    .select('guardianId')
    .where('guardianId', '=', guardianId)
    .where('pupilId', '=', pupilId)
    .where(guardianLinkInForce('guardianLinks.pupilId'))
    .executeTakeFirst();
  return link !== undefined;
}

/** A media item as the media route needs it: its artefact, its blob keys, and whether an edit removed it. */
export function mediaFacts(db: Db, mediaId: string) {
  return db
    .selectFrom('mediaItems')
    .select((eb) => [
      'artefactId',
      'variants',
      'originalName',
      'removedAt',
      // Issue 12 §1: the versions that name the file (a guardian sees a file of a version they see).
      jsonArrayFrom(
        eb
          .selectFrom('artefactVersions')
          .select(['artefactVersions.version', 'artefactVersions.shared'])
          .whereRef('artefactVersions.artefactId', '=', 'mediaItems.artefactId')
          .where(sql<boolean>`artefact_versions.snapshot -> 'mediaIds' @> jsonb_build_array(media_items.id::text)`),
      ).as('versions'),
    ])
    .where('id', '=', mediaId)
    .executeTakeFirst();
}

/**
 * An artefact's versions, newest first, within the policy's history scope: 'shared' keeps only the
 * versions current while the artefact was shared, and drops from them the media an edit has removed.
 */
export async function historyRows(db: Db, artefactId: string, scope: HistoryScope, guardian?: GuardianHistory) {
  const query = db
    .selectFrom('artefactVersions')
    .leftJoin('users', 'users.id', 'artefactVersions.authorId')
    .select([
      'artefactVersions.version',
      'artefactVersions.snapshot',
      'artefactVersions.createdAt',
      'users.id as authorId',
      'users.displayName as authorName',
      'artefactVersions.importedAuthor',
    ])
    .where('artefactVersions.artefactId', '=', artefactId)
    .orderBy('artefactVersions.version', 'desc');
  if (scope === 'all' || !guardian) return scope === 'all' ? query.execute() : [];
  // Issue 12 §1: which versions and files a guardian sees is the policy's (guardianSeesVersion, guardianSeesFile).
  const [all, removed] = await Promise.all([
    query.select('artefactVersions.shared').execute(),
    db.selectFrom('mediaItems').select('id').where('artefactId', '=', artefactId).where('removedAt', 'is not', null).execute(),
  ]);
  const gone = new Set(removed.map((m) => m.id));
  const facts = all.map((r) => ({ version: r.version, shared: r.shared ?? false }));
  const naming = (mediaId: string) => facts.filter((_, i) => all[i]?.snapshot.mediaIds.includes(mediaId));
  return all
    .filter((r) => guardian.seesVersion({ version: r.version, shared: r.shared ?? false }))
    .map(({ shared: _shared, ...r }) => ({
      ...r,
      snapshot: { ...r.snapshot, mediaIds: r.snapshot.mediaIds.filter((id) => guardian.seesFile(id, gone.has(id), naming(id))) },
    }));
}

/** The policy's answers for a guardian's history (artefacts.service builds them from guardianSeesVersion and guardianSeesFile). */
export interface GuardianHistory {
  seesVersion(v: VersionFact): boolean;
  seesFile(mediaId: string, removed: boolean, versions: readonly VersionFact[]): boolean;
}

/** An artefact's events (issue 10 §4), oldest first; a guardian's scope holds those from while it was shared. */
export function eventRows(db: Db, artefactId: string, scope: HistoryScope) {
  let query = db
    .selectFrom('artefactEvents')
    .leftJoin('users', 'users.id', 'artefactEvents.actorId')
    .select(['artefactEvents.kind', 'artefactEvents.details', 'artefactEvents.createdAt', 'users.id as actorId', 'users.displayName as actorName'])
    .where('artefactEvents.artefactId', '=', artefactId)
    .orderBy('artefactEvents.createdAt', 'desc');
  if (scope === 'shared') query = query.where('artefactEvents.shared', '=', true);
  return query.execute();
}

/**
 * Locks the artefact's row for the rest of the transaction and reads what an edit builds on:
 * concurrent edits of one artefact queue here, so each gets the next version number in turn.
 */
export function lockArtefact(trx: Db, artefactId: string) {
  return trx
    .selectFrom('artefacts')
    .select([
      'projectId',
      'phaseId',
      'goalIds',
      'status',
      'visibility',
      'version',
      'deletedAt',
      // What a save compares to tell a change of content (a new version) from one of state (an event).
      'title',
      'bodyHtml',
      'links',
      'tags',
      'subjectCodes',
      'competenceIds',
    ])
    .where('id', '=', artefactId)
    .forUpdate()
    .executeTakeFirst();
}

/** Drops goal ids from the project's artefacts when those goals are removed from it (inside the project's transaction). */
export async function dropGoalIds(trx: Db, projectId: string, goalIds: readonly string[]): Promise<void> {
  if (goalIds.length === 0) return;
  await trx
    .updateTable('artefacts')
    .set({ goalIds: sql<string[]>`array(select g from unnest(goal_ids) as g where g <> all(${[...goalIds]}::uuid[]))` })
    .where('projectId', '=', projectId)
    .where(sql<boolean>`goal_ids && ${[...goalIds]}::uuid[]`)
    .execute();
}
