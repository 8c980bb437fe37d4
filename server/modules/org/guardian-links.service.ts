import { sql } from 'kysely';
import type { GuardianLink } from '../../../shared/api/org.ts';
import type { Actor } from '../../auth/actor.ts';
import { authorize, schoolsWhere } from '../../auth/policy.ts';
import { BadRequest, Conflict, NotFound } from '../../http/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import type { OrgDeps } from './org.deps.ts';
import { userHasSchoolRole, userResourceOf } from './org.repo.ts';
import { usersService } from './users.service.ts';

export function guardianLinksService(deps: OrgDeps) {
  const { db, notifier, forgetSessions } = deps;
  const users = usersService(deps);

  /**
   * Issue 11 §4: the one place where ended guardian links take effect, whoever ended them (an admin, the
   * 18th-birthday sweep), after the commit. Access itself is decided afresh: every process forgets its cached
   * sessions, so the guardian's next request is decided without the link, and events go only to those the
   * policy names when they are sent (sockets join no pupil's room). What is left is the guardian's open page,
   * still showing the child's work: `me.updated` makes it fetch again, and the child is gone.
   */
  async function linksEnded(links: ReadonlyArray<{ guardianId: string }>): Promise<void> {
    if (links.length === 0) return;
    forgetSessions?.();
    for (const guardianId of new Set(links.map((l) => l.guardianId))) {
      // A guardian account removed meanwhile has nobody to tell.
      const me = await users.me(guardianId).catch(() => null);
      if (me) notifier.toUser(guardianId, 'me.updated', me);
    }
  }

  function listQuery() {
    return db
      .selectFrom('guardianLinks')
      .innerJoin('users as g', 'g.id', 'guardianLinks.guardianId')
      .innerJoin('users as p', 'p.id', 'guardianLinks.pupilId')
      .select(['g.id as guardianId', 'g.displayName as guardianName', 'p.id as pupilId', 'p.displayName as pupilName', 'guardianLinks.createdAt']);
  }
  const present = (r: { guardianId: string; guardianName: string; pupilId: string; pupilName: string; createdAt: Date }): GuardianLink => ({
    guardian: { id: r.guardianId, displayName: r.guardianName },
    pupil: { id: r.pupilId, displayName: r.pupilName },
    createdAt: r.createdAt.toISOString(),
  });

  /** The pupil decides where a link lives: an admin of one of the pupil's schools manages it. */
  async function authorizeForPupil(actor: Actor, pupilId: string) {
    const resource = await userResourceOf(db, pupilId);
    authorize(actor, 'guardianLink.manage', resource, 'The pupil');
    return resource.schoolIds;
  }

  return {
    /** Makes links ended elsewhere (a roster import) take effect as the ones ended here do. */
    linksEnded,

    async listForSchool(actor: Actor, schoolId: string): Promise<GuardianLink[]> {
      authorize(actor, 'guardianLink.list', { type: 'school', schoolId }, 'The school');
      const rows = await listQuery()
        .where('guardianLinks.pupilId', 'in', db.selectFrom('schoolRoles').select('userId').where('schoolId', '=', schoolId).where('role', '=', 'pupil'))
        .orderBy('p.displayName')
        .orderBy('g.displayName')
        .execute();
      return rows.map(present);
    },

    async create(actor: Actor, guardianId: string, pupilId: string, ip?: string): Promise<GuardianLink> {
      // Only schools where the actor is an admin count: an admin of a second school of the pupil must not
      // link a guardian known only at the first.
      const schoolIds = (await authorizeForPupil(actor, pupilId)).filter((s) => schoolsWhere(actor, 'admin').includes(s));
      const pupilSchools = await Promise.all(schoolIds.map(async (s) => ((await userHasSchoolRole(db, pupilId, s, 'pupil')) ? s : null)));
      const guardianOk = await Promise.all(pupilSchools.filter((s): s is string => s !== null).map((s) => userHasSchoolRole(db, guardianId, s, 'guardian')));
      if (!pupilSchools.some(Boolean)) throw new BadRequest('The chosen user is not a pupil.', [{ path: 'body.pupilId', message: 'must be a pupil' }]);
      if (!guardianOk.some(Boolean)) {
        throw new BadRequest("The chosen user is not a guardian at the pupil's school.", [
          { path: 'body.guardianId', message: "must be a guardian at the pupil's school" },
        ]);
      }
      await db.transaction().execute(async (trx) => {
        const inserted = await trx
          .insertInto('guardianLinks')
          .values({ guardianId, pupilId })
          .onConflict((oc) => oc.doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) throw new Conflict('This guardian is already linked to this pupil.');
        await recordAudit(trx, {
          actorId: actor.id,
          action: 'guardianLink.create',
          subjectType: 'guardianLink',
          subjectId: guardianId,
          subjectUserId: pupilId,
          ip,
        });
      });
      const row = await listQuery().where('guardianLinks.guardianId', '=', guardianId).where('guardianLinks.pupilId', '=', pupilId).executeTakeFirstOrThrow();
      return present(row);
    },

    async remove(actor: Actor, guardianId: string, pupilId: string, ip?: string): Promise<void> {
      await authorizeForPupil(actor, pupilId);
      await db.transaction().execute(async (trx) => {
        const removed = await trx.deleteFrom('guardianLinks').where('guardianId', '=', guardianId).where('pupilId', '=', pupilId).executeTakeFirst();
        if (Number(removed.numDeletedRows) === 0) throw new NotFound('The guardian link');
        await recordAudit(trx, {
          actorId: actor.id,
          action: 'guardianLink.delete',
          subjectType: 'guardianLink',
          subjectId: guardianId,
          subjectUserId: pupilId,
          ip,
        });
      });
      await linksEnded([{ guardianId }]);
    },

    /**
     * Ends the links of pupils who have turned 18 (their access already ended on the birthday:
     * guardianLinkInForce); the maintenance timer runs it. Returns the links that ended.
     */
    async endAtAdulthood(): Promise<Array<{ guardianId: string; pupilId: string }>> {
      const ended = await db.transaction().execute(async (trx) => {
        const rows = await trx
          .deleteFrom('guardianLinks')
          .where(
            'pupilId',
            'in',
            trx
              .selectFrom('users')
              .select('id')
              .where(sql<boolean>`birth_date <= (current_date - interval '18 years')::date`),
          )
          .returning(['guardianId', 'pupilId'])
          .execute();
        for (const r of rows) {
          await recordAudit(trx, {
            actorId: null,
            action: 'guardianLink.endAtAdulthood',
            subjectType: 'guardianLink',
            subjectId: r.guardianId,
            subjectUserId: r.pupilId,
          });
        }
        return rows;
      });
      await linksEnded(ended);
      return ended;
    },
  };
}

export type GuardianLinksService = ReturnType<typeof guardianLinksService>;
