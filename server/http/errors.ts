import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import type { ErrorCode, ErrorIssue, ErrorResponse } from '../../shared/api/errors.ts';

/** A domain error with an HTTP status and a stable code; services throw these. */
export class HttpError extends Error {
  /** A finer, stable reason beside the code (see errorResponseSchema). */
  reason?: string;
  /** What a translated message for `reason` interpolates (see errorResponseSchema). */
  reasonParams?: Readonly<Record<string, string | number>>;
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorIssue[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequest extends HttpError {
  constructor(message: string, details?: ErrorIssue[]) {
    super(400, 'bad_request', message, details);
  }
}
export class ValidationFailed extends HttpError {
  constructor(details: ErrorIssue[]) {
    super(400, 'validation_failed', describeIssues(details), details);
  }
}
export class Unauthenticated extends HttpError {
  constructor(message = 'Please sign in first.') {
    super(401, 'unauthenticated', message);
  }
}
export class Forbidden extends HttpError {
  constructor(message = 'You are not allowed to do this.') {
    super(403, 'forbidden', message);
  }
}
export class NotFound extends HttpError {
  constructor(what = 'The item') {
    super(404, 'not_found', `${what} was not found.`);
  }
}
export class Conflict extends HttpError {
  constructor(message: string) {
    super(409, 'conflict', message);
  }
}
export class PayloadTooLarge extends HttpError {
  constructor(message = 'The request is too large.') {
    super(413, 'payload_too_large', message);
  }
}
export class TooManyRequests extends HttpError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, 'too_many_requests', message);
  }
}

export function issuesFromZod(error: ZodError, prefix?: string): ErrorIssue[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)',
    message: issue.message,
  }));
}

function describeIssues(issues: ErrorIssue[]): string {
  const first = issues.slice(0, 3).map((i) => `${i.path} ${i.message}`);
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  return `Please check the input: ${first.join('; ')}${more}.`;
}

/** PostgreSQL SQLSTATE codes we turn into client errors; matched by code, never by message text. */
function fromDatabaseError(err: unknown): HttpError | null {
  if (typeof err !== 'object' || err === null || !('code' in err) || typeof err.code !== 'string') return null;
  switch (err.code) {
    case '23505':
      return new Conflict('This already exists.');
    case '23503':
      return new Conflict('This refers to something that does not exist, or is still referred to.');
    case '23514':
    case '22001':
    case '22P02':
      return new BadRequest('A value is not acceptable.');
    default:
      return null;
  }
}

/** Turns errors from body parsing (express.json) into ours, by their documented `type`. */
function fromBodyParserError(err: unknown): HttpError | null {
  if (typeof err !== 'object' || err === null || !('type' in err)) return null;
  switch (err.type) {
    case 'entity.parse.failed':
      return new HttpError(400, 'malformed_json', 'The request body is not valid JSON.');
    case 'entity.too.large':
      return new PayloadTooLarge('The request body is too large.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpError(415, 'unsupported_media_type', 'The request body encoding is not supported.');
    default:
      return null;
  }
}

export function toHttpError(err: unknown): HttpError | null {
  if (err instanceof HttpError) return err;
  if (err instanceof ZodError) return new ValidationFailed(issuesFromZod(err));
  return fromBodyParserError(err) ?? fromDatabaseError(err);
}

export function renderError(error: HttpError): ErrorResponse {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details ? { details: error.details } : {}),
      ...(error.reason ? { reason: error.reason } : {}),
      ...(error.reasonParams ? { reasonParams: { ...error.reasonParams } } : {}),
    },
  };
}

/** The one error renderer: `{ error: { code, message, details } }`. */
export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const known = toHttpError(err) ?? new HttpError(500, 'internal_error', 'Something went wrong on our side. Please try again.');
    if (known.status >= 500) (req.log ?? logger).error({ err }, 'request failed');
    if (known instanceof TooManyRequests) res.setHeader('Retry-After', String(known.retryAfterSeconds));
    res.status(known.status).json(renderError(known));
  };
}
