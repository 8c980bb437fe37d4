import { sql } from 'kysely';
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres';
import { DEFAULT_SCALE_KEY, type Scale } from '../../../shared/api/scales.ts';
import type { Db } from '../../db/database.ts';
import { importedProjectScale } from '../assessment/scales.repo.ts';

/**
 * What the policy needs about a project (as projects.repo's projectFacts), and what the heatmap shows of
 * it: its goals in order and its scale (the built-in growth scale when it has none). One query.
 */
export async function heatmapProjectFacts(db: Db, projectId: string) {
  const row = await db
    .selectFrom('projects')
    .select((eb) => [
      'projects.id',
      'projects.title',
      'projects.schoolId',
      'projects.ownerId',
      'projects.updatedAt',
      'projects.importedScale',
      jsonArrayFrom(eb.selectFrom('projectTeachers').select('projectTeachers.userId').whereRef('projectTeachers.projectId', '=', 'projects.id')).as('teachers'),
      jsonArrayFrom(eb.selectFrom('projectGroups').select('projectGroups.groupId').whereRef('projectGroups.projectId', '=', 'projects.id')).as('groups'),
      jsonArrayFrom(
        eb
          .selectFrom('memberships')
          .select('memberships.groupId')
          .whereRef('memberships.userId', '=', 'projects.ownerId')
          .where('memberships.role', '=', 'pupil'),
      ).as('ownerGroups'),
      jsonArrayFrom(
        eb
          .selectFrom('projectGoals')
          .select(['projectGoals.id', 'projectGoals.text'])
          .whereRef('projectGoals.projectId', '=', 'projects.id')
          .orderBy('projectGoals.position')
          .orderBy('projectGoals.id'),
      ).as('goals'),
      jsonObjectFrom(
        eb
          .selectFrom('assessmentScales')
          .select([
            'assessmentScales.id',
            'assessmentScales.schoolId',
            'assessmentScales.builtinKey',
            'assessmentScales.name',
            'assessmentScales.levels',
            'assessmentScales.updatedAt',
          ])
          .where((w) =>
            w.or([
              w('assessmentScales.id', '=', w.ref('projects.scaleId')),
              w.and([w('projects.scaleId', 'is', null), w('assessmentScales.builtinKey', '=', DEFAULT_SCALE_KEY)]),
            ]),
          )
          .limit(1),
      ).as('scale'),
    ])
    .where('projects.id', '=', projectId)
    .executeTakeFirst();
  if (!row || !row.scale) return null;
  // An imported project may bring a scale of its own (migration 0025): it wins, as on the goal page.
  const scale: Scale = row.importedScale
    ? importedProjectScale({ id: row.id, updatedAt: row.updatedAt }, row.importedScale)
    : { ...row.scale, updatedAt: new Date(row.scale.updatedAt).toISOString() };
  return {
    project: { id: row.id, title: row.title },
    goals: row.goals,
    scale,
    resource: {
      type: 'project' as const,
      schoolId: row.schoolId,
      teacherIds: row.teachers.map((t) => t.userId),
      groupIds: row.groups.map((g) => g.groupId),
      ownerId: row.ownerId,
      ownerGroupIds: row.ownerGroups.map((g) => g.groupId),
    },
  };
}

export interface HeatmapRow {
  pupilId: string;
  displayName: string;
  goalId: string;
  selfLevel: number | null;
  teacherLevel: number | null;
  evidenceCount: number;
}

/**
 * The heatmap in ONE query, aggregated in the database: every active pupil of the given groups × every goal
 * of the project, with the latest self and teacher level (distinct on) and the count of the pupil's artefacts
 * of the project linked to the goal. Rows by pupil name, then goal position.
 */
export async function heatmapRows(db: Db, projectId: string, groupIds: readonly string[]): Promise<HeatmapRow[]> {
  if (groupIds.length === 0) return [];
  const { rows } = await sql<HeatmapRow>`
    with pupils as (
      select distinct u.id, u.display_name
      from memberships m
      join users u on u.id = m.user_id
      where m.group_id = any(${[...groupIds]}::uuid[]) and m.role = 'pupil' and u.active
    ),
    goals as (
      select g.id, g.position from project_goals g where g.project_id = ${projectId}
    ),
    evidence as (
      select lg.goal_id, a.owner_id, count(distinct a.id)::int as n
      from artefacts a
      cross join lateral unnest(a.goal_ids) as lg(goal_id)
      where a.project_id = ${projectId} and a.deleted_at is null and a.owner_id in (select id from pupils)
      group by lg.goal_id, a.owner_id
    ),
    latest as (
      select distinct on (ga.pupil_id, ga.goal_id, ga.kind) ga.pupil_id, ga.goal_id, ga.kind, ga.level
      from goal_assessments ga
      where ga.goal_id in (select id from goals) and ga.pupil_id in (select id from pupils)
      order by ga.pupil_id, ga.goal_id, ga.kind, ga.created_at desc, ga.id desc
    )
    select p.id as "pupilId", p.display_name as "displayName", g.id as "goalId",
      s.level as "selfLevel", t.level as "teacherLevel", coalesce(e.n, 0) as "evidenceCount"
    from pupils p
    cross join goals g
    left join evidence e on e.owner_id = p.id and e.goal_id = g.id
    left join latest s on s.pupil_id = p.id and s.goal_id = g.id and s.kind = 'self'
    left join latest t on t.pupil_id = p.id and t.goal_id = g.id and t.kind = 'teacher'
    order by p.display_name, p.id, g.position, g.id`.execute(db);
  return rows;
}

/** The group, its school's time zone and the first moment of this term there (see coverageSchema.termStart). One query. */
export async function coverageGroupFacts(db: Db, groupId: string) {
  const { rows } = await sql<{ id: string; name: string; schoolId: string; termStart: string; termStartAt: Date }>`
    with g as (
      select gr.id, gr.name, gr.school_id, s.time_zone, (now() at time zone s.time_zone)::date as today
      from groups gr join schools s on s.id = gr.school_id
      where gr.id = ${groupId}
    ),
    t as (
      select g.*, case when extract(month from g.today) >= 8 then make_date(extract(year from g.today)::int, 8, 1)
                       else make_date(extract(year from g.today)::int, 1, 1) end as term_start
      from g
    )
    select t.id, t.name, t.school_id as "schoolId", to_char(t.term_start, 'YYYY-MM-DD') as "termStart",
      (t.term_start::timestamp at time zone t.time_zone) as "termStartAt"
    from t`.execute(db);
  return rows[0] ?? null;
}

export interface CoverageRow {
  id: string;
  displayName: string;
  artefactCount: number;
  competenceIds: string[];
  subjectCodes: string[];
}

/** Each active pupil of the group with what their work created since `since` is tagged with. One query. */
export async function coverageRows(db: Db, groupId: string, since: Date, competenceIds: readonly string[]): Promise<CoverageRow[]> {
  const { rows } = await sql<CoverageRow>`
    with pupils as (
      select u.id, u.display_name
      from memberships m join users u on u.id = m.user_id
      where m.group_id = ${groupId} and m.role = 'pupil' and u.active
    ),
    work as (
      select a.owner_id, a.competence_ids, a.subject_codes
      from artefacts a
      where a.owner_id in (select id from pupils) and a.deleted_at is null and a.created_at >= ${since}
    )
    select p.id, p.display_name as "displayName",
      (select count(*)::int from work w where w.owner_id = p.id) as "artefactCount",
      array(select distinct c from work w cross join lateral unnest(w.competence_ids) as c
            where w.owner_id = p.id and c = any(${[...competenceIds]}::text[]) order by c) as "competenceIds",
      array(select distinct sc from work w cross join lateral unnest(w.subject_codes) as sc where w.owner_id = p.id order by sc) as "subjectCodes"
    from pupils p
    order by p.display_name, p.id`.execute(db);
  return rows;
}
