import type { CreateProjectRequest, Project, UpdateProjectRequest } from '../../../shared/api/projects.ts';
import type { createProjectRequestSchema } from '../../../shared/api/projects.ts';
import type { z } from 'zod';
import type { Actor } from '../../auth/actor.ts';
import { authorize, schoolsWhere } from '../../auth/policy.ts';
import type { Db } from '../../db/database.ts';
import { BadRequest, NotFound } from '../../http/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import type { ReferenceService } from '../reference/reference.service.ts';
import { dropGoalIds } from '../artefacts/artefacts.repo.ts';
import { findScale } from '../assessment/scales.repo.ts';
import { insertProjects, loadProjects, projectFacts } from './projects.repo.ts';

type Trx = Db;
type Ordered<T> = ReadonlyArray<T & { id?: string | undefined }>;

export function projectsService({ db, reference }: { db: Db; reference: ReferenceService }) {
  async function facts(projectId: string) {
    const found = await projectFacts(db, projectId);
    if (!found) throw new NotFound('The project');
    return found;
  }

  /** Teachers must teach at the school, groups must belong to it: checked before anything is written. */
  async function checkPeople(schoolId: string, teacherIds: readonly string[] = [], groupIds: readonly string[] = []) {
    const [teachers, groups] = await Promise.all([
      teacherIds.length
        ? db
            .selectFrom('schoolRoles')
            .select('userId')
            .where('schoolId', '=', schoolId)
            .where('role', '=', 'teacher')
            .where('userId', 'in', teacherIds)
            .execute()
        : [],
      groupIds.length ? db.selectFrom('groups').select('id').where('schoolId', '=', schoolId).where('id', 'in', groupIds).execute() : [],
    ]);
    const details = [
      ...(teachers.length !== new Set(teacherIds).size ? [{ path: 'body.teacherIds', message: 'must be teachers at the project’s school' }] : []),
      ...(groups.length !== new Set(groupIds).size ? [{ path: 'body.groupIds', message: 'must be groups of the project’s school' }] : []),
    ];
    if (details.length > 0) throw new BadRequest('Some teachers or groups do not belong to this school.', details);
  }

  /** Replaces an ordered list, keeping the ids of items that have one (artefacts point at them). */
  async function syncOrdered(
    trx: Trx,
    table: 'projectPhases' | 'projectGoals',
    projectId: string,
    items: Ordered<{ title?: string; text?: string; successCriteria?: string[] | undefined; reflectionPrompts?: string[] | undefined }>,
  ) {
    const keep = items.map((i) => i.id).filter((id): id is string => Boolean(id));
    let removal = trx.deleteFrom(table).where('projectId', '=', projectId);
    if (keep.length) removal = removal.where('id', 'not in', keep);
    const removed = await removal.returning('id').execute();
    // Artefacts keep no ids of goals that are gone (a removed phase is unset by its foreign key).
    if (table === 'projectGoals')
      await dropGoalIds(
        trx,
        projectId,
        removed.map((r) => r.id),
      );
    for (const [position, item] of items.entries()) {
      const values =
        table === 'projectPhases'
          ? { title: item.title ?? '', ...(item.reflectionPrompts ? { reflectionPrompts: item.reflectionPrompts } : {}) }
          : { text: item.text ?? '', ...(item.successCriteria ? { successCriteria: item.successCriteria } : {}) };
      if (item.id) {
        const updated = await trx
          .updateTable(table)
          .set({ ...values, position })
          .where('id', '=', item.id)
          .where('projectId', '=', projectId)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0) throw new BadRequest('A phase or goal id does not belong to this project.');
      } else {
        await trx
          .insertInto(table)
          .values({ projectId, position, ...values } as never)
          .execute();
      }
    }
  }

  /** A project's scale is a built-in or one of its own school's: another school's is refused by name. */
  async function checkScale(schoolId: string, scaleId: string | null | undefined) {
    if (!scaleId) return;
    const scale = await findScale(db, scaleId);
    if (!scale || (scale.schoolId !== null && scale.schoolId !== schoolId)) {
      const message = 'must be a built-in assessment scale or one of the project’s school’s own';
      throw new BadRequest('The assessment scale is not one this project’s school can use.', [{ path: 'body.scaleId', message }]);
    }
  }

  async function setLinks(trx: Trx, projectId: string, teacherIds?: readonly string[], groupIds?: readonly string[]) {
    if (teacherIds) {
      await trx.deleteFrom('projectTeachers').where('projectId', '=', projectId).execute();
      if (teacherIds.length)
        await trx
          .insertInto('projectTeachers')
          .values([...new Set(teacherIds)].map((userId) => ({ projectId, userId })))
          .execute();
    }
    if (groupIds) {
      await trx.deleteFrom('projectGroups').where('projectId', '=', projectId).execute();
      if (groupIds.length)
        await trx
          .insertInto('projectGroups')
          .values([...new Set(groupIds)].map((groupId) => ({ projectId, groupId })))
          .execute();
    }
  }

  return {
    /** Projects the actor takes part in: teaches, is in a participating group, owns (imported), has a child there, or administers. */
    async list(actor: Actor): Promise<Project[]> {
      const groupIds = [...actor.teacherGroupIds, ...actor.pupilGroupIds, ...actor.childGroupIds];
      const adminSchools = schoolsWhere(actor, 'admin');
      const rows = await db
        .selectFrom('projects')
        .select('projects.id')
        .where((eb) =>
          eb.or([
            eb('projects.id', 'in', eb.selectFrom('projectTeachers').select('projectId').where('userId', '=', actor.id)),
            // A pupil's own imported projects (their teachers reach them through the pupil's work, not this list).
            eb('projects.ownerId', '=', actor.id),
            ...(groupIds.length ? [eb('projects.id', 'in', eb.selectFrom('projectGroups').select('projectId').where('groupId', 'in', groupIds))] : []),
            ...(adminSchools.length ? [eb('projects.schoolId', 'in', adminSchools)] : []),
          ]),
        )
        .execute();
      return loadProjects(
        db,
        rows.map((r) => r.id),
      );
    },

    async get(actor: Actor, projectId: string): Promise<Project> {
      authorize(actor, 'project.read', await facts(projectId), 'The project');
      const [project] = await loadProjects(db, [projectId]);
      if (!project) throw new NotFound('The project');
      return project;
    },

    async create(actor: Actor, input: z.output<typeof createProjectRequestSchema> & CreateProjectRequest, ip?: string): Promise<Project> {
      authorize(actor, 'project.create', { type: 'school', schoolId: input.schoolId }, 'The school');
      // The teacher who creates a project teaches it.
      const teacherIds = actor.roles.some((r) => r.schoolId === input.schoolId && r.role === 'teacher') ? [actor.id, ...input.teacherIds] : input.teacherIds;
      await Promise.all([checkPeople(input.schoolId, teacherIds, input.groupIds), reference.check('body', input), checkScale(input.schoolId, input.scaleId)]);
      const id = await db.transaction().execute(async (trx) => {
        const [projectId = ''] = await insertProjects(trx, [
          {
            schoolId: input.schoolId,
            title: input.title,
            description: input.description,
            schoolYear: input.schoolYear ?? null,
            startsOn: input.startsOn ?? null,
            endsOn: input.endsOn ?? null,
            subjectCodes: input.subjectCodes,
            competenceIds: input.competenceIds,
            createdBy: actor.id,
            ownerId: null,
            phases: input.phases.map(({ title, reflectionPrompts }) => ({ title, reflectionPrompts })),
            goals: input.goals.map(({ text, successCriteria }) => ({ text, successCriteria })),
          },
        ]);
        if (input.scaleId) await trx.updateTable('projects').set({ scaleId: input.scaleId }).where('id', '=', projectId).execute();
        await setLinks(trx, projectId, teacherIds, input.groupIds);
        await recordAudit(trx, { actorId: actor.id, action: 'project.create', subjectType: 'project', subjectId: projectId, ip });
        return projectId;
      });
      return this.get(actor, id);
    },

    async update(actor: Actor, projectId: string, input: UpdateProjectRequest, ip?: string): Promise<Project> {
      const project = await facts(projectId);
      authorize(actor, 'project.update', project, 'The project');
      await Promise.all([
        checkPeople(project.schoolId, input.teacherIds, input.groupIds),
        reference.check('body', input),
        checkScale(project.schoolId, input.scaleId),
      ]);
      const { phases, goals, teacherIds, groupIds, ...fields } = input;
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('projects')
          .set({ ...fields, updatedAt: new Date() })
          .where('id', '=', projectId)
          .execute();
        if (phases) await syncOrdered(trx, 'projectPhases', projectId, phases);
        if (goals) await syncOrdered(trx, 'projectGoals', projectId, goals);
        await setLinks(trx, projectId, teacherIds, groupIds);
        await recordAudit(trx, {
          actorId: actor.id,
          action: 'project.update',
          subjectType: 'project',
          subjectId: projectId,
          details: { fields: Object.keys(input) },
          ip,
        });
      });
      return this.get(actor, projectId);
    },
  };
}
export type ProjectsService = ReturnType<typeof projectsService>;
