import { z, type ZodType } from 'zod';
import { ERROR_CODES, errorResponseSchema, type ErrorCode, type ErrorIssue, type ErrorResponse } from '../../../shared/api/errors.ts';

/** Server codes plus two the client itself produces when no usable answer arrived. */
export type ClientErrorCode = ErrorCode | 'network_error' | 'unexpected_response';
export const CLIENT_ERROR_CODES: readonly ClientErrorCode[] = [...ERROR_CODES, 'network_error', 'unexpected_response'];

/** An API failure, typed by the server's stable `code`; the UI maps the code to a translated message. */
export class ApiError extends Error {
  constructor(
    readonly code: ClientErrorCode,
    readonly status: number,
    message: string,
    readonly details: readonly ErrorIssue[] = [],
    /** A finer, stable reason for some codes (import_rejected: why), and what its message interpolates. */
    readonly reason?: { code: string; params: Readonly<Record<string, string | number>> },
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The ApiError for a server's error answer (fetch and upload alike). */
export function apiErrorFrom(status: number, { code, message, details, reason, reasonParams }: ErrorResponse['error']): ApiError {
  return new ApiError(code, status, message, details ?? [], reason ? { code: reason, params: reasonParams ?? {} } : undefined);
}

export function isApiError(error: unknown, code?: ClientErrorCode): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}

const anything = z.unknown();

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface RequestOptions<T> {
  body?: unknown;
  /** The shared zod schema of the answer: a contract drift shows up as an error here, not as `undefined` deep in a component. */
  schema: ZodType<T>;
  signal?: AbortSignal;
}

async function request<T>(method: Method, path: string, { body, schema, signal }: RequestOptions<T>): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      // Same-origin credentials: the session cookie goes along, and the browser's Origin /
      // Sec-Fetch-Site headers let the server reject cross-site writes.
      credentials: 'same-origin',
      headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? null : JSON.stringify(body),
      signal: signal ?? null,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError('network_error', 0, error instanceof Error ? error.message : 'Network error');
  }

  const payload: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const parsed = errorResponseSchema.safeParse(payload);
    if (parsed.success) {
      throw apiErrorFrom(response.status, parsed.data.error);
    }
    throw new ApiError(response.status >= 500 ? 'internal_error' : 'unexpected_response', response.status, `HTTP ${response.status}`);
  }
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    console.error(`Unexpected answer from ${method} ${path}`, parsed.error.issues);
    throw new ApiError('unexpected_response', response.status, `Unexpected answer from ${method} ${path}`);
  }
  return parsed.data;
}

export const http = {
  get: <T>(path: string, schema: ZodType<T>, signal?: AbortSignal) => request('GET', path, { schema, ...(signal ? { signal } : {}) }),
  post: <T>(path: string, body: unknown, schema: ZodType<T>) => request('POST', path, { body, schema }),
  put: <T>(path: string, body: unknown, schema: ZodType<T>) => request('PUT', path, { body, schema }),
  patch: <T>(path: string, body: unknown, schema: ZodType<T>, signal?: AbortSignal) => request('PATCH', path, { body, schema, ...(signal ? { signal } : {}) }),
  /** The answer of a delete is not used (it may be `204 No Content`): callers re-fetch instead. */
  delete: (path: string) => request('DELETE', path, { schema: anything }).then(() => undefined),
  /** A delete whose answer is needed (e.g. until when it can be undone). */
  deleteWith: <T>(path: string, schema: ZodType<T>) => request('DELETE', path, { schema }),
};

/** Builds a path with each parameter URL-encoded: `apiPath('/api/groups', id, 'members')`. */
export function apiPath(base: string, ...segments: string[]): string {
  return [base, ...segments.map(encodeURIComponent)].join('/');
}
