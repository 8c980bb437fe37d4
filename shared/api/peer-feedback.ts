import { z } from 'zod';
import { ARTEFACT_KINDS, MEDIA_VARIANTS } from '../portfolio.ts';
import { idSchema, importedPersonSchema, isoDateTime, proseText } from './common.ts';
import { linkSchema, mediaSchema } from './artefacts.ts';

/** Issue 10 §5: peer feedback in a project. See README, "Peer feedback". */
export const PEER_MODERATIONS = ['shown', 'held'] as const;
export type PeerModeration = (typeof PEER_MODERATIONS)[number];
export const PEER_FEEDBACK_STATES = ['held', 'shown', 'reported', 'hidden'] as const;
export type PeerFeedbackState = (typeof PEER_FEEDBACK_STATES)[number];

export const projectPeerParamsSchema = z.object({ projectId: idSchema });
export const peerFeedbackParamsSchema = z.object({ peerFeedbackId: idSchema });

/** A project's setting: peer feedback allowed or not, and how it is moderated. */
export const peerSettingsSchema = z.object({ enabled: z.boolean(), moderation: z.enum(PEER_MODERATIONS) });
export type PeerSettings = z.infer<typeof peerSettingsSchema>;
export const updatePeerSettingsRequestSchema = peerSettingsSchema.strict();

export const peerSharingRequestSchema = z.object({ shared: z.boolean() }).strict();

/** A classmate as peers and teachers see them: a name only (never shown to guardians). */
export const peerPersonSchema = z.object({ id: idSchema, displayName: z.string() });

/** A piece of work shared with the project's pupils, as a classmate sees it: the current version's content only. */
export const peerWorkSchema = z.object({
  id: idSchema,
  owner: peerPersonSchema,
  projectId: idSchema,
  kind: z.enum(ARTEFACT_KINDS),
  title: z.string(),
  bodyHtml: z.string(),
  links: z.array(linkSchema),
  media: z.array(mediaSchema),
  sharedAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type PeerWork = z.infer<typeof peerWorkSchema>;

export const peerWorkItemSchema = peerWorkSchema.pick({ id: true, owner: true, kind: true, title: true, sharedAt: true, updatedAt: true });
export const projectPeerWorkSchema = z.object({
  settings: peerSettingsSchema,
  /** May the viewer change the settings and moderate (a teacher of the project). */
  canModerate: z.boolean(),
  items: z.array(peerWorkItemSchema),
});
export type ProjectPeerWork = z.infer<typeof projectPeerWorkSchema>;

export const peerFeedbackSchema = z.object({
  id: idSchema,
  artefactId: idSchema,
  /** The classmate who wrote it; null for a removed account or an imported message (then importedAuthor). */
  author: peerPersonSchema.nullable(),
  importedAuthor: importedPersonSchema.nullable(),
  star1: z.string(),
  star2: z.string(),
  wish: z.string(),
  state: z.enum(PEER_FEEDBACK_STATES),
  createdAt: isoDateTime,
});
export type PeerFeedback = z.infer<typeof peerFeedbackSchema>;

export const createPeerFeedbackRequestSchema = z.object({ star1: proseText(500), star2: proseText(500), wish: proseText(500) }).strict();
export type CreatePeerFeedbackRequest = z.infer<typeof createPeerFeedbackRequestSchema>;

export const moderatePeerFeedbackRequestSchema = z.object({ action: z.enum(['approve', 'hide']) }).strict();

/** The peer side of one artefact for the viewer: what they may do, and the messages they may see. */
export const artefactPeerFeedbackSchema = z.object({
  /** Does the project allow peer feedback, and is the work shared with its pupils. */
  allowed: z.boolean(),
  shared: z.boolean(),
  moderation: z.enum(PEER_MODERATIONS).nullable(),
  canShare: z.boolean(),
  canGive: z.boolean(),
  canReport: z.boolean(),
  canModerate: z.boolean(),
  items: z.array(peerFeedbackSchema),
});
export type ArtefactPeerFeedback = z.infer<typeof artefactPeerFeedbackSchema>;

/** A teacher's list: held and reported messages in the project, with the work they are about. */
export const peerModerationItemSchema = peerFeedbackSchema.extend({ artefactTitle: z.string(), owner: peerPersonSchema });
export const peerModerationListSchema = z.object({ items: z.array(peerModerationItemSchema) });
export type PeerModerationItem = z.infer<typeof peerModerationItemSchema>;

export const peerMediaParamsSchema = z.object({ artefactId: idSchema, mediaId: idSchema, variant: z.enum(MEDIA_VARIANTS) });

/** One classmate's messages on one piece of work, at most (a flood would make the owner's page and the moderation list read without end). */
export const MAX_PEER_FEEDBACK_PER_AUTHOR = 10;
