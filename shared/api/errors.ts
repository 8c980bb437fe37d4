import { z } from 'zod';

/** Stable error codes: the client maps these to messages in the user's language. */
export const ERROR_CODES = [
  'bad_request',
  'malformed_json',
  'validation_failed',
  'unauthenticated',
  'invalid_credentials',
  'forbidden',
  'cross_site_request',
  'not_found',
  'conflict',
  'payload_too_large',
  'unsupported_media_type',
  'too_many_requests',
  'import_rejected',
  'not_ready',
  'service_unavailable',
  'wrong_origin',
  'internal_error',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const errorIssueSchema = z.object({ path: z.string(), message: z.string() });
export type ErrorIssue = z.infer<typeof errorIssueSchema>;

export const errorResponseSchema = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    details: z.array(errorIssueSchema).optional(),
    /** A finer, stable reason for some codes (import_rejected: why the archive was refused, e.g. `zip-bomb`). */
    reason: z.string().optional(),
    /** What a message for `reason` interpolates (import_rejected: file names, limits in bytes). */
    reasonParams: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  }),
});
export type ErrorResponse = z.infer<typeof errorResponseSchema>;
