import type { ZodType } from 'zod';
import { artefactParamsSchema } from '../../../shared/api/artefacts.ts';
import { okSchema } from '../../../shared/api/common.ts';
import {
  createGuardianCommentRequestSchema,
  guardianCommentParamsSchema,
  guardianCommentSchema,
  guardianModerationListSchema,
  guardianVoiceSchema,
  moderateGuardianCommentRequestSchema,
  setGuardianReactionRequestSchema,
  type GuardianSubject,
} from '../../../shared/api/guardian-voice.ts';
import { showcaseParamsSchema } from '../../../shared/api/showcases.ts';
import { route, type AnyRoute } from '../../http/route.ts';
import type { GuardianVoiceService } from './guardian-voice.service.ts';

/** Issue 12 §2: guardians' reactions and comments on what their child shared with them, and their moderation. */
export function guardianVoiceRoutes(voice: GuardianVoiceService): AnyRoute[] {
  const tag = 'Guardian voice';
  return [
    // The same three routes on each kind of item (issue 12 §3 added showcases): one service, the subject decides.
    ...itemRoutes(voice, '/api/artefacts/:artefactId', artefactParamsSchema, (p) => ({ type: 'artefact', id: p.artefactId }), 'item'),
    ...itemRoutes(voice, '/api/showcases/:showcaseId', showcaseParamsSchema, (p) => ({ type: 'showcase', id: p.showcaseId }), 'showcase'),
    route({
      method: 'delete',
      path: '/api/guardian-comments/:commentId',
      tag,
      auth: 'user',
      summary: 'Delete your own guardian comment',
      params: guardianCommentParamsSchema,
      response: okSchema,
      handler: async ({ actor, params, req }) => {
        await voice.deleteComment(actor, params.commentId, req.ip);
        return { ok: true as const };
      },
    }),
    route({
      method: 'post',
      path: '/api/guardian-comments/:commentId/report',
      tag,
      auth: 'user',
      summary: 'Report a guardian comment on your work: it is hidden until a teacher looks at it',
      params: guardianCommentParamsSchema,
      response: guardianCommentSchema,
      handler: ({ actor, params, req }) => voice.report(actor, params.commentId, req.ip),
    }),
    route({
      method: 'post',
      path: '/api/guardian-comments/:commentId/moderation',
      tag,
      auth: 'user',
      summary: "Approve or hide a guardian comment (the pupil's teachers)",
      params: guardianCommentParamsSchema,
      body: moderateGuardianCommentRequestSchema,
      response: guardianCommentSchema,
      handler: ({ actor, params, body, req }) => voice.moderate(actor, params.commentId, body.action, req.ip),
    }),
    route({
      method: 'get',
      path: '/api/guardian-comments/moderation',
      tag,
      auth: 'user',
      summary: 'Held and reported guardian comments on the work of the pupils you teach (teachers)',
      response: guardianModerationListSchema,
      handler: ({ actor }) => voice.moderationList(actor),
    }),
  ];
}

function itemRoutes<P>(
  voice: GuardianVoiceService,
  prefix: string,
  params: ZodType<P>,
  subjectOf: (params: P) => GuardianSubject,
  noun: 'item' | 'showcase',
): AnyRoute[] {
  const tag = 'Guardian voice';
  return [
    route({
      method: 'get',
      path: `${prefix}/guardian-voice`,
      tag,
      auth: 'user',
      summary: `Guardians' reactions and the comments the viewer may see on ${noun === 'item' ? 'an item' : 'a showcase'}, and what they may do`,
      params,
      response: guardianVoiceSchema,
      handler: ({ actor, params }) => voice.voice(actor, subjectOf(params)),
    }),
    route({
      method: 'put',
      path: `${prefix}/guardian-reactions`,
      tag,
      auth: 'user',
      summary: `Give or take back a reaction on your child's shared ${noun} (guardians)`,
      params,
      body: setGuardianReactionRequestSchema,
      response: guardianVoiceSchema,
      handler: ({ actor, params, body, req }) => voice.setReaction(actor, subjectOf(params), body, req.ip),
    }),
    route({
      method: 'post',
      path: `${prefix}/guardian-comments`,
      tag,
      auth: 'user',
      status: 201,
      summary: `Comment on your child's shared ${noun} (guardians; as the school's setting allows, perhaps held for a teacher)`,
      params,
      body: createGuardianCommentRequestSchema,
      response: guardianCommentSchema,
      handler: ({ actor, params, body, req }) => voice.createComment(actor, subjectOf(params), body, req.ip),
    }),
  ];
}
