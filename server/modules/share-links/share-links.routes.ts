import {
  createdShareLinkSchema,
  createShareLinkRequestSchema,
  shareLinkListQuerySchema,
  shareLinkListSchema,
  shareLinkParamsSchema,
  shareLinkSchema,
} from '../../../shared/api/share-links.ts';
import { route, type AnyRoute } from '../../http/route.ts';
import type { ShareLinksService } from './share-links.service.ts';

/** Issue 12 §4: secret links of an artefact or a showcase, made, listed and revoked in the app (the page itself is /s/<token>). */
export function shareLinkRoutes(links: ShareLinksService): AnyRoute[] {
  const tag = 'Secret links';
  return [
    route({
      method: 'get',
      path: '/api/share-links',
      tag,
      auth: 'user',
      summary: "An artefact's or a showcase's secret links you may manage, and whether you may make one",
      query: shareLinkListQuerySchema,
      response: shareLinkListSchema,
      handler: ({ actor, query }) => links.list(actor, { type: query.subjectType, id: query.subjectId }),
    }),
    route({
      method: 'post',
      path: '/api/share-links',
      tag,
      auth: 'user',
      status: 201,
      summary: 'Make a read-only secret link; its address is in this answer only (the server keeps a hash)',
      body: createShareLinkRequestSchema,
      response: createdShareLinkSchema,
      handler: ({ actor, body, req }) => links.create(actor, body, req.ip),
    }),
    route({
      method: 'post',
      path: '/api/share-links/:linkId/revoke',
      tag,
      auth: 'user',
      summary: 'Revoke a secret link at once',
      params: shareLinkParamsSchema,
      response: shareLinkSchema,
      handler: ({ actor, params, req }) => links.revoke(actor, params.linkId, req.ip),
    }),
  ];
}
