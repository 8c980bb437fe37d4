import { okSchema } from '../../../shared/api/common.ts';
import { artefactParamsSchema } from '../../../shared/api/artefacts.ts';
import {
  createFeedbackRequestSchema,
  feedbackParamsSchema,
  feedbackSchema,
  feedbackThreadSchema,
  updateFeedbackRequestSchema,
} from '../../../shared/api/feedback.ts';
import { route, type AnyRoute } from '../../http/route.ts';
import type { FeedbackService } from './feedback.service.ts';

export function feedbackRoutes(feedback: FeedbackService): AnyRoute[] {
  const tag = 'Feedback';
  return [
    route({
      method: 'get',
      path: '/api/artefacts/:artefactId/feedback',
      tag,
      auth: 'user',
      summary: "An artefact's feedback thread, oldest first, with the viewer's unread count",
      params: artefactParamsSchema,
      response: feedbackThreadSchema,
      handler: ({ actor, params }) => feedback.thread(actor, params.artefactId),
    }),
    route({
      method: 'post',
      path: '/api/artefacts/:artefactId/feedback',
      tag,
      auth: 'user',
      status: 201,
      summary: "Write feedback or a reply (the pupil and the pupil's teachers)",
      params: artefactParamsSchema,
      body: createFeedbackRequestSchema,
      response: feedbackSchema,
      handler: ({ actor, params, body, req }) => feedback.create(actor, params.artefactId, body, req.ip),
    }),
    route({
      method: 'patch',
      path: '/api/artefacts/:artefactId/feedback/:feedbackId',
      tag,
      auth: 'user',
      summary: 'Edit your own feedback for a while after writing it',
      params: feedbackParamsSchema,
      body: updateFeedbackRequestSchema,
      response: feedbackSchema,
      handler: ({ actor, params, body, req }) => feedback.update(actor, params.artefactId, params.feedbackId, body.body, req.ip),
    }),
    route({
      method: 'delete',
      path: '/api/artefacts/:artefactId/feedback/:feedbackId',
      tag,
      auth: 'user',
      summary: 'Delete your own feedback',
      params: feedbackParamsSchema,
      response: okSchema,
      handler: async ({ actor, params, req }) => {
        await feedback.remove(actor, params.artefactId, params.feedbackId, req.ip);
        return { ok: true as const };
      },
    }),
    route({
      method: 'post',
      path: '/api/artefacts/:artefactId/feedback/read',
      tag,
      auth: 'user',
      summary: 'Mark the thread read up to now',
      params: artefactParamsSchema,
      response: okSchema,
      handler: async ({ actor, params }) => {
        await feedback.read(actor, params.artefactId);
        return { ok: true as const };
      },
    }),
  ];
}
