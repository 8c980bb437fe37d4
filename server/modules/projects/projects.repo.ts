import { withoutHiddenCharacters } from '../../../shared/api/common.ts';
import type { Project } from '../../../shared/api/projects.ts';
import { randomUUID } from 'node:crypto';
import { inBatches } from '../../db/batches.ts';
import type { Db } from '../../db/database.ts';
import { defaultScale, findScales, importedProjectScale } from '../assessment/scales.repo.ts';
import type { ImportOrigin, ImportedPerson, ImportedScale } from '../../db/schema.ts';

/** The descriptive fields of a project: one list for the API, the export and the import, so that none is forgotten. */
export type ProjectFields = Pick<Project, 'title' | 'description' | 'schoolYear' | 'startsOn' | 'endsOn' | 'subjectCodes' | 'competenceIds'>;

export function projectFields(p: ProjectFields): ProjectFields {
  return {
    title: p.title,
    description: p.description,
    schoolYear: p.schoolYear,
    startsOn: p.startsOn,
    endsOn: p.endsOn,
    subjectCodes: p.subjectCodes,
    competenceIds: p.competenceIds,
  };
}

/** One project's phases and goals (in the order given) out of the rows loaded for many projects. */
export function phasesAndGoalsOf(
  projectId: string,
  phases: ReadonlyArray<{ projectId: string; id: string; title: string; reflectionPrompts: string[] }>,
  goals: ReadonlyArray<{ projectId: string; id: string; text: string; successCriteria: string[] }>,
): Pick<Project, 'phases' | 'goals'> {
  return {
    phases: phases.filter((x) => x.projectId === projectId).map(({ id, title, reflectionPrompts }) => ({ id, title, reflectionPrompts })),
    goals: goals.filter((x) => x.projectId === projectId).map(({ id, text, successCriteria }) => ({ id, text, successCriteria })),
  };
}

/** Projects with their phases, goals, teachers and groups: five queries whatever the number of projects. */
export async function loadProjects(db: Db, ids: readonly string[]): Promise<Project[]> {
  if (ids.length === 0) return [];
  const [projects, phases, goals, teachers, groups, scales] = await Promise.all([
    db.selectFrom('projects').selectAll().where('id', 'in', ids).orderBy('startsOn', 'desc').orderBy('title').execute(),
    db.selectFrom('projectPhases').select(['id', 'projectId', 'title', 'reflectionPrompts']).where('projectId', 'in', ids).orderBy('position').execute(),
    db.selectFrom('projectGoals').select(['id', 'projectId', 'text', 'successCriteria']).where('projectId', 'in', ids).orderBy('position').execute(),
    db
      .selectFrom('projectTeachers')
      .innerJoin('users', 'users.id', 'projectTeachers.userId')
      .select(['projectTeachers.projectId', 'users.id', 'users.displayName'])
      .where('projectTeachers.projectId', 'in', ids)
      .orderBy('users.displayName')
      .execute(),
    db
      .selectFrom('projectGroups')
      .innerJoin('groups', 'groups.id', 'projectGroups.groupId')
      .select(['projectGroups.projectId', 'groups.id', 'groups.name'])
      .where('projectGroups.projectId', 'in', ids)
      .orderBy('groups.name')
      .execute(),
    projectScales(db, ids),
  ]);
  const of = <T extends { projectId: string }>(rows: T[], id: string) => rows.filter((r) => r.projectId === id);
  return projects.map((p) => ({
    id: p.id,
    schoolId: p.schoolId,
    ...projectFields(p),
    ...phasesAndGoalsOf(p.id, phases, goals),
    teachers: of(teachers, p.id).map(({ id, displayName }) => ({ id, displayName })),
    groups: of(groups, p.id).map(({ id, name }) => ({ id, name })),
    scale: p.importedScale ? importedProjectScale(p, p.importedScale) : scales.of(p.scaleId),
    scaleId: p.scaleId,
    updatedAt: p.updatedAt.toISOString(),
  }));
}

/** What the policy needs to know about a project. */
export async function projectFacts(db: Db, projectId: string) {
  const [project, teachers, groups, ownerGroups] = await Promise.all([
    db.selectFrom('projects').select(['id', 'schoolId', 'ownerId']).where('id', '=', projectId).executeTakeFirst(),
    db.selectFrom('projectTeachers').select('userId').where('projectId', '=', projectId).execute(),
    db.selectFrom('projectGroups').select('groupId').where('projectId', '=', projectId).execute(),
    db
      .selectFrom('memberships')
      .innerJoin('projects', 'projects.ownerId', 'memberships.userId')
      .select('memberships.groupId')
      .where('projects.id', '=', projectId)
      .where('memberships.role', '=', 'pupil')
      .execute(),
  ]);
  if (!project) return null;
  return {
    type: 'project' as const,
    projectId,
    schoolId: project.schoolId,
    teacherIds: teachers.map((t) => t.userId),
    groupIds: groups.map((g) => g.groupId),
    ownerId: project.ownerId,
    ownerGroupIds: ownerGroups.map((g) => g.groupId),
  };
}

export interface NewProject extends ProjectFields {
  /** Given by an import (its plan settles ids); the app lets one be made. */
  id?: string;
  schoolId: string;
  createdBy: string | null;
  /** The pupil an imported project belongs to; null for a school's project (teachers and groups reach it). */
  ownerId: string | null;
  createdAt?: Date | null;
  origin?: ImportOrigin | null;
  importedTeachers?: ImportedPerson[];
  /** The project's scale (null: the default); an import may give a scale of its own instead (migration 0025). */
  scaleId?: string | null;
  importedScale?: ImportedScale | null;
  phases: ReadonlyArray<{ id?: string; title: string; reflectionPrompts?: readonly string[] | undefined }>;
  goals: ReadonlyArray<{ id?: string; text: string; successCriteria?: readonly string[] | undefined }>;
}

/**
 * The one write path for new projects with their phases and goals (in the order given): the app's
 * create and the importer both come here, inside their transaction. Teachers and groups are the
 * app's to add afterwards (an import never adds any). Returns the ids, in order.
 */
export async function insertProjects(trx: Db, projects: readonly NewProject[]): Promise<string[]> {
  // The API refuses hidden characters in names (nameText); what an archive brings loses them here, on the one way in.
  const rows = projects.map((p) => ({
    ...p,
    id: p.id ?? randomUUID(),
    title: withoutHiddenCharacters(p.title),
    phases: p.phases.map((ph) => ({ ...ph, title: withoutHiddenCharacters(ph.title) })),
    goals: p.goals.map((g) => ({ ...g, text: withoutHiddenCharacters(g.text) })),
  }));
  await inBatches(rows, (chunk) =>
    trx
      .insertInto('projects')
      .values(
        chunk.map((p) => ({
          id: p.id,
          schoolId: p.schoolId,
          ...projectFields(p),
          createdBy: p.createdBy,
          ownerId: p.ownerId,
          ...(p.createdAt ? { createdAt: p.createdAt } : {}),
          origin: p.origin ? JSON.stringify(p.origin) : null,
          importedTeachers: JSON.stringify(p.importedTeachers ?? []),
          ...(p.scaleId ? { scaleId: p.scaleId } : {}),
          ...(p.importedScale ? { importedScale: JSON.stringify(p.importedScale) } : {}),
        })),
      )
      .execute(),
  );
  await inBatches(
    rows.flatMap((p) =>
      p.phases.map((ph, position) => ({
        ...(ph.id ? { id: ph.id } : {}),
        projectId: p.id,
        position,
        title: ph.title,
        reflectionPrompts: [...(ph.reflectionPrompts ?? [])],
      })),
    ),
    (chunk) => trx.insertInto('projectPhases').values(chunk).execute(),
  );
  await inBatches(
    rows.flatMap((p) =>
      p.goals.map((g, position) => ({
        ...(g.id ? { id: g.id } : {}),
        projectId: p.id,
        position,
        text: g.text,
        successCriteria: [...(g.successCriteria ?? [])],
      })),
    ),
    (chunk) => trx.insertInto('projectGoals').values(chunk).execute(),
  );
  return rows.map((p) => p.id);
}

/** The scales of these projects, and the default for those without one (a deleted scale falls back to it too). */
async function projectScales(db: Db, projectIds: readonly string[]) {
  const [fallback, chosen] = await Promise.all([
    defaultScale(db),
    findScales(db, db.selectFrom('projects').select('scaleId').where('id', 'in', projectIds).where('scaleId', 'is not', null)),
  ]);
  return { of: (scaleId: string | null) => chosen.find((s) => s.id === scaleId) ?? fallback };
}
