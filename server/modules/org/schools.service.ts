import type { z } from 'zod';
import type { createSchoolRequestSchema, School, updateSchoolRequestSchema } from '../../../shared/api/org.ts';
import type { Actor } from '../../auth/actor.ts';
import { authorize } from '../../auth/policy.ts';
import { NotFound } from '../../http/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import type { OrgDeps } from './org.deps.ts';
import { schoolsWithGuardianComments } from './school-guardian-comments.ts';
import type { GuardianCommentSetting } from '../../../shared/api/guardian-voice.ts';

type SchoolRowLike = {
  id: string;
  name: string;
  code: string | null;
  timeZone: string;
  createdAt: Date;
  guardianComments: GuardianCommentSetting;
  shareLinkMinAge: number;
};
export const presentSchool = (s: SchoolRowLike): School => ({
  id: s.id,
  name: s.name,
  code: s.code,
  timeZone: s.timeZone,
  createdAt: s.createdAt.toISOString(),
  guardianComments: s.guardianComments,
  shareLinkMinAge: s.shareLinkMinAge,
});

export function schoolsService({ db: plainDb }: OrgDeps) {
  // Issue 12 §2: `schools` with its guardian comment column (migration 0037); writes use the plain one (audit).
  const db = schoolsWithGuardianComments(plainDb);
  async function load(schoolId: string) {
    const school = await db.selectFrom('schools').selectAll().where('id', '=', schoolId).executeTakeFirst();
    if (!school) throw new NotFound('The school');
    return school;
  }

  return {
    /** Schools where the actor holds any role. */
    async list(actor: Actor): Promise<School[]> {
      const ids = [...new Set(actor.roles.map((r) => r.schoolId))];
      if (ids.length === 0) return [];
      const rows = await db.selectFrom('schools').selectAll().where('id', 'in', ids).orderBy('name').execute();
      return rows.map(presentSchool);
    },

    async get(actor: Actor, schoolId: string): Promise<School> {
      authorize(actor, 'school.read', { type: 'school', schoolId }, 'The school');
      return presentSchool(await load(schoolId));
    },

    /** The creator becomes the new school's admin. */
    async create(actor: Actor, input: z.infer<typeof createSchoolRequestSchema>, ip?: string): Promise<School> {
      authorize(actor, 'school.create', { type: 'platform' });
      const school = await plainDb.transaction().execute(async (trx) => {
        const row = await schoolsWithGuardianComments(trx)
          .insertInto('schools')
          .values({ name: input.name, code: input.code ?? null })
          .returningAll()
          .executeTakeFirstOrThrow();
        await trx.insertInto('schoolRoles').values({ schoolId: row.id, userId: actor.id, role: 'admin' }).execute();
        await recordAudit(trx, { actorId: actor.id, action: 'school.create', subjectType: 'school', subjectId: row.id, ip });
        return row;
      });
      return presentSchool(school);
    },

    async update(actor: Actor, schoolId: string, input: z.infer<typeof updateSchoolRequestSchema>, ip?: string): Promise<School> {
      authorize(actor, 'school.update', { type: 'school', schoolId }, 'The school');
      const school = await plainDb.transaction().execute(async (trx) => {
        const row = await schoolsWithGuardianComments(trx)
          .updateTable('schools')
          .set({ ...input, updatedAt: new Date() })
          .where('id', '=', schoolId)
          .returningAll()
          .executeTakeFirst();
        if (!row) throw new NotFound('The school');
        await recordAudit(trx, {
          actorId: actor.id,
          action: 'school.update',
          subjectType: 'school',
          subjectId: schoolId,
          details: { fields: Object.keys(input) },
          ip,
        });
        return row;
      });
      return presentSchool(school);
    },
  };
}
