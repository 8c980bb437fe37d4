import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import { okSchema } from '../../../shared/api/common.ts';
import { rosterImportParamsSchema, rosterImportSchema, rosterSchoolParamsSchema } from '../../../shared/api/rosters.ts';
import { BadRequest, issuesFromZod, ValidationFailed } from '../../http/errors.ts';
import { route, type AnyRoute } from '../../http/route.ts';
import { uploadMiddleware, type UploadOptions } from '../../media/upload.ts';
import type { RostersService } from './rosters.service.ts';

const multipartRoster = z.object({
  file: z.string().meta({ format: 'binary' }).describe('A roster ZIP: OneRoster 1.2 CSV or Microsoft School Data Sync v2.1 CSV'),
});

/** The roster upload: the sender must be an admin of the school in the path before a byte of the body is read. */
export function rosterUpload(options: Omit<UploadOptions, 'authorize'>, rosters: Pick<RostersService, 'authorizeSchool'>): RequestHandler {
  return uploadMiddleware({
    ...options,
    fieldLimits: { fields: 0, fieldSize: 1 },
    authorize: async (actor, req: Request) => {
      const parsed = rosterSchoolParamsSchema.safeParse(req.params);
      if (!parsed.success) throw new ValidationFailed(issuesFromZod(parsed.error, 'params'));
      await rosters.authorizeSchool(actor, parsed.data.schoolId);
    },
  });
}

export function rosterRoutes({ rosters, upload }: { rosters: RostersService; upload: RequestHandler }): AnyRoute[] {
  const tag = 'Rosters';
  return [
    route({
      method: 'post',
      path: '/api/schools/:schoolId/roster-imports',
      tag,
      auth: 'user',
      status: 201,
      before: [upload],
      params: rosterSchoolParamsSchema,
      summary:
        "Upload a school's roster (multipart `file`; admins of the school): it is read and previewed as a diff, and waits for POST /api/roster-imports/:id/apply",
      multipartDoc: multipartRoster,
      response: rosterImportSchema,
      handler: ({ actor, params, req }) => {
        const files = req.files;
        const file = (Array.isArray(files) ? files : Object.values(files ?? {}).flat())[0];
        if (!file) throw new BadRequest('Choose a roster file to upload.', [{ path: 'body.file', message: 'is required' }]);
        return rosters.create(actor, params.schoolId, { path: file.path, originalname: file.originalname });
      },
    }),
    route({
      method: 'get',
      path: '/api/roster-imports/:rosterImportId',
      tag,
      auth: 'user',
      summary: 'A roster import: its preview, progress while applied, and the report at the end',
      params: rosterImportParamsSchema,
      response: rosterImportSchema,
      handler: ({ actor, params }) => rosters.get(actor, params.rosterImportId),
    }),
    route({
      method: 'post',
      path: '/api/roster-imports/:rosterImportId/apply',
      tag,
      auth: 'user',
      status: 202,
      summary: 'Apply a previewed roster in the background (all or nothing); progress arrives as `roster.progress` events, the report with `roster.finished`',
      params: rosterImportParamsSchema,
      response: rosterImportSchema,
      handler: ({ actor, params }) => rosters.apply(actor, params.rosterImportId),
    }),
    route({
      method: 'delete',
      path: '/api/roster-imports/:rosterImportId',
      tag,
      auth: 'user',
      summary: 'Discard a roster import that is not being applied',
      params: rosterImportParamsSchema,
      response: okSchema,
      handler: async ({ actor, params }) => {
        await rosters.discard(actor, params.rosterImportId);
        return { ok: true as const };
      },
    }),
  ];
}
