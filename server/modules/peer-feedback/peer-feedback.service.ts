import { sql } from 'kysely';
import {
  MAX_PEER_FEEDBACK_PER_AUTHOR,
  type ArtefactPeerFeedback,
  type CreatePeerFeedbackRequest,
  type PeerFeedback,
  type PeerFeedbackState,
  type PeerModerationItem,
  type PeerSettings,
  type PeerWork,
  type ProjectPeerWork,
} from '../../../shared/api/peer-feedback.ts';
import type { MediaVariant } from '../../../shared/portfolio.ts';
import type { Actor } from '../../auth/actor.ts';
import { authorize, can, peerAudience, peerSeesMessage, type PeerMessageState } from '../../auth/policy.ts';
import type { Db } from '../../db/database.ts';
import { BadRequest, Conflict, NotFound } from '../../http/errors.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import type { BlobStore } from '../../storage/blob-store.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { mediaFacts, presentArtefact, selectArtefacts } from '../artefacts/artefacts.repo.ts';
import { projectFacts } from '../projects/projects.repo.ts';
import { peerArtefactFacts, peerAudienceFacts, peerDb, selectPeerFeedback, type PeerArtefactFacts, type PeerFeedbackRow } from './peer-feedback.repo.ts';

export interface PeerFeedbackDeps {
  db: Db;
  notifier: Notifier;
  blobs: BlobStore;
}

/** As long as an artefact's own media URLs: a classmate who lost sight of the work keeps a file at most this long. */
const PEER_MEDIA_URL_SECONDS = 300;

export const presentPeerFeedback = (r: PeerFeedbackRow): PeerFeedback => ({
  id: r.id,
  artefactId: r.artefactId,
  author: r.authorId && r.authorName ? { id: r.authorId, displayName: r.authorName } : null,
  importedAuthor: r.importedAuthor ? { displayName: r.importedAuthor.displayName, role: r.importedAuthor.role } : null,
  star1: r.star1,
  star2: r.star2,
  wish: r.wish,
  state: r.state,
  createdAt: r.createdAt.toISOString(),
});

export function peerFeedbackService({ db, notifier, blobs }: PeerFeedbackDeps) {
  const pdb = peerDb(db);

  async function peerArtefact(actor: Actor, artefactId: string, action: 'peerWork.read' | 'peerSharing.update' | 'peerFeedback.create' = 'peerWork.read') {
    const facts = await peerArtefactFacts(db, artefactId);
    if (!facts) throw new NotFound('The work');
    authorize(actor, action, facts.resource, 'The work');
    return facts;
  }

  async function project(actor: Actor, projectId: string, action: 'peerWork.list' | 'peerSettings.update' | 'peerModeration.list') {
    const facts = await projectFacts(db, projectId);
    if (!facts) throw new NotFound('The project');
    authorize(actor, action, facts, 'The project');
    return facts;
  }

  async function settingsOf(projectId: string): Promise<PeerSettings> {
    const row = await pdb.selectFrom('projectPeerSettings').select('moderation').where('projectId', '=', projectId).executeTakeFirst();
    return row ? { enabled: true, moderation: row.moderation } : { enabled: false, moderation: 'shown' };
  }

  /** After commit: tell who may (or just stopped being able to) see the message; ids only, receivers re-read. */
  async function announce(
    facts: PeerArtefactFacts,
    message: { id: string; authorId: string | null; state: PeerMessageState },
    previous: PeerMessageState | null,
  ) {
    const audience = await peerAudienceFacts(db, facts.row.ownerId, facts.resource.projectGroupIds);
    const resource = { type: 'peerMessage' as const, on: facts.resource, authorId: message.authorId, state: message.state };
    for (const userId of peerAudience(resource, previous, audience))
      notifier.toUser(userId, 'peerFeedback.changed', { artefactId: facts.row.id, projectId: facts.projectId ?? '', peerFeedbackId: message.id });
  }

  async function messageFacts(actor: Actor, peerFeedbackId: string, action: 'peerFeedback.report' | 'peerFeedback.moderate') {
    const row = await pdb.selectFrom('peerFeedback').select(['id', 'artefactId', 'authorId', 'state']).where('id', '=', peerFeedbackId).executeTakeFirst();
    const facts = row ? await peerArtefactFacts(db, row.artefactId) : null;
    if (!row || !facts) throw new NotFound('The message');
    const resource = { type: 'peerMessage' as const, on: facts.resource, authorId: row.authorId, state: row.state };
    authorize(actor, action, resource, 'The message');
    return { row, facts };
  }

  async function presentOne(id: string): Promise<PeerFeedback> {
    return presentPeerFeedback(await selectPeerFeedback(db).where('peerFeedback.id', '=', id).executeTakeFirstOrThrow());
  }

  /** The peer side of one artefact for the viewer: the messages the policy lets them see and what they may do. */
  async function forArtefact(actor: Actor, artefactId: string): Promise<ArtefactPeerFeedback> {
    const facts = await peerArtefact(actor, artefactId);
    const rows = await selectPeerFeedback(db)
      .where('peerFeedback.artefactId', '=', artefactId)
      .orderBy('peerFeedback.createdAt')
      .orderBy('peerFeedback.id')
      .execute();
    const items = rows
      .filter((r) => peerSeesMessage(actor, { type: 'peerMessage', on: facts.resource, authorId: r.authorId, state: r.state }))
      .map(presentPeerFeedback);
    return {
      allowed: facts.resource.allowed,
      shared: facts.resource.shared,
      moderation: facts.moderation,
      canShare: can(actor, 'peerSharing.update', facts.resource) && facts.resource.allowed,
      canGive: can(actor, 'peerFeedback.create', facts.resource),
      canReport: actor.id === facts.row.ownerId,
      canModerate: can(actor, 'peerFeedback.moderate', { type: 'peerMessage', on: facts.resource, authorId: null, state: 'held' }),
      items,
    };
  }

  return {
    forArtefact,

    /** A project's peer setting and its shared work (the "classmates' work" list). */
    async projectWork(actor: Actor, projectId: string): Promise<ProjectPeerWork> {
      const facts = await project(actor, projectId, 'peerWork.list');
      const settings = await settingsOf(projectId);
      const canModerate = can(actor, 'peerSettings.update', facts);
      if (!settings.enabled || facts.groupIds.length === 0) return { settings, canModerate, items: [] };
      // Shared work of pupils who (still) take part in the project through one of its groups.
      const rows = await pdb
        .selectFrom('artefactPeerShares as s')
        .innerJoin('artefacts as a', 'a.id', 's.artefactId')
        .innerJoin('users as o', 'o.id', 'a.ownerId')
        .select(['a.id', 'a.ownerId', 'o.displayName as ownerName', 'a.kind', 'a.title', 's.sharedAt', 'a.updatedAt'])
        .where('a.projectId', '=', projectId)
        .where('a.deletedAt', 'is', null)
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('memberships as m')
              .select('m.groupId')
              .whereRef('m.userId', '=', 'a.ownerId')
              .where('m.role', '=', 'pupil')
              .where('m.groupId', 'in', facts.groupIds),
          ),
        )
        .orderBy('s.sharedAt', 'desc')
        .limit(500)
        .execute();
      return {
        settings,
        canModerate,
        items: rows.map((r) => ({
          id: r.id,
          owner: { id: r.ownerId, displayName: r.ownerName },
          kind: r.kind,
          title: r.title,
          sharedAt: r.sharedAt.toISOString(),
          updatedAt: r.updatedAt.toISOString(),
        })),
      };
    },

    /** A project's teachers allow peer feedback (and choose its moderation) or stop it; stopping also ends every sharing. */
    async updateSettings(actor: Actor, projectId: string, input: PeerSettings, ip?: string): Promise<PeerSettings> {
      await project(actor, projectId, 'peerSettings.update');
      await db.transaction().execute(async (trx) => {
        const t = peerDb(trx);
        if (input.enabled)
          await t
            .insertInto('projectPeerSettings')
            .values({ projectId, moderation: input.moderation })
            .onConflict((oc) => oc.column('projectId').doUpdateSet({ moderation: input.moderation, updatedAt: sql`now()` }))
            .execute();
        else {
          await t.deleteFrom('projectPeerSettings').where('projectId', '=', projectId).execute();
          await t
            .deleteFrom('artefactPeerShares')
            .where('artefactId', 'in', trx.selectFrom('artefacts').select('id').where('projectId', '=', projectId))
            .execute();
        }
        await recordAudit(trx, {
          actorId: actor.id,
          action: 'peer.settings',
          subjectType: 'project',
          subjectId: projectId,
          details: { ...input },
          ip: ip ?? null,
        });
      });
      return settingsOf(projectId);
    },

    /** The owner shares the work with the project's pupils, or stops sharing it. */
    async setSharing(actor: Actor, artefactId: string, shared: boolean, ip?: string): Promise<ArtefactPeerFeedback> {
      const facts = await peerArtefact(actor, artefactId, 'peerSharing.update');
      if (shared && !facts.resource.allowed) throw new Conflict('Peer feedback is not allowed in this project, so the work cannot be shared with classmates.');
      await db.transaction().execute(async (trx) => {
        const t = peerDb(trx);
        if (shared)
          await t
            .insertInto('artefactPeerShares')
            .values({ artefactId })
            .onConflict((oc) => oc.column('artefactId').doNothing())
            .execute();
        else await t.deleteFrom('artefactPeerShares').where('artefactId', '=', artefactId).execute();
        await recordAudit(trx, {
          actorId: actor.id,
          action: shared ? 'peer.share' : 'peer.unshare',
          subjectType: 'artefact',
          subjectId: artefactId,
          subjectUserId: facts.row.ownerId,
          ip: ip ?? null,
        });
      });
      if (facts.projectId) {
        const audience = await peerAudienceFacts(db, facts.row.ownerId, facts.resource.projectGroupIds);
        const ids = new Set([...facts.resource.artefact.projectTeacherIds, ...audience.groupTeacherIds, ...audience.projectPupils.map((p) => p.id)]);
        for (const id of ids) notifier.toUser(id, 'peerWork.changed', { artefactId, projectId: facts.projectId });
      }
      return forArtefact(actor, artefactId);
    },

    /** The work as a classmate sees it: the current version's content, none of its history, goals or teacher feedback. */
    async work(actor: Actor, artefactId: string): Promise<PeerWork> {
      const facts = await peerArtefact(actor, artefactId);
      const [row] = await selectArtefacts(db, actor.id, [sql`a.id = ${artefactId}`]);
      if (!row || !facts.projectId) throw new NotFound('The work');
      const a = presentArtefact(row);
      return {
        id: a.id,
        owner: a.owner,
        projectId: facts.projectId,
        kind: a.kind,
        title: a.title,
        bodyHtml: a.bodyHtml,
        links: a.links,
        media: a.media.map((m) => ({
          ...m,
          urls: Object.fromEntries(Object.keys(m.urls).map((v) => [v, `/api/artefacts/${artefactId}/peer-work/media/${m.id}/${v}`])),
        })),
        sharedAt: (facts.sharedAt ?? row.updatedAt).toISOString(),
        updatedAt: a.updatedAt,
      };
    },

    /** A file of shared work, for whoever may read the work: a short-lived URL for exactly this file. */
    async mediaUrl(actor: Actor, artefactId: string, mediaId: string, variant: MediaVariant): Promise<string> {
      await peerArtefact(actor, artefactId);
      const media = await mediaFacts(db, mediaId);
      // Only a file that is on the work now: earlier versions are not shared.
      const key = media && media.artefactId === artefactId && media.removedAt === null ? media.variants[variant] : undefined;
      if (!key) throw new NotFound('The file');
      return blobs.signedUrl(key, { expiresInSeconds: PEER_MEDIA_URL_SECONDS });
    },

    /** A classmate gives two stars and a wish; held for a teacher when the project says so. */
    async create(actor: Actor, artefactId: string, input: CreatePeerFeedbackRequest, ip?: string): Promise<PeerFeedback> {
      const facts = await peerArtefact(actor, artefactId, 'peerFeedback.create');
      const state: PeerFeedbackState = facts.moderation === 'held' ? 'held' : 'shown';
      const id = await db.transaction().execute(async (trx) => {
        const { n } = await peerDb(trx)
          .selectFrom('peerFeedback')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('artefactId', '=', artefactId)
          .where('authorId', '=', actor.id)
          .executeTakeFirstOrThrow();
        if (Number(n) >= MAX_PEER_FEEDBACK_PER_AUTHOR)
          throw new BadRequest(`You have already given ${MAX_PEER_FEEDBACK_PER_AUTHOR} messages on this work; no more can be added.`, [
            { path: 'body', message: `at most ${MAX_PEER_FEEDBACK_PER_AUTHOR} messages per classmate on one work` },
          ]);
        const row = await peerDb(trx)
          .insertInto('peerFeedback')
          .values({ artefactId, authorId: actor.id, star1: input.star1, star2: input.star2, wish: input.wish, state })
          .returning('id')
          .executeTakeFirstOrThrow();
        await recordAudit(trx, {
          actorId: actor.id,
          action: 'peer.feedback.create',
          subjectType: 'peerFeedback',
          subjectId: row.id,
          subjectUserId: facts.row.ownerId,
          details: { artefactId, state },
          ip: ip ?? null,
        });
        return row.id;
      });
      await announce(facts, { id, authorId: actor.id, state }, null);
      return presentOne(id);
    },

    /** The owner reports a shown message: hidden until a teacher of the project looks at it. */
    async report(actor: Actor, peerFeedbackId: string, ip?: string): Promise<PeerFeedback> {
      const { row, facts } = await messageFacts(actor, peerFeedbackId, 'peerFeedback.report');
      await transition(row.id, 'reported', ['shown'], actor, facts, 'peer.feedback.report', ip);
      await announce(facts, { ...row, state: 'reported' }, row.state);
      return presentOne(row.id);
    },

    /** A teacher of the project approves (held or reported → shown) or hides a message; the row and its audit stay. */
    async moderate(actor: Actor, peerFeedbackId: string, action: 'approve' | 'hide', ip?: string): Promise<PeerFeedback> {
      const { row, facts } = await messageFacts(actor, peerFeedbackId, 'peerFeedback.moderate');
      const to: PeerFeedbackState = action === 'approve' ? 'shown' : 'hidden';
      const from: PeerFeedbackState[] = action === 'approve' ? ['held', 'reported', 'hidden'] : ['held', 'shown', 'reported'];
      await transition(row.id, to, from, actor, facts, action === 'approve' ? 'peer.feedback.approve' : 'peer.feedback.hide', ip);
      await announce(facts, { ...row, state: to }, row.state);
      return presentOne(row.id);
    },

    /** Held and reported messages of a project, oldest first: the teacher's moderation list. */
    async moderationList(actor: Actor, projectId: string): Promise<{ items: PeerModerationItem[] }> {
      await project(actor, projectId, 'peerModeration.list');
      const rows = await selectPeerFeedback(db)
        .innerJoin('artefacts as a', 'a.id', 'peerFeedback.artefactId')
        .innerJoin('users as o', 'o.id', 'a.ownerId')
        .select(['a.title as artefactTitle', 'a.ownerId', 'o.displayName as ownerName'])
        .where('a.projectId', '=', projectId)
        .where('a.deletedAt', 'is', null)
        .where('peerFeedback.state', 'in', ['held', 'reported'])
        .orderBy('peerFeedback.createdAt')
        .limit(500)
        .execute();
      return {
        items: rows.map((r) => ({ ...presentPeerFeedback(r), artefactTitle: r.artefactTitle, owner: { id: r.ownerId, displayName: r.ownerName ?? '' } })),
      };
    },
  };

  /** One state change, only from the states given (a concurrent change in between: 409), with its audit, in one transaction. */
  async function transition(
    id: string,
    to: PeerFeedbackState,
    from: PeerFeedbackState[],
    actor: Actor,
    facts: PeerArtefactFacts,
    action: string,
    ip: string | undefined,
  ): Promise<void> {
    await db.transaction().execute(async (trx) => {
      const updated = await peerDb(trx)
        .updateTable('peerFeedback')
        .set({ state: to, moderatedAt: sql`now()`, moderatedBy: actor.id })
        .where('id', '=', id)
        .where('state', 'in', from)
        .returning(['star1', 'star2', 'wish', 'state'])
        .executeTakeFirst();
      if (!updated) throw new Conflict('The message has already been moderated; reload to see its state.');
      await recordAudit(trx, {
        actorId: actor.id,
        action,
        subjectType: 'peerFeedback',
        subjectId: id,
        subjectUserId: facts.row.ownerId,
        details: { artefactId: facts.row.id, to },
        ip: ip ?? null,
      });
    });
  }
}
export type PeerFeedbackService = ReturnType<typeof peerFeedbackService>;
