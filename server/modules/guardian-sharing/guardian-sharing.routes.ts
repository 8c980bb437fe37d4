import { artefactParamsSchema } from '../../../shared/api/artefacts.ts';
import {
  approvalQueueQuerySchema,
  approvalQueueSchema,
  approveRequestSchema,
  approveShowcaseRequestSchema,
  returnShowcaseRequestSchema,
  showcaseApprovalSchema,
  artefactSharingSchema,
  returnRequestSchema,
  updateArtefactSharingRequestSchema,
} from '../../../shared/api/guardian-sharing.ts';
import { schoolGuardianSharingSchema, schoolParamsSchema, updateSchoolGuardianSharingRequestSchema } from '../../../shared/api/org.ts';
import { showcaseParamsSchema } from '../../../shared/api/showcases.ts';
import { route, type AnyRoute } from '../../http/route.ts';
import type { GuardianSharingService } from './guardian-sharing.service.ts';

/** Issue 12 §1: teacher approval before guardians see (per school). */
export function guardianSharingRoutes(sharing: GuardianSharingService): AnyRoute[] {
  const tag = 'Guardian sharing';
  return [
    route({
      method: 'get',
      path: '/api/schools/:schoolId/guardian-sharing',
      tag,
      auth: 'user',
      summary: "The school's rule for sharing with guardians: direct, or after a teacher's approval",
      params: schoolParamsSchema,
      response: schoolGuardianSharingSchema,
      handler: ({ actor, params }) => sharing.schoolSetting(actor, params.schoolId),
    }),
    route({
      method: 'put',
      path: '/api/schools/:schoolId/guardian-sharing',
      tag,
      auth: 'user',
      summary: "Set the school's rule for sharing with guardians (its admins)",
      params: schoolParamsSchema,
      body: updateSchoolGuardianSharingRequestSchema,
      response: schoolGuardianSharingSchema,
      handler: ({ actor, params, body, req }) => sharing.setSchoolSetting(actor, params.schoolId, body.guardianSharing, req.ip),
    }),
    route({
      method: 'get',
      path: '/api/guardian-approvals',
      tag,
      auth: 'user',
      summary: "Work your pupils shared with guardians that waits for your approval, oldest first (one group's with groupId)",
      query: approvalQueueQuerySchema,
      response: approvalQueueSchema,
      handler: ({ actor, query }) => sharing.queue(actor, query),
    }),
    route({
      method: 'post',
      path: '/api/artefacts/:artefactId/guardian-approval/approve',
      tag,
      auth: 'user',
      summary: "Approve the version you looked at: the pupil's guardians see it (the pupil's teachers)",
      params: artefactParamsSchema,
      body: approveRequestSchema,
      response: artefactSharingSchema,
      handler: ({ actor, params, body, req }) => sharing.approve(actor, params.artefactId, body, req.ip),
    }),
    route({
      method: 'post',
      path: '/api/artefacts/:artefactId/guardian-approval/return',
      tag,
      auth: 'user',
      summary: "Return the work to the pupil with a note; guardians do not see this version (the pupil's teachers)",
      params: artefactParamsSchema,
      body: returnRequestSchema,
      response: artefactSharingSchema,
      handler: ({ actor, params, body, req }) => sharing.return(actor, params.artefactId, body, req.ip),
    }),
    route({
      method: 'post',
      path: '/api/showcases/:showcaseId/guardian-approval/approve',
      tag,
      auth: 'user',
      summary: "Approve the showcase's content you looked at (its fingerprint): the pupil's guardians see it while it stays so (the pupil's teachers)",
      params: showcaseParamsSchema,
      body: approveShowcaseRequestSchema,
      response: showcaseApprovalSchema,
      handler: ({ actor, params, body, req }) => sharing.approveShowcase(actor, params.showcaseId, body, req.ip),
    }),
    route({
      method: 'post',
      path: '/api/showcases/:showcaseId/guardian-approval/return',
      tag,
      auth: 'user',
      summary: "Return the showcase to the pupil with a note; guardians do not see it (the pupil's teachers)",
      params: showcaseParamsSchema,
      body: returnShowcaseRequestSchema,
      response: showcaseApprovalSchema,
      handler: ({ actor, params, body, req }) => sharing.returnShowcase(actor, params.showcaseId, body, req.ip),
    }),
    route({
      method: 'get',
      path: '/api/artefacts/:artefactId/guardian-sharing',
      tag,
      auth: 'user',
      summary: 'How the work is shared with guardians: waiting, approved or returned (with the note), and the history choice',
      params: artefactParamsSchema,
      response: artefactSharingSchema,
      handler: ({ actor, params }) => sharing.state(actor, params.artefactId),
    }),
    route({
      method: 'put',
      path: '/api/artefacts/:artefactId/guardian-sharing',
      tag,
      auth: 'user',
      summary: 'Share the earlier versions and feedback with guardians too, or not (the pupil)',
      params: artefactParamsSchema,
      body: updateArtefactSharingRequestSchema,
      response: artefactSharingSchema,
      handler: ({ actor, params, body, req }) => sharing.setShareHistory(actor, params.artefactId, body.shareHistory, req.ip),
    }),
  ];
}
