import type { RequestHandler } from 'express';
import { z } from 'zod';
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
import { uploadedVoice } from '../../media/voice.ts';
import type { FeedbackService } from './feedback.service.ts';

// For the OpenAPI document: what the voice message's multipart form carries.
const multipartVoice = z.object({
  data: z.string().describe('JSON of the message fields (body may be empty, parentId, goalIds, revise, anchor), sent before the file'),
  audio: z.string().meta({ format: 'binary' }).describe('The recording (WebM, Ogg, MP3, M4A, WAV …)'),
});

/** `voiceUpload`: the upload step of the voice route (sign-in and `feedback.create` checked before the body is read). */
export function feedbackRoutes(feedback: FeedbackService, voiceUpload: RequestHandler): AnyRoute[] {
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
    // --- Voice and anchored feedback (issue 10, section 3) ---
    route({
      method: 'post',
      path: '/api/artefacts/:artefactId/feedback/voice',
      tag,
      auth: 'user',
      status: 201,
      before: [voiceUpload],
      summary: 'Write a voice message (multipart `data` + `audio`): stored and stripped like other audio, the text may be empty',
      multipartDoc: multipartVoice,
      params: artefactParamsSchema,
      response: feedbackSchema,
      handler: ({ actor, params, req }) =>
        feedback.createVoice(actor, params.artefactId, (req.body as { data?: unknown } | undefined)?.data, uploadedVoice(req), req.ip),
    }),
    route({
      method: 'get',
      path: '/api/artefacts/:artefactId/feedback/:feedbackId/voice',
      tag,
      auth: 'user',
      summary: 'The recording of a voice message: after the policy check, a redirect to a short-lived signed URL',
      params: feedbackParamsSchema,
      handler: async ({ actor, params, res }) => {
        const url = await feedback.voiceUrl(actor, params.artefactId, params.feedbackId);
        res.setHeader('Cache-Control', 'private, max-age=60');
        res.redirect(302, url);
      },
    }),
  ];
}
