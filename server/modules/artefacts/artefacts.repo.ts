import { sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Artefact, Media } from '../../../shared/api/artefacts.ts';
import { MEDIA_VARIANTS, type MediaVariant } from '../../../shared/portfolio.ts';
import { artefactAudience } from '../../auth/policy.ts';
import type { Db } from '../../db/database.ts';

/** What the policy needs about an artefact, in one query. */
export async function artefactFacts(db: Db, artefactId: string) {
  const row = await db
    .selectFrom('artefacts')
    .select((eb) => [
      'artefacts.id',
      'artefacts.ownerId',
      'artefacts.projectId',
      'artefacts.visibility',
      'artefacts.status',
      'artefacts.deletedAt',
      jsonArrayFrom(eb.selectFrom('memberships').select('memberships.groupId').whereRef('memberships.userId', '=', 'artefacts.ownerId').where('memberships.role', '=', 'pupil')).as('ownerGroups'),
      jsonArrayFrom(eb.selectFrom('projectTeachers').select('projectTeachers.userId').whereRef('projectTeachers.projectId', '=', 'artefacts.projectId')).as('projectTeachers'),
    ])
    .where('artefacts.id', '=', artefactId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    row,
    resource: {
      type: 'artefact' as const,
      ownerId: row.ownerId,
      ownerGroupIds: row.ownerGroups.map((g) => g.groupId),
      projectTeacherIds: row.projectTeachers.map((t) => t.userId),
      visibility: row.visibility,
    },
  };
}

/** A pupil as a portfolio owner: schools, groups, and who teaches the projects of those groups. */
export async function pupilFacts(db: Db, pupilId: string) {
  const [schools, groups, projectTeachers] = await Promise.all([
    db.selectFrom('schoolRoles').select('schoolId').where('userId', '=', pupilId).where('role', '=', 'pupil').execute(),
    db.selectFrom('memberships').select('groupId').where('userId', '=', pupilId).where('role', '=', 'pupil').execute(),
    db
      .selectFrom('projectTeachers')
      .innerJoin('projectGroups', 'projectGroups.projectId', 'projectTeachers.projectId')
      .innerJoin('memberships', 'memberships.groupId', 'projectGroups.groupId')
      .select(['projectTeachers.projectId', 'projectTeachers.userId'])
      .where('memberships.userId', '=', pupilId)
      .where('memberships.role', '=', 'pupil')
      .execute(),
  ]);
  if (schools.length === 0) return null;
  return {
    resource: {
      type: 'pupil' as const,
      pupilId,
      schoolIds: schools.map((s) => s.schoolId),
      groupIds: groups.map((g) => g.groupId),
      projectTeacherIds: [...new Set(projectTeachers.map((p) => p.userId))],
    },
    projectsTaughtBy: (userId: string) => [...new Set(projectTeachers.filter((p) => p.userId === userId).map((p) => p.projectId))],
  };
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
    db.selectFrom('guardianLinks').select('guardianId').where('pupilId', '=', ownerId).execute(),
  ]);
  return { groupTeacherIds: teachers.map((t) => t.userId), guardianIds: guardians.map((g) => g.guardianId) };
}

/** Everyone who hears of an artefact: the policy's audience over the owner's teachers and guardians. */
export async function audienceOf(db: Db, facts: { row: { ownerId: string }; resource: Parameters<typeof artefactAudience>[0] }): Promise<string[]> {
  return artefactAudience(facts.resource, await audienceFacts(db, facts.row.ownerId));
}

export const mediaUrl = (mediaId: string, variant: MediaVariant) => `/api/media/${mediaId}/${variant}`;

/**
 * Artefacts as the API shows them, for one viewer: media, feedback count and the viewer's unread
 * count come in the same query (no N+1 on timelines).
 */
export function selectArtefacts(db: Db, viewerId: string) {
  return db
    .selectFrom('artefacts')
    .innerJoin('users as owner', 'owner.id', 'artefacts.ownerId')
    .select((eb) => [
      'artefacts.id',
      'artefacts.ownerId',
      'owner.displayName as ownerName',
      'artefacts.projectId',
      'artefacts.phaseId',
      'artefacts.kind',
      'artefacts.title',
      'artefacts.bodyHtml',
      'artefacts.links',
      'artefacts.subjectCodes',
      'artefacts.competenceIds',
      'artefacts.goalIds',
      'artefacts.status',
      'artefacts.visibility',
      'artefacts.version',
      'artefacts.createdAt',
      'artefacts.updatedAt',
      'artefacts.readyAt',
      jsonArrayFrom(
        eb
          .selectFrom('mediaItems')
          .select(['mediaItems.id', 'mediaItems.kind', 'mediaItems.mime', 'mediaItems.size', 'mediaItems.originalName', 'mediaItems.width', 'mediaItems.height', 'mediaItems.durationMs', 'mediaItems.variants'])
          .whereRef('mediaItems.artefactId', '=', 'artefacts.id')
          .where('mediaItems.removedAt', 'is', null)
          .orderBy('mediaItems.position'),
      ).as('media'),
      eb.selectFrom('feedback').select(sql<number>`count(*)::int`.as('n')).whereRef('feedback.artefactId', '=', 'artefacts.id').as('feedbackCount'),
      eb
        .selectFrom('feedback')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('feedback.artefactId', '=', 'artefacts.id')
        .where((w) => w.or([w('feedback.authorId', 'is', null), w('feedback.authorId', '<>', viewerId)]))
        .where(
          'feedback.createdAt',
          '>',
          sql<Date>`coalesce((select fr.read_at from feedback_reads fr where fr.user_id = ${viewerId} and fr.artefact_id = artefacts.id), '-infinity'::timestamptz)`,
        )
        .as('unreadCount'),
    ]);
}

type ArtefactRow = Awaited<ReturnType<ReturnType<typeof selectArtefacts>['executeTakeFirstOrThrow']>>;

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
    links: row.links,
    subjectCodes: row.subjectCodes,
    competenceIds: row.competenceIds,
    goalIds: row.goalIds,
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
