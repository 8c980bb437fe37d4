import type { Request } from 'express';
import { z } from 'zod';
import {
  artefactHistorySchema,
  artefactParamsSchema,
  artefactSchema,
  createArtefactRequestSchema,
  groupOverviewSchema,
  mediaParamsSchema,
  pupilParamsSchema,
  timelinePageSchema,
  timelineQuerySchema,
  updateArtefactRequestSchema,
  type UpdateArtefactRequest,
} from '../../../shared/api/artefacts.ts';
import { groupParamsSchema } from '../../../shared/api/org.ts';
import { pupilTagsSchema } from '../../../shared/api/tags.ts';
import { issuesFromZod, ValidationFailed } from '../../http/errors.ts';
import { route, type AnyRoute } from '../../http/route.ts';
import type { ArtefactUploads, UploadedFile } from './artefact-media.ts';
import type { ArtefactsService } from './artefacts.service.ts';
import type { overviewService } from './overview.service.ts';

// For the OpenAPI document: what the multipart forms carry.
const fileField = z.array(z.string().meta({ format: 'binary' })).describe('The files (images, audio, video, PDF, office documents)');
const multipartFiles = z.object({
  files: fileField,
  data: z.string().optional().describe('JSON of the fields edited in the same save (UpdateArtefactRequest)'),
});
const multipartArtefact = z.object({
  data: z.string().describe('JSON of the artefact fields (CreateArtefactRequest)'),
  files: fileField.optional(),
});

function uploadedFiles(req: Request): UploadedFile[] {
  const files = req.files;
  if (!files) return [];
  return Array.isArray(files) ? files : Object.values(files).flat();
}

/** Multipart requests carry the fields as one JSON string in `data`; JSON requests carry them as the body. */
function artefactFields(req: Request): z.output<typeof createArtefactRequestSchema> {
  let raw: unknown = req.body ?? {};
  if (req.is('multipart/form-data')) {
    const data = (req.body as { data?: unknown } | undefined)?.data;
    try {
      raw = typeof data === 'string' ? JSON.parse(data) : {};
    } catch {
      throw new ValidationFailed([{ path: 'body.data', message: 'must be JSON' }]);
    }
  }
  const parsed = createArtefactRequestSchema.safeParse(raw);
  if (!parsed.success) throw new ValidationFailed(issuesFromZod(parsed.error, 'body'));
  return parsed.data;
}

/** The fields a save with files edits too (issue 10 §4: one save, one version); none when `data` is absent. */
function editFields(req: Request): UpdateArtefactRequest {
  const data = (req.body as { data?: unknown } | undefined)?.data;
  if (data === undefined) return {};
  let raw: unknown;
  try {
    raw = typeof data === 'string' ? JSON.parse(data) : undefined;
  } catch {
    throw new ValidationFailed([{ path: 'body.data', message: 'must be JSON' }]);
  }
  const parsed = updateArtefactRequestSchema.safeParse(raw);
  if (!parsed.success) throw new ValidationFailed(issuesFromZod(parsed.error, 'body'));
  return parsed.data;
}

export interface ArtefactRouteDeps {
  artefacts: ArtefactsService;
  overview: ReturnType<typeof overviewService>;
  /** The upload step of each route with files (sign-in and target checked before the body is read). */
  upload: ArtefactUploads;
}

export function artefactRoutes({ artefacts, overview, upload }: ArtefactRouteDeps): AnyRoute[] {
  const tag = 'Artefacts';
  return [
    route({
      method: 'post',
      path: '/api/artefacts',
      tag,
      auth: 'user',
      status: 201,
      before: [upload.create],
      summary: "Add an artefact to the signed-in pupil's portfolio: multipart with `data` (JSON of the fields) and `files`, or plain JSON",
      multipartDoc: multipartArtefact,
      response: artefactSchema,
      handler: ({ actor, req }) => artefacts.create(actor, artefactFields(req), uploadedFiles(req), req.ip),
    }),
    route({
      method: 'get',
      path: '/api/artefacts/:artefactId',
      tag,
      auth: 'user',
      summary: 'One artefact with its media',
      params: artefactParamsSchema,
      response: artefactSchema,
      handler: ({ actor, params }) => artefacts.get(actor, params.artefactId),
    }),
    route({
      method: 'patch',
      path: '/api/artefacts/:artefactId',
      tag,
      auth: 'user',
      summary: 'Edit an artefact (its owner); the earlier version is kept',
      params: artefactParamsSchema,
      body: updateArtefactRequestSchema,
      response: artefactSchema,
      handler: ({ actor, params, body, req }) => artefacts.update(actor, params.artefactId, body, req.ip),
    }),
    route({
      method: 'delete',
      path: '/api/artefacts/:artefactId',
      tag,
      auth: 'user',
      summary: 'Delete an artefact (its owner); restorable for a short while',
      params: artefactParamsSchema,
      response: z.object({ ok: z.literal(true), restoreUntil: z.string() }),
      handler: ({ actor, params, req }) => artefacts.remove(actor, params.artefactId, req.ip),
    }),
    route({
      method: 'post',
      path: '/api/artefacts/:artefactId/restore',
      tag,
      auth: 'user',
      summary: 'Undo a deletion within the undo window',
      params: artefactParamsSchema,
      response: artefactSchema,
      handler: ({ actor, params, req }) => artefacts.restore(actor, params.artefactId, req.ip),
    }),
    route({
      method: 'post',
      path: '/api/artefacts/:artefactId/media',
      tag,
      auth: 'user',
      before: [upload.addMedia],
      summary:
        'Add files to an artefact (multipart `files`), optionally with the edit of its fields in `data` (JSON of UpdateArtefactRequest): one save, one version',
      multipartDoc: multipartFiles,
      params: artefactParamsSchema,
      response: artefactSchema,
      handler: ({ actor, params, req }) => artefacts.addMedia(actor, params.artefactId, uploadedFiles(req), req.ip, editFields(req)),
    }),
    route({
      method: 'get',
      path: '/api/artefacts/:artefactId/history',
      tag,
      auth: 'user',
      summary: "An artefact's earlier versions, newest first",
      params: artefactParamsSchema,
      response: artefactHistorySchema,
      handler: ({ actor, params }) => artefacts.history(actor, params.artefactId),
    }),
    route({
      method: 'get',
      path: '/api/pupils/:pupilId/artefacts',
      tag,
      auth: 'user',
      summary: "A pupil's portfolio, newest first (what the viewer may see), with cursor pagination and filters",
      params: pupilParamsSchema,
      query: timelineQuerySchema,
      response: timelinePageSchema,
      presented: true,
      handler: ({ actor, params, query }) => artefacts.timeline(actor, params.pupilId, query),
    }),
    route({
      method: 'get',
      path: '/api/pupils/:pupilId/tags',
      tag,
      auth: 'user',
      summary: "The tags of a pupil's artefacts that the viewer may see, most used first, with counts (the timeline's filter chips)",
      params: pupilParamsSchema,
      response: pupilTagsSchema,
      handler: ({ actor, params }) => artefacts.tags(actor, params.pupilId),
    }),
    route({
      method: 'get',
      path: '/api/groups/:groupId/overview',
      tag,
      auth: 'user',
      summary: "A group's pupils' activity and the queue of artefacts waiting for feedback (its teachers)",
      params: groupParamsSchema,
      response: groupOverviewSchema,
      handler: ({ actor, params }) => overview.forGroup(actor, params.groupId),
    }),
    route({
      method: 'get',
      path: '/api/media/:mediaId/:variant',
      tag,
      auth: 'user',
      summary: 'A media file: after the policy check, a redirect to a short-lived signed URL for exactly this file',
      params: mediaParamsSchema,
      handler: async ({ actor, params, res }) => {
        const url = await artefacts.mediaUrl(actor, params.mediaId, params.variant);
        res.setHeader('Cache-Control', 'private, max-age=60');
        res.redirect(302, url);
      },
    }),
  ];
}
