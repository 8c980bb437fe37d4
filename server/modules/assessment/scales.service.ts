import type { CreateScaleRequest, Scale, UpdateScaleRequest } from '../../../shared/api/scales.ts';
import type { Actor } from '../../auth/actor.ts';
import { authorize, can } from '../../auth/policy.ts';
import type { Db } from '../../db/database.ts';
import { Forbidden, NotFound } from '../../http/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { findScale, insertScale, listScales, updateScale } from './scales.repo.ts';

export function scalesService({ db }: { db: Db }) {
  return {
    async list(actor: Actor, schoolId: string): Promise<Scale[]> {
      authorize(actor, 'scale.list', { type: 'school', schoolId }, 'The school');
      return listScales(db, schoolId);
    },

    async create(actor: Actor, schoolId: string, input: CreateScaleRequest, ip?: string): Promise<Scale> {
      authorize(actor, 'scale.create', { type: 'school', schoolId }, 'The school');
      const id = await db.transaction().execute(async (trx) => {
        const scaleId = await insertScale(trx, { schoolId, ...input });
        await recordAudit(trx, { actorId: actor.id, action: 'scale.create', subjectType: 'scale', subjectId: scaleId, ip });
        return scaleId;
      });
      return this.get(id);
    },

    async update(actor: Actor, scaleId: string, input: UpdateScaleRequest, ip?: string): Promise<Scale> {
      const scale = await findScale(db, scaleId);
      if (!scale) throw new NotFound('The scale');
      // A built-in is seen by everyone and changed by no one, admins included: say so rather than a bare 403.
      if (!can(actor, 'scale.update', { type: 'scale', schoolId: scale.schoolId }) && scale.schoolId === null)
        throw new Forbidden('A built-in scale cannot be changed; create a scale of your own school instead.');
      authorize(actor, 'scale.update', { type: 'scale', schoolId: scale.schoolId }, 'The scale');
      await db.transaction().execute(async (trx) => {
        await updateScale(trx, scaleId, input);
        await recordAudit(trx, {
          actorId: actor.id,
          action: 'scale.update',
          subjectType: 'scale',
          subjectId: scaleId,
          details: { fields: Object.keys(input) },
          ip,
        });
      });
      return this.get(scaleId);
    },

    async get(scaleId: string): Promise<Scale> {
      const scale = await findScale(db, scaleId);
      if (!scale) throw new NotFound('The scale');
      return scale;
    },
  };
}
export type ScalesService = ReturnType<typeof scalesService>;
