import {
  MAX_TEMPLATES_PER_PROJECT,
  type CreateShowcaseTemplateRequest,
  type Showcase,
  type ShowcaseTemplate,
  type ShowcaseTemplateList,
  type ShowcaseTemplateSlotInput,
  type UpdateShowcaseTemplateRequest,
} from '../../../shared/api/showcases.ts';
import type { Actor } from '../../auth/actor.ts';
import { authorize, can } from '../../auth/policy.ts';
import type { Db } from '../../db/database.ts';
import { BadRequest, Conflict, NotFound } from '../../http/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { projectFacts } from '../projects/projects.repo.ts';
import { showcasesDb, type ShowcaseTemplateSlot } from './showcase-tables.ts';
import { presentTemplate } from './showcases.present.ts';
import { projectGoalIds, templateRows } from './showcases.repo.ts';
import { insertShowcase, type ShowcasesService } from './showcases.service.ts';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** A template's plain intro as the showcase's rich-text introduction: a paragraph per paragraph. */
const introAsHtml = (intro: string) =>
  intro
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('');

/** Issue 12 §3: a project's teachers suggest showcase outlines; its pupils start their own showcase from one. */
export function showcaseTemplatesService({ db }: { db: Db }, showcases: ShowcasesService) {
  async function project(actor: Actor, projectId: string, action: 'showcaseTemplate.list' | 'showcaseTemplate.manage' | 'showcaseTemplate.start') {
    const facts = await projectFacts(db, projectId);
    if (!facts) throw new NotFound('The project');
    authorize(actor, action, facts, 'The project');
    return facts;
  }

  async function template(actor: Actor, templateId: string, action: 'showcaseTemplate.manage' | 'showcaseTemplate.start') {
    const row = await templateRows(db).where('id', '=', templateId).executeTakeFirst();
    if (!row) throw new NotFound('The template');
    const facts = await projectFacts(db, row.projectId);
    if (!facts) throw new NotFound('The template');
    // Who may not even list the project's templates learns nothing of this one.
    if (!can(actor, 'showcaseTemplate.list', facts)) throw new NotFound('The template');
    authorize(actor, action, facts, 'The template');
    return row;
  }

  /** Slots as stored: each goal one of the project's own. */
  async function slotsOf(projectId: string, slots: readonly ShowcaseTemplateSlotInput[]): Promise<ShowcaseTemplateSlot[]> {
    const goals = await projectGoalIds(db, projectId);
    return slots.map((s, i) => {
      const goalId = s.goalId ?? null;
      if (goalId !== null && !goals.has(goalId))
        throw new BadRequest("A slot names a goal that is not one of the project's goals.", [
          { path: `slots.${i}.goalId`, message: "is not one of the project's goals" },
        ]);
      return { prompt: s.prompt, goalId };
    });
  }

  return {
    async list(actor: Actor, projectId: string): Promise<ShowcaseTemplateList> {
      const facts = await project(actor, projectId, 'showcaseTemplate.list');
      const rows = await templateRows(db).where('projectId', '=', projectId).orderBy('createdAt').orderBy('id').limit(MAX_TEMPLATES_PER_PROJECT).execute();
      return {
        canManage: can(actor, 'showcaseTemplate.manage', facts),
        canStart: can(actor, 'showcaseTemplate.start', facts),
        items: rows.map(presentTemplate),
      };
    },

    async create(actor: Actor, projectId: string, input: CreateShowcaseTemplateRequest, ip?: string): Promise<ShowcaseTemplate> {
      await project(actor, projectId, 'showcaseTemplate.manage');
      const slots = await slotsOf(projectId, input.slots ?? []);
      const id = await db.transaction().execute(async (trx) => {
        // One at a time per project, so that two at once cannot pass the limit.
        await trx.selectFrom('projects').select('id').where('id', '=', projectId).forUpdate().executeTakeFirst();
        const t = showcasesDb(trx);
        const { n } = await t
          .selectFrom('showcaseTemplates')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('projectId', '=', projectId)
          .executeTakeFirstOrThrow();
        if (Number(n) >= MAX_TEMPLATES_PER_PROJECT) throw new Conflict(`A project has at most ${MAX_TEMPLATES_PER_PROJECT} showcase templates.`);
        const row = await t
          .insertInto('showcaseTemplates')
          .values({ projectId, createdBy: actor.id, title: input.title, intro: input.intro ?? '', slots: JSON.stringify(slots) })
          .returning('id')
          .executeTakeFirstOrThrow();
        await recordAudit(trx, { actorId: actor.id, action: 'showcaseTemplate.create', subjectType: 'showcaseTemplate', subjectId: row.id, ip: ip ?? null });
        return row.id;
      });
      return presentTemplate(await templateRows(db).where('id', '=', id).executeTakeFirstOrThrow());
    },

    async update(actor: Actor, templateId: string, input: UpdateShowcaseTemplateRequest): Promise<ShowcaseTemplate> {
      const row = await template(actor, templateId, 'showcaseTemplate.manage');
      const slots = input.slots ? await slotsOf(row.projectId, input.slots) : undefined;
      await showcasesDb(db)
        .updateTable('showcaseTemplates')
        .set({
          ...(input.title !== undefined ? { title: input.title } : {}),
          ...(input.intro !== undefined ? { intro: input.intro } : {}),
          ...(slots ? { slots: JSON.stringify(slots) } : {}),
          updatedAt: new Date(),
        })
        .where('id', '=', templateId)
        .execute();
      return presentTemplate(await templateRows(db).where('id', '=', templateId).executeTakeFirstOrThrow());
    },

    /** Deleting a template leaves the showcases started from it: they are the pupils' own (their slots keep their headings). */
    async remove(actor: Actor, templateId: string, ip?: string): Promise<{ ok: true }> {
      await template(actor, templateId, 'showcaseTemplate.manage');
      await db.transaction().execute(async (trx) => {
        await showcasesDb(trx).deleteFrom('showcaseTemplates').where('id', '=', templateId).execute();
        await recordAudit(trx, {
          actorId: actor.id,
          action: 'showcaseTemplate.delete',
          subjectType: 'showcaseTemplate',
          subjectId: templateId,
          ip: ip ?? null,
        });
      });
      return { ok: true };
    },

    /** A pupil of the project starts their own showcase from the template: its title, intro, and an empty slot per prompt. */
    async start(actor: Actor, templateId: string, ip?: string): Promise<Showcase> {
      const row = await template(actor, templateId, 'showcaseTemplate.start');
      const id = await insertShowcase(
        db,
        actor,
        { title: row.title, introHtml: introAsHtml(row.intro), projectId: row.projectId, templateId: row.id },
        ip,
        row.slots.map((s, i) => ({ heading: s.prompt.slice(0, 200), templateSlot: i })),
      );
      return showcases.read(actor, id);
    },
  };
}
export type ShowcaseTemplatesService = ReturnType<typeof showcaseTemplatesService>;
