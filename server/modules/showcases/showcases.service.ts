import {
  MAX_SHOWCASE_ITEMS,
  MAX_SHOWCASES_PER_PUPIL,
  type AddShowcaseItemRequest,
  type CreateShowcaseRequest,
  type ReorderShowcaseRequest,
  type Showcase,
  type ShowcaseList,
  type UpdateShowcaseItemRequest,
  type UpdateShowcaseRequest,
} from '../../../shared/api/showcases.ts';
import type { MediaVariant } from '../../../shared/portfolio.ts';
import type { Actor } from '../../auth/actor.ts';
import { authorize, can, seesWholeShowcase, showcaseAudience } from '../../auth/policy.ts';
import type { Db } from '../../db/database.ts';
import { BadRequest, Conflict, NotFound, PayloadTooLarge } from '../../http/errors.ts';
import { forgetShare, notifyGuardiansOfShowcase, publishApprovalEvent, recordShare } from '../guardian-sharing/share-state.ts';
import { showcaseApprovalOf } from '../guardian-sharing/showcase-approval.service.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import type { BlobStore } from '../../storage/blob-store.ts';
import { artefactFacts, mediaFacts, pupilFacts } from '../artefacts/artefacts.repo.ts';
import { sanitizeRichText } from '../artefacts/sanitize.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { projectFacts } from '../projects/projects.repo.ts';
import { showcasesDb } from './showcase-tables.ts';
import { presentShowcase, presentSummary, templatePrompts } from './showcases.present.ts';
import {
  itemCounts,
  itemInShowcase,
  lockShowcase,
  orderOf,
  parkedPosition,
  showcaseAudienceFacts,
  showcaseFacts,
  showcaseFactsWhere,
  showcaseItemRows,
  takesPartIn,
  touch,
  writeOrder,
  type ShowcaseFacts,
} from './showcases.repo.ts';

export interface ShowcasesDeps {
  db: Db;
  notifier: Notifier;
  blobs: BlobStore;
  /** The policy's view of a user now: the blob route's recheck asks the showcase rule again for the URL's viewer. */
  loadActor(userId: string): Promise<Actor | null>;
}

/** As an artefact's own media URLs. */
const MEDIA_URL_SECONDS = 300;
/** A viewer's media URL through a showcase carries this reference; the blob route asks recheckMediaUrl again when it is used. */
const RECHECK_SHOWCASE = 'showcase:';
const MAX_INTRO_BYTES = 200_000;
const MAX_ITEM_BYTES = 100_000;

/** Sanitised like an artefact body; the bytes kept within the table's check (escaping can make text longer). */
export function cleanHtml(html: string, maxBytes: number, field: string): string {
  const clean = sanitizeRichText(html);
  if (Buffer.byteLength(clean, 'utf8') > maxBytes) throw new PayloadTooLarge(`The ${field} is too long.`);
  return clean;
}

export function showcasesService(deps: ShowcasesDeps) {
  const { db, notifier, blobs } = deps;

  /** The showcase's facts after the policy check; 404 for those who may not see it at all. */
  async function checked(actor: Actor, showcaseId: string, action: 'showcase.read' | 'showcase.update' | 'showcase.delete'): Promise<ShowcaseFacts> {
    const facts = await showcaseFacts(db, showcaseId);
    if (!facts) throw new NotFound('The showcase');
    authorize(actor, action, facts.resource, 'The showcase');
    return facts;
  }

  /** After commit: ids only, to everyone who may read it now or could before the change (so that unsharing reaches them too). */
  async function announce(before: ShowcaseFacts, after: ShowcaseFacts | null) {
    const ids = new Set<string>();
    for (const f of after ? [before, after] : [before]) {
      const facts = await showcaseAudienceFacts(db, f.row.ownerId, f.resource.projectGroupIds);
      for (const id of showcaseAudience(f.resource, facts)) ids.add(id);
    }
    for (const id of ids) notifier.toUser(id, 'showcase.changed', { showcaseId: before.row.id, ownerId: before.row.ownerId });
  }

  async function read(actor: Actor, showcaseId: string): Promise<Showcase> {
    const facts = await checked(actor, showcaseId, 'showcase.read');
    // Issue 12 §1: its approval for guardians, for the pupil and their teachers while it is shared where that applies.
    const approval =
      facts.resource.guardianApprovalRequired && facts.row.visibility !== 'private' && can(actor, 'showcaseApproval.read', facts.resource)
        ? showcaseApprovalOf(db, showcaseId)
        : Promise.resolve(null);
    const [items, prompts, guardianApproval] = await Promise.all([showcaseItemRows(db, showcaseId), templatePrompts(db, facts.row.templateId), approval]);
    return presentShowcase(facts, items, prompts, { canEdit: can(actor, 'showcase.update', facts.resource), guardianApproval });
  }

  /** A change to one showcase's items: the showcase locked, the owner checked, the result announced after commit. */
  async function changeItems<T>(actor: Actor, showcaseId: string, change: (trx: Db, facts: ShowcaseFacts) => Promise<T>): Promise<Showcase> {
    const facts = await checked(actor, showcaseId, 'showcase.update');
    await db.transaction().execute(async (trx) => {
      if (!(await lockShowcase(trx, showcaseId))) throw new NotFound('The showcase');
      await change(trx, facts);
      await touch(trx, showcaseId);
    });
    await announce(facts, null);
    return read(actor, showcaseId);
  }

  /**
   * A project the showcase may name: one its owner takes part in and that this session may read. The second
   * half keeps a sign-in card session (narrowed to the card's school) from reaching another school's project.
   */
  async function choosable(actor: Actor, ownerId: string, projectId: string): Promise<boolean> {
    const project = await projectFacts(db, projectId);
    return project !== null && can(actor, 'project.read', project) && (await takesPartIn(db, ownerId, projectId));
  }

  /** The owner's own, non-deleted artefact, looked up by the server: an id the client sends names nothing else. */
  async function ownArtefact(trx: Db, ownerId: string, artefactId: string): Promise<void> {
    const facts = await artefactFacts(trx, artefactId);
    if (!facts || facts.row.deletedAt || facts.row.ownerId !== ownerId) throw new NotFound('The work');
  }

  async function summaries(list: ShowcaseFacts[]): Promise<ShowcaseList> {
    const counts = await itemCounts(
      db,
      list.map((f) => f.row.id),
    );
    return { items: list.map((f) => presentSummary(f, counts.get(f.row.id) ?? 0)) };
  }

  return {
    read,

    /** The pupil's own showcases, newest change first. */
    async listMine(actor: Actor): Promise<ShowcaseList> {
      return summaries(await showcaseFactsWhere(db, { ownerId: actor.id }, MAX_SHOWCASES_PER_PUPIL));
    },

    /** A pupil's showcases that the viewer may read (their teachers: all; their guardians: those shared with them). */
    async listForPupil(actor: Actor, pupilId: string): Promise<ShowcaseList> {
      const pupil = await pupilFacts(db, pupilId);
      if (!pupil) throw new NotFound('The pupil');
      authorize(actor, 'portfolio.read', pupil.resource, 'The pupil');
      const all = await showcaseFactsWhere(db, { ownerId: pupilId }, MAX_SHOWCASES_PER_PUPIL);
      return summaries(all.filter((f) => can(actor, 'showcase.read', f.resource)));
    },

    /** Showcases shared with a project, as its pupils and teachers may read them. */
    async listForProject(actor: Actor, projectId: string): Promise<ShowcaseList> {
      const project = await projectFacts(db, projectId);
      if (!project) throw new NotFound('The project');
      authorize(actor, 'project.read', project, 'The project');
      const all = await showcaseFactsWhere(db, { projectId, visibility: 'project' }, 500);
      return summaries(all.filter((f) => can(actor, 'showcase.read', f.resource)));
    },

    async create(actor: Actor, input: CreateShowcaseRequest, ip?: string): Promise<Showcase> {
      authorize(actor, 'showcase.create', { type: 'pupil', pupilId: actor.id, schoolIds: [], groupIds: [], projectTeacherIds: [] });
      const id = await insertShowcase(db, actor, { title: input.title, introHtml: cleanHtml(input.introHtml ?? '', MAX_INTRO_BYTES, 'introduction') }, ip);
      return read(actor, id);
    },

    /** Rename, rewrite the introduction, or change who sees it. */
    async update(actor: Actor, showcaseId: string, input: UpdateShowcaseRequest, ip?: string): Promise<Showcase> {
      const before = await checked(actor, showcaseId, 'showcase.update');
      const projectId = input.projectId === undefined ? before.row.projectId : input.projectId;
      const visibility = input.visibility ?? before.row.visibility;
      if (visibility === 'project') {
        if (!projectId)
          throw new BadRequest('Choose the project whose pupils see the showcase.', [{ path: 'projectId', message: 'is required to share with a project' }]);
        // Checked every time, not only when the project changes: a pupil who has left it shares with it no more.
        if (!(await choosable(actor, before.row.ownerId, projectId)))
          throw new BadRequest('You can share only with a project you take part in.', [{ path: 'projectId', message: 'is not one of your projects' }]);
      } else if (input.projectId && !(await choosable(actor, before.row.ownerId, input.projectId)))
        throw new BadRequest('You can choose only a project you take part in.', [{ path: 'projectId', message: 'is not one of your projects' }]);
      let projectTeacherIds: readonly string[] = before.resource.projectTeacherIds;
      const shares = await db.transaction().execute(async (trx) => {
        await showcasesDb(trx)
          .updateTable('showcases')
          .set({
            ...(input.title !== undefined ? { title: input.title } : {}),
            ...(input.introHtml !== undefined ? { introHtml: cleanHtml(input.introHtml, MAX_INTRO_BYTES, 'introduction') } : {}),
            visibility,
            projectId,
            updatedAt: new Date(),
          })
          .where('id', '=', showcaseId)
          .execute();
        if (visibility !== before.row.visibility || projectId !== before.row.projectId)
          await recordAudit(trx, {
            actorId: actor.id,
            action: 'showcase.share',
            subjectType: 'showcase',
            subjectId: showcaseId,
            subjectUserId: before.row.ownerId,
            details: { visibility, projectId },
            ip: ip ?? null,
          });
        // Issue 12 §1: sharing with guardians ('project' includes them) under the approval rule puts the showcase into
        // its teachers' queue; un-sharing takes it out. Later edits need no hook: the queue and the policy compare
        // its content fingerprint with the last decision (guardian-sharing.sql.ts).
        const shared = (v: string) => v === 'guardians' || v === 'project';
        if (!shared(before.row.visibility) && !shared(visibility)) return null;
        const owner = await trx.selectFrom('users').select('displayName').where('id', '=', before.row.ownerId).executeTakeFirstOrThrow();
        // Its teachers as this change leaves it (a new project brings its own teachers).
        const after = await showcaseFacts(trx, showcaseId);
        projectTeacherIds = after?.resource.projectTeacherIds ?? [];
        const outcome = await recordShare(
          trx,
          {
            subjectType: 'showcase',
            subjectId: showcaseId,
            ownerId: before.row.ownerId,
            projectId,
            wasShared: shared(before.row.visibility),
            shared: shared(visibility),
            version: null,
            contentChanged: false,
          },
          { title: input.title ?? before.row.title, pupilName: owner.displayName, projectTeacherIds },
        );
        // Shared directly: its guardians hear of it now (under approval, when a teacher first approves it).
        const guardians = outcome.guardiansNewlyVisible ? await notifyGuardiansOfShowcase(trx, showcaseId, owner.displayName) : null;
        return { ...outcome, guardians };
      });
      shares?.notices?.publish(notifier);
      shares?.guardians?.publish(notifier);
      // The teachers it leaves hear it too: their queue loses it (ids only; each reads it again).
      if (shares?.event) await publishApprovalEvent(db, notifier, shares.event, [...new Set([...before.resource.projectTeacherIds, ...projectTeacherIds])]);
      await announce(before, await showcaseFacts(db, showcaseId));
      return read(actor, showcaseId);
    },

    async remove(actor: Actor, showcaseId: string, ip?: string): Promise<{ ok: true }> {
      const before = await checked(actor, showcaseId, 'showcase.delete');
      const event = await db.transaction().execute(async (trx) => {
        await showcasesDb(trx).deleteFrom('showcases').where('id', '=', showcaseId).execute();
        await recordAudit(trx, {
          actorId: actor.id,
          action: 'showcase.delete',
          subjectType: 'showcase',
          subjectId: showcaseId,
          subjectUserId: before.row.ownerId,
          details: { title: before.row.title },
          ip: ip ?? null,
        });
        // Issue 12 §1: out of the approval queue with it (the table has no foreign key to each subject type).
        return forgetShare(trx, 'showcase', showcaseId);
      });
      if (event) await publishApprovalEvent(db, notifier, event, before.resource.projectTeacherIds);
      await announce(before, null);
      return { ok: true };
    },

    /** An artefact of the owner's (checked here) or a text block, at the end or at `position`. */
    addItem(actor: Actor, showcaseId: string, input: AddShowcaseItemRequest): Promise<Showcase> {
      return changeItems(actor, showcaseId, async (trx, facts) => {
        const order = await orderOf(trx, showcaseId);
        if (order.length >= MAX_SHOWCASE_ITEMS) throw new Conflict(`A showcase holds at most ${MAX_SHOWCASE_ITEMS} items; remove one first.`);
        if (input.artefactId) await ownArtefact(trx, facts.row.ownerId, input.artefactId);
        const row = await showcasesDb(trx)
          .insertInto('showcaseItems')
          .values({
            showcaseId,
            position: parkedPosition(order.length),
            artefactId: input.artefactId ?? null,
            heading: input.heading ?? '',
            bodyHtml: cleanHtml(input.bodyHtml ?? '', MAX_ITEM_BYTES, 'text'),
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        // A position counts among the items a reader sees; hidden ones (deleted work) stay at the end.
        const visible = order.filter((o) => o.visible).map((o) => o.id);
        const at = Math.min(input.position ?? visible.length, visible.length);
        visible.splice(at, 0, row.id);
        await writeOrder(trx, showcaseId, [...visible, ...order.filter((o) => !o.visible).map((o) => o.id)]);
      });
    },

    /** The heading or text of an item; `artefactId` fills a template slot with (or swaps in) another of the owner's own works. */
    updateItem(actor: Actor, showcaseId: string, itemId: string, input: UpdateShowcaseItemRequest): Promise<Showcase> {
      return changeItems(actor, showcaseId, async (trx, facts) => {
        if (input.artefactId) await ownArtefact(trx, facts.row.ownerId, input.artefactId);
        const updated = await showcasesDb(trx)
          .updateTable('showcaseItems')
          .set({
            ...(input.heading !== undefined ? { heading: input.heading } : {}),
            ...(input.bodyHtml !== undefined ? { bodyHtml: cleanHtml(input.bodyHtml, MAX_ITEM_BYTES, 'text') } : {}),
            ...(input.artefactId !== undefined ? { artefactId: input.artefactId } : {}),
          })
          .where('showcaseId', '=', showcaseId)
          .where('id', '=', itemId)
          .returning('id')
          .executeTakeFirst();
        if (!updated) throw new NotFound('The item');
      });
    },

    /** Removes one item; the rest keep their order, renumbered without a gap. */
    removeItem(actor: Actor, showcaseId: string, itemId: string): Promise<Showcase> {
      return changeItems(actor, showcaseId, async (trx) => {
        const gone = await showcasesDb(trx)
          .deleteFrom('showcaseItems')
          .where('showcaseId', '=', showcaseId)
          .where('id', '=', itemId)
          .returning('id')
          .executeTakeFirst();
        if (!gone) throw new NotFound('The item');
        await writeOrder(
          trx,
          showcaseId,
          (await orderOf(trx, showcaseId)).map((o) => o.id),
        );
      });
    },

    /** The whole new order in one request: exactly the items a reader sees, each once (hidden ones keep their place at the end). */
    reorder(actor: Actor, showcaseId: string, input: ReorderShowcaseRequest): Promise<Showcase> {
      return changeItems(actor, showcaseId, async (trx) => {
        const order = await orderOf(trx, showcaseId);
        const visible = new Set(order.filter((o) => o.visible).map((o) => o.id));
        if (input.itemIds.length !== visible.size || input.itemIds.some((id) => !visible.has(id)))
          throw new Conflict('The showcase has changed meanwhile: the new order must name each of its items exactly once. Reload and try again.');
        await writeOrder(trx, showcaseId, [...input.itemIds, ...order.filter((o) => !o.visible).map((o) => o.id)]);
      });
    },

    /**
     * A file of an item's artefact, for whoever may read the showcase, even when the artefact itself is private: only a
     * file now on that artefact, only while the item is in the showcase. Viewers other than the owner and their teachers
     * get a URL that the blob route checks again when it is used (recheckMediaUrl).
     */
    async mediaUrl(actor: Actor, showcaseId: string, itemId: string, mediaId: string, variant: MediaVariant): Promise<string> {
      const facts = await checked(actor, showcaseId, 'showcase.read');
      const key = await mediaKeyThrough(db, facts, itemId, mediaId, variant);
      if (!key) throw new NotFound('The file');
      return blobs.signedUrl(key.key, {
        expiresInSeconds: MEDIA_URL_SECONDS,
        ...(variant === 'original' && key.originalName ? { downloadName: key.originalName } : {}),
        ...(seesWholeShowcase(actor, facts.resource) ? {} : { recheck: `${RECHECK_SHOWCASE}${actor.id}:${showcaseId}:${itemId}:${mediaId}` }),
      });
    },

    /** The blob route's second look at a viewer's URL: still shared with them, the item still in it, the file still on the work. Null: not a showcase URL. */
    async recheckMediaUrl(reference: string): Promise<boolean | null> {
      if (!reference.startsWith(RECHECK_SHOWCASE)) return null;
      const [viewerId, showcaseId, itemId, mediaId] = reference.slice(RECHECK_SHOWCASE.length).split(':');
      if (!viewerId || !showcaseId || !itemId || !mediaId) return false;
      const [viewer, facts] = await Promise.all([deps.loadActor(viewerId), showcaseFacts(db, showcaseId)]);
      if (!viewer || !facts || !can(viewer, 'showcase.read', facts.resource)) return false;
      return mediaOnItem(db, facts, itemId, mediaId);
    },
  };
}
export type ShowcasesService = ReturnType<typeof showcasesService>;

/** Creates a showcase for its owner within the per-pupil limit (the owner's row locked, so that two at once cannot pass it). */
export async function insertShowcase(
  db: Db,
  actor: Actor,
  values: { title: string; introHtml: string; projectId?: string | null; templateId?: string | null },
  ip?: string,
  items: ReadonlyArray<{ heading: string; templateSlot: number }> = [],
): Promise<string> {
  return db.transaction().execute(async (trx) => {
    await trx.selectFrom('users').select('id').where('id', '=', actor.id).forUpdate().executeTakeFirst();
    const t = showcasesDb(trx);
    const { n } = await t
      .selectFrom('showcases')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('ownerId', '=', actor.id)
      .executeTakeFirstOrThrow();
    if (Number(n) >= MAX_SHOWCASES_PER_PUPIL) throw new Conflict(`You have ${MAX_SHOWCASES_PER_PUPIL} showcases already; delete one before making another.`);
    const row = await t
      .insertInto('showcases')
      .values({
        ownerId: actor.id,
        title: values.title,
        introHtml: values.introHtml,
        projectId: values.projectId ?? null,
        templateId: values.templateId ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (items.length)
      await t
        .insertInto('showcaseItems')
        .values(items.map((it, i) => ({ showcaseId: row.id, position: i, heading: it.heading, templateSlot: it.templateSlot })))
        .execute();
    await recordAudit(trx, {
      actorId: actor.id,
      action: 'showcase.create',
      subjectType: 'showcase',
      subjectId: row.id,
      subjectUserId: actor.id,
      ip: ip ?? null,
    });
    return row.id;
  });
}

/** A file reached through a showcase item: the item is in the showcase, its work not deleted and the showcase owner's, the file on it now. */
async function mediaThrough(db: Db, facts: ShowcaseFacts, itemId: string, mediaId: string) {
  const item = await itemInShowcase(db, facts.row.id, itemId);
  if (!item?.artefactId || item.artefactDeletedAt || item.artefactOwnerId !== facts.row.ownerId) return null;
  const media = await mediaFacts(db, mediaId);
  return media && media.artefactId === item.artefactId && media.removedAt === null ? media : null;
}
/**
 * The blob key (and download name) of a file reached through a showcase item, or null: for another reader of the
 * showcase (a secret-link page) who has settled access to the showcase itself first.
 */
export async function mediaKeyThrough(db: Db, facts: ShowcaseFacts, itemId: string, mediaId: string, variant: MediaVariant) {
  const media = await mediaThrough(db, facts, itemId, mediaId);
  const key = media?.variants[variant];
  return media && key ? { key, originalName: media.originalName } : null;
}
/** For the recheck: the file is on the item's work now (the variant was settled when the URL was made). */
async function mediaOnItem(db: Db, facts: ShowcaseFacts, itemId: string, mediaId: string): Promise<boolean> {
  return (await mediaThrough(db, facts, itemId, mediaId)) !== null;
}
