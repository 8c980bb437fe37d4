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

export class ServiceUnavailable extends HttpError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(503, 'service_unavailable', message);
  }
}

// The database is away: SQLSTATE class 08 (connection exception), shutdowns (57P01-57P03), too many
// connections (53300), node's socket errors, and our own DatabaseUnavailableError (see server/db).
const UNAVAILABLE_CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '53300',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'POLKU_DB_UNAVAILABLE',
]);

export function isDatabaseUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null || !('code' in err) || typeof err.code !== 'string') return false;
  return UNAVAILABLE_CODES.has(err.code) || /^08[0-9A-Z]{3}$/.test(err.code);
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
  if (isDatabaseUnavailable(err)) return new ServiceUnavailable('Polku cannot reach its database right now. Please try again in a moment.', 5);
  switch (err.code) {
    case '23505':
      return new Conflict('This already exists.');
    case '23503':
      return new Conflict('This refers to something that does not exist, or is still referred to.');
    case '23514':
    case '22001':
    case '22P02':
      return new BadRequest('A value is not acceptable.');
    // Numbers out of range, text PostgreSQL cannot store (NUL), dates out of range: bad input, never a crash.
    case '22003':
      return new BadRequest('A number is too large or too small.');
    case '22021':
    case '22P05':
      return new BadRequest('A text contains a character that cannot be stored (such as NUL, \\u0000).');
    case '22007':
    case '22008':
      return new BadRequest('A date or time is not valid or out of range.');
    case '54000':
      return new PayloadTooLarge('A value is too large to store.');
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

/**
 * Errors that Express, its router and body-parser mark as the client's (a 4xx `status`, from
 * http-errors): an address with percent-encoding that is not UTF-8, a body that does not match its
 * Content-Encoding. They are bad requests, not crashes.
 */
function fromClientError(err: unknown): HttpError | null {
  if (!(err instanceof Error) || !('status' in err) || typeof err.status !== 'number' || err.status < 400 || err.status >= 500) return null;
  if (err instanceof URIError) return new BadRequest('The address contains percent-encoding that is not valid UTF-8.');
  // zlib's errors (gzip, deflate, brotli) carry a numeric errno: the body did not decompress.
  if ('errno' in err && typeof err.errno === 'number' && 'code' in err && typeof err.code === 'string') {
    return new BadRequest('The request body does not match its Content-Encoding (it could not be decompressed).');
  }
  if (err.status === 413) return new PayloadTooLarge();
  if (err.status === 415) return new HttpError(415, 'unsupported_media_type', 'The request body encoding is not supported.');
  return new BadRequest('The request could not be read.');
}

export function toHttpError(err: unknown): HttpError | null {
  if (err instanceof HttpError) return err;
  if (err instanceof ZodError) return new ValidationFailed(issuesFromZod(err));
  return fromBodyParserError(err) ?? fromDatabaseError(err) ?? fromClientError(err);
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
    if (known instanceof ServiceUnavailable) (req.log ?? logger).warn({ err, reason: known.reason }, 'request refused: service unavailable');
    else if (known.status >= 500) (req.log ?? logger).error({ err }, 'request failed');
    if (known instanceof TooManyRequests || known instanceof ServiceUnavailable) res.setHeader('Retry-After', String(known.retryAfterSeconds));
    res.status(known.status).json(renderError(known));
  };
}
