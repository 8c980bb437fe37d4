import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import { pupilParamsSchema } from '../../../shared/api/artefacts.ts';
import { okSchema } from '../../../shared/api/common.ts';
import {
  createExportRequestSchema,
  createImportRequestSchema,
  exportJobListSchema,
  exportJobSchema,
  exportParamsSchema,
  importJobSchema,
  importParamsSchema,
} from '../../../shared/api/portability.ts';
import { BadRequest, issuesFromZod, ValidationFailed } from '../../http/errors.ts';
import { uploadMiddleware, type UploadOptions } from '../../media/upload.ts';
import { route, type AnyRoute } from '../../http/route.ts';
import type { PortabilityService, UploadedArchive } from './portability.service.ts';

/**
 * The signed URL only has to reach the browser, which follows the redirect at once; a download that
 * has started goes on after it expires. Every new download comes back here and is authorised again.
 */
const DOWNLOAD_URL_SECONDS = 60;

const multipartImport = z.object({
  data: z
    .string()
    .describe(
      'JSON of CreateImportRequest: `{ "target": { "kind": "existing", "pupilId" } | { "kind": "new", "schoolId", "username"?, "displayName"?, "groupId"? } }` (groupId: a group of that school the new pupil joins)',
    ),
  file: z.string().meta({ format: 'binary' }).describe('A Polku export (ZIP) or a LEAP2A export (ZIP, or a bare leap2a.xml)'),
});

function importRequest(req: Request): { target: z.output<typeof createImportRequestSchema>['target']; file: UploadedArchive } {
  const files = req.files;
  const file = (Array.isArray(files) ? files : Object.values(files ?? {}).flat())[0];
  if (!file) throw new BadRequest('Choose a file to import.', [{ path: 'body.file', message: 'is required' }]);
  const target = importTarget((req.body as { data?: unknown } | undefined)?.data);
  return { target, file: { path: file.path, originalname: file.originalname, size: file.size } };
}

/**
 * Archives can be large: before any byte lands on disk the sender must be signed in (the upload step)
 * and the target named in `data` (sent before `file`) must be theirs to import into; a form without
 * it is refused before the file too. The service checks the target again when it takes the upload.
 */
export function importUpload(options: Omit<UploadOptions, 'authorize' | 'authorizeFields'>, portability: Pick<PortabilityService, 'authorizeTarget'>) {
  return uploadMiddleware({
    ...options,
    // Who may import depends on the target, which only the form names.
    authorize: () => undefined,
    // Until the target is checked, read no more than the one small `data` field it is named in.
    fieldLimits: { fields: 1, fieldSize: 16 * 1024 },
    authorizeFields: async (actor, fields) => {
      await portability.authorizeTarget(actor, importTarget(fields.data));
    },
  });
}

function importTarget(data: unknown): z.output<typeof createImportRequestSchema>['target'] {
  let raw: unknown;
  try {
    raw = typeof data === 'string' ? JSON.parse(data) : undefined;
  } catch {
    throw new ValidationFailed([{ path: 'body.data', message: 'must be JSON' }]);
  }
  const parsed = createImportRequestSchema.safeParse(raw);
  if (!parsed.success) throw new ValidationFailed(issuesFromZod(parsed.error, 'body.data'));
  return parsed.data.target;
}

export interface PortabilityRouteDeps {
  portability: PortabilityService;
  /** The upload step (importUpload): the one archive in field `file`, with the import size limit (413 above it). */
  upload: RequestHandler;
}

export function portabilityRoutes({ portability, upload }: PortabilityRouteDeps): AnyRoute[] {
  const tag = 'Export and import';
  return [
    route({
      method: 'post',
      path: '/api/pupils/:pupilId/exports',
      tag,
      auth: 'user',
      status: 202,
      summary:
        "Start exporting a pupil's portfolio as a background job (the pupil, their group teachers and school admins: all of it; a guardian: what was shared). Progress arrives as `export.progress` events",
      params: pupilParamsSchema,
      body: createExportRequestSchema,
      response: exportJobSchema,
      handler: ({ actor, params, body, req }) => portability.startExport(actor, params.pupilId, body, req.ip),
    }),
    route({
      method: 'get',
      path: '/api/pupils/:pupilId/exports',
      tag,
      auth: 'user',
      summary: "Recent exports of a pupil's portfolio that the viewer asked for (an admin: all), newest first",
      params: pupilParamsSchema,
      response: exportJobListSchema,
      handler: ({ actor, params }) => portability.listExports(actor, params.pupilId),
    }),
    route({
      method: 'get',
      path: '/api/exports/:exportId',
      tag,
      auth: 'user',
      summary: 'An export job: status, progress, and the download address when done',
      params: exportParamsSchema,
      response: exportJobSchema,
      handler: ({ actor, params }) => portability.getExport(actor, params.exportId),
    }),
    route({
      method: 'get',
      path: '/api/exports/:exportId/download',
      tag,
      auth: 'user',
      summary: 'The finished archive: after the policy check, a redirect to a short-lived signed URL (local store: served with Range support; S3: the bucket)',
      params: exportParamsSchema,
      handler: async ({ actor, params, res }) => {
        const url = await portability.downloadUrl(actor, params.exportId, DOWNLOAD_URL_SECONDS);
        res.setHeader('Cache-Control', 'private, no-store');
        res.redirect(302, url);
      },
    }),
    route({
      method: 'post',
      path: '/api/imports',
      tag,
      auth: 'user',
      status: 201,
      before: [upload],
      summary: 'Upload an archive to import (multipart `file` and `data`): it is checked and previewed, and waits for POST /api/imports/:id/apply',
      multipartDoc: multipartImport,
      response: importJobSchema,
      handler: ({ actor, req }) => {
        const { target, file } = importRequest(req);
        return portability.createImport(actor, target, file);
      },
    }),
    route({
      method: 'get',
      path: '/api/imports/:importId',
      tag,
      auth: 'user',
      summary: 'An import: its preview, progress while applied, and the report at the end',
      params: importParamsSchema,
      response: importJobSchema,
      handler: ({ actor, params }) => portability.getImport(actor, params.importId),
    }),
    route({
      method: 'post',
      path: '/api/imports/:importId/apply',
      tag,
      auth: 'user',
      status: 202,
      summary: 'Apply a previewed import as a background job; progress arrives as `import.progress` events, the report with `import.finished`',
      params: importParamsSchema,
      response: importJobSchema,
      handler: ({ actor, params }) => portability.applyImport(actor, params.importId),
    }),
    route({
      method: 'delete',
      path: '/api/imports/:importId',
      tag,
      auth: 'user',
      summary: 'Discard an import that is not being applied (its upload is deleted)',
      params: importParamsSchema,
      response: okSchema,
      handler: async ({ actor, params }) => {
        await portability.discardImport(actor, params.importId);
        return { ok: true as const };
      },
    }),
  ];
}
