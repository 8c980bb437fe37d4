import { artefactParamsSchema } from '../../../shared/api/artefacts.ts';
import {
  artefactPeerFeedbackSchema,
  createPeerFeedbackRequestSchema,
  moderatePeerFeedbackRequestSchema,
  peerFeedbackParamsSchema,
  peerFeedbackSchema,
  peerMediaParamsSchema,
  peerModerationListSchema,
  peerSettingsSchema,
  peerSharingRequestSchema,
  peerWorkSchema,
  projectPeerParamsSchema,
  projectPeerWorkSchema,
  updatePeerSettingsRequestSchema,
} from '../../../shared/api/peer-feedback.ts';
import { route, type AnyRoute } from '../../http/route.ts';
import type { PeerFeedbackService } from './peer-feedback.service.ts';

/** Issue 10 §5: peer feedback ("two stars and a wish") and sharing work with the project's pupils. */
export function peerFeedbackRoutes(peer: PeerFeedbackService): AnyRoute[] {
  const tag = 'Peer feedback';
  return [
    route({
      method: 'get',
      path: '/api/projects/:projectId/peer-work',
      tag,
      auth: 'user',
      summary: "The project's peer-feedback setting and the work its pupils shared with each other",
      params: projectPeerParamsSchema,
      response: projectPeerWorkSchema,
      handler: ({ actor, params }) => peer.projectWork(actor, params.projectId),
    }),
    route({
      method: 'put',
      path: '/api/projects/:projectId/peer-settings',
      tag,
      auth: 'user',
      summary: 'Allow or stop peer feedback in a project, and choose its moderation (its teachers)',
      params: projectPeerParamsSchema,
      body: updatePeerSettingsRequestSchema,
      response: peerSettingsSchema,
      handler: ({ actor, params, body, req }) => peer.updateSettings(actor, params.projectId, body, req.ip),
    }),
    route({
      method: 'get',
      path: '/api/projects/:projectId/peer-moderation',
      tag,
      auth: 'user',
      summary: 'Held and reported peer messages of a project (its teachers)',
      params: projectPeerParamsSchema,
      response: peerModerationListSchema,
      handler: ({ actor, params }) => peer.moderationList(actor, params.projectId),
    }),
    route({
      method: 'put',
      path: '/api/artefacts/:artefactId/peer-sharing',
      tag,
      auth: 'user',
      summary: "Share your work with the project's pupils, or stop sharing it",
      params: artefactParamsSchema,
      body: peerSharingRequestSchema,
      response: artefactPeerFeedbackSchema,
      handler: ({ actor, params, body, req }) => peer.setSharing(actor, params.artefactId, body.shared, req.ip),
    }),
    route({
      method: 'get',
      path: '/api/artefacts/:artefactId/peer-work',
      tag,
      auth: 'user',
      summary: 'Work shared with the project, as a classmate sees it (read-only, the current version only)',
      params: artefactParamsSchema,
      response: peerWorkSchema,
      handler: ({ actor, params }) => peer.work(actor, params.artefactId),
    }),
    route({
      method: 'get',
      path: '/api/artefacts/:artefactId/peer-work/media/:mediaId/:variant',
      tag,
      auth: 'user',
      summary: 'A file of shared work: after the policy check, a redirect to a short-lived signed URL',
      params: peerMediaParamsSchema,
      handler: async ({ actor, params, res }) => {
        const url = await peer.mediaUrl(actor, params.artefactId, params.mediaId, params.variant);
        res.setHeader('Cache-Control', 'private, max-age=60');
        res.redirect(302, url);
      },
    }),
    route({
      method: 'get',
      path: '/api/artefacts/:artefactId/peer-feedback',
      tag,
      auth: 'user',
      summary: 'The peer messages on a piece of work the viewer may see, and what they may do',
      params: artefactParamsSchema,
      response: artefactPeerFeedbackSchema,
      handler: ({ actor, params }) => peer.forArtefact(actor, params.artefactId),
    }),
    route({
      method: 'post',
      path: '/api/artefacts/:artefactId/peer-feedback',
      tag,
      auth: 'user',
      status: 201,
      summary: 'Give two stars and a wish on work a classmate shared with the project',
      params: artefactParamsSchema,
      body: createPeerFeedbackRequestSchema,
      response: peerFeedbackSchema,
      handler: ({ actor, params, body, req }) => peer.create(actor, params.artefactId, body, req.ip),
    }),
    route({
      method: 'post',
      path: '/api/peer-feedback/:peerFeedbackId/report',
      tag,
      auth: 'user',
      summary: 'Report a peer message on your work: it is hidden until a teacher looks at it',
      params: peerFeedbackParamsSchema,
      response: peerFeedbackSchema,
      handler: ({ actor, params, req }) => peer.report(actor, params.peerFeedbackId, req.ip),
    }),
    route({
      method: 'post',
      path: '/api/peer-feedback/:peerFeedbackId/moderation',
      tag,
      auth: 'user',
      summary: "Approve or hide a peer message (the project's teachers)",
      params: peerFeedbackParamsSchema,
      body: moderatePeerFeedbackRequestSchema,
      response: peerFeedbackSchema,
      handler: ({ actor, params, body, req }) => peer.moderate(actor, params.peerFeedbackId, body.action, req.ip),
    }),
  ];
}
