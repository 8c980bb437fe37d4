import type { Request, RequestHandler, Response, Router } from 'express';
import type { ZodType } from 'zod';
import type { Actor } from '../auth/actor.ts';
import { BadRequest, issuesFromZod, Unauthenticated, ValidationFailed } from './errors.ts';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteInput<P, Q, B, A> {
  params: P;
  query: Q;
  body: B;
  actor: A;
  req: Request;
  res: Response;
}

/**
 * One API route, declared as data: the router, the OpenAPI document and the access-matrix
 * test are all built from the same list, so none of them can drift from the others.
 */
export interface RouteDef<P = unknown, Q = unknown, B = unknown, R = unknown, A extends Actor | null = Actor | null> {
  method: HttpMethod;
  path: string;
  summary: string;
  tag: string;
  /** 'user': a signed-in user is required (401 otherwise). */
  auth: 'public' | 'user';
  params?: ZodType<P>;
  query?: ZodType<Q>;
  body?: ZodType<B>;
  /** The presenter: output is parsed by it, so only whitelisted fields leave the server. */
  response?: ZodType<R>;
  /**
   * The handler already returns a presenter's output, built field by field as an object literal of
   * the response type: `response` then only documents it, and is not parsed again (a parse would only
   * copy it). For large lists on hot paths (the timeline); a test compares such a response with its
   * parse.
   */
  presented?: true;
  status?: number;
  /** Documents a multipart body (validated by the handler itself, since files are not JSON). */
  multipartDoc?: ZodType;
  before?: RequestHandler[];
  handler: (input: RouteInput<P, Q, B, A>) => Promise<R>;
}

// The registry erases the generic parameters; `route()` keeps them for the handler's type check.
export type AnyRoute = RouteDef<unknown, unknown, unknown, unknown, Actor | null>;

export function route<P = Record<string, never>, Q = Record<string, never>, B = undefined, R = unknown>(
  def: RouteDef<P, Q, B, R, Actor> & { auth: 'user' },
): AnyRoute;
export function route<P = Record<string, never>, Q = Record<string, never>, B = undefined, R = unknown>(
  def: RouteDef<P, Q, B, R, Actor | null> & { auth: 'public' },
): AnyRoute;
export function route(def: unknown): AnyRoute {
  return def as unknown as AnyRoute;
}

function parsePart<T>(schema: ZodType<T> | undefined, value: unknown, part: string): T {
  if (!schema) return value as T;
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationFailed(issuesFromZod(result.error, part));
  return result.data;
}

/** The path of the first string (value or key) holding a NUL character, or null. */
function findNul(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (depth > 32 || typeof value !== 'object' || value === null) return null;
  for (const [key, inner] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (key.includes('\u0000')) return at;
    const found = findNul(inner, at, depth + 1);
    if (found) return found;
  }
  return null;
}

/**
 * NUL (\u0000) is valid JSON and URL text but no text column can hold it: refused here, for every
 * route, in the address, the query, the body (JSON or multipart fields) and uploaded file names.
 */
function rejectNul(req: Request): void {
  const files = Array.isArray(req.files) ? req.files : Object.values(req.files ?? {}).flat();
  const names = [...files, ...(req.file ? [req.file] : [])].map((f) => f.originalname);
  const where = findNul(req.params, 'params') ?? findNul(req.query, 'query') ?? findNul(req.body, 'body') ?? findNul(names, 'file name');
  if (where) {
    throw new BadRequest(`${where} contains a NUL character (\\u0000), which is not allowed in text.`, [{ path: where, message: 'contains a NUL character' }]);
  }
}

/** Registers declared routes on a router: rate limits and other `before` handlers → authenticate → validate → handler. */
export function mountRoutes(router: Router, routes: readonly AnyRoute[], mountedAt = ''): void {
  for (const def of routes) {
    const handler: RequestHandler = async (req, res) => {
      const actor = req.actor ?? null;
      if (def.auth === 'user' && !actor) throw new Unauthenticated();
      rejectNul(req);
      const input = {
        params: parsePart(def.params, req.params, 'params'),
        query: parsePart(def.query, req.query, 'query'),
        body: parsePart(def.body, def.body ? (req.body ?? {}) : undefined, 'body'),
        actor,
        req,
        res,
      };
      const result = await def.handler(input);
      if (res.headersSent) return;
      const output = def.response && !def.presented ? def.response.parse(result) : result;
      res.status(def.status ?? 200).json(output);
    };
    router[def.method](def.path.slice(mountedAt.length), ...(def.before ?? []), handler);
  }
}
