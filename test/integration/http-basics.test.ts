import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorResponseSchema, type ErrorCode } from '../../shared/api/errors.ts';
import { configurePassport } from '../../server/auth/passport.ts';
import { DbSessionStore } from '../../server/auth/session-store.ts';
import { SESSION_COOKIE } from '../../server/app.ts';
import { authRoutes } from '../../server/modules/auth/auth.routes.ts';
import { authService } from '../../server/modules/auth/auth.service.ts';
import { loginLimiter } from '../../server/modules/auth/login-limiter.ts';
import { orgRoutes } from '../../server/modules/org/org.routes.ts';
import { usersService } from '../../server/modules/org/users.service.ts';
import { silentNotifier } from '../../server/realtime/notifier.ts';
import { makeUser } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { openTestDatabase } from '../helpers/test-db.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app?.close());

interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
}

/** An error reply: the status, the code, and exactly `{ error: { code, message, details? } }` with nothing else. */
function expectError(res: Reply, status: number, code: ErrorCode) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const parsed = errorResponseSchema.parse(res.body);
  // parse() drops unknown keys, so equality means the body had none.
  expect(parsed).toEqual(res.body);
  expect(parsed.error.code).toBe(code);
  expect(parsed.error.message.length).toBeGreaterThan(5);
  return parsed.error;
}

describe('health', () => {
  it('answers /healthz', async () => {
    const res = await app.client().get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('answers /readyz when the database and the media folder work', async () => {
    const res = await app.client().get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', checks: { database: 'ok', storage: 'ok' } });
  });

  it('answers /readyz with 503 when the media folder is gone', async () => {
    const broken = await startTestApp({ database: app.database });
    try {
      expect((await broken.client().get('/readyz')).status).toBe(200);
      const { storage } = broken.config;
      if (storage.kind !== 'local') throw new Error('the test app should use the local media folder');
      await rm(storage.dir, { recursive: true, force: true });
      const res = await broken.client().get('/readyz');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ status: 'not_ready', checks: { database: 'ok', storage: 'failing' } });
    } finally {
      await broken.close();
    }
  });

  it('answers /readyz with 503 when the media folder is replaced by a file', async () => {
    // A file where the folder should be: nothing can be stored, so the app is not ready.
    const broken = await startTestApp({ database: app.database });
    try {
      const { storage } = broken.config;
      if (storage.kind !== 'local') throw new Error('the test app should use the local media folder');
      await rm(storage.dir, { recursive: true, force: true });
      await writeFile(storage.dir, 'not a folder');
      const res = await broken.client().get('/readyz');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ status: 'not_ready', checks: { storage: 'failing' } });
    } finally {
      await broken.close();
    }
  });

  it('answers /readyz with 503 when the database is gone', async () => {
    const database = await openTestDatabase();
    const broken = await startTestApp({ database });
    try {
      expect((await broken.client().get('/readyz')).status).toBe(200);
      await database.close();
      const res = await broken.client().get('/readyz');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ status: 'not_ready', checks: { database: 'failing', storage: 'ok' } });
      // Liveness is not readiness: the process itself is still fine.
      expect((await broken.client().get('/healthz')).status).toBe(200);
    } finally {
      // The harness leaves a passed-in database open; it is closed above already.
      await broken.close();
    }
  });
});

describe('OpenAPI document', () => {
  type Operation = {
    summary?: string;
    tags?: string[];
    parameters?: Array<{ name: string; in: string; required?: boolean }>;
    responses?: Record<string, unknown>;
  };
  type Document = { openapi: string; info: { title: string; version: string }; paths: Record<string, Record<string, Operation>> };

  async function fetchDocument(): Promise<Document> {
    const res = await app.client().get<Document>('/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    return res.body;
  }
  const operations = (doc: Document) =>
    Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));

  it('is OpenAPI 3.1 with the known routes, each well formed', async () => {
    const doc = await fetchDocument();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'Polku API', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(operations(doc)).toEqual(
      expect.arrayContaining([
        'POST /api/auth/login',
        'POST /api/auth/logout',
        'GET /api/me',
        'PATCH /api/me',
        'GET /api/me/groups',
        'GET /api/me/children',
        'GET /api/schools',
        'POST /api/schools',
        'GET /api/schools/{schoolId}',
        'PATCH /api/schools/{schoolId}',
        'GET /api/schools/{schoolId}/groups',
        'POST /api/schools/{schoolId}/groups',
        'GET /api/groups/{groupId}',
        'PATCH /api/groups/{groupId}',
        'PUT /api/groups/{groupId}/members/{userId}',
        'DELETE /api/groups/{groupId}/members/{userId}',
        'GET /api/schools/{schoolId}/users',
        'POST /api/schools/{schoolId}/users',
        'GET /api/users/{userId}',
        'PATCH /api/users/{userId}',
        'GET /api/schools/{schoolId}/guardian-links',
        'POST /api/guardian-links',
        'DELETE /api/guardian-links/{guardianId}/{pupilId}',
      ]),
    );
    for (const [path, methods] of Object.entries(doc.paths)) {
      expect(path).toMatch(/^\/api\//);
      expect(path).not.toMatch(/:/); // Express-style parameters must be templated
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(methods)) {
        expect(['get', 'post', 'put', 'patch', 'delete']).toContain(method);
        expect(op.summary, `${method} ${path} summary`).toBeTruthy();
        expect(Object.keys(op.responses ?? {}).length, `${method} ${path} responses`).toBeGreaterThan(0);
        const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path');
        expect(pathParams.map((p) => p.name).sort(), `${method} ${path} path parameters`).toEqual([...templated].sort());
        expect(pathParams.every((p) => p.required === true)).toBe(true);
      }
    }
  });

  it('documents every route that the auth and organisation modules declare', async () => {
    const doc = await fetchDocument();
    const db = app.database.db;
    // Real services over the test database: route declarations only capture them, no handler runs here.
    const sessions = new DbSessionStore(db);
    const auth = authService({ db, sessions, notifier: silentNotifier, demo: false });
    const orgDeps = { db, notifier: silentNotifier, endUserSessions: auth.endUserSessions };
    const declared = [
      ...authRoutes({
        auth,
        users: usersService(orgDeps),
        limiter: loginLimiter(),
        notifier: silentNotifier,
        cookieName: SESSION_COOKIE,
        passport: configurePassport(auth, sessions),
      }),
      ...orgRoutes(orgDeps),
    ].map((r) => `${r.method.toUpperCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    expect(declared.length).toBeGreaterThanOrEqual(23);
    expect(operations(doc)).toEqual(expect.arrayContaining(declared));
  });

  it('lists only routes that the server actually serves', async () => {
    const doc = await fetchDocument();
    for (const operation of operations(doc)) {
      const [method = 'GET', template = ''] = operation.split(' ');
      const path = template.replace(/\{\w+\}/g, randomUUID());
      const res = await app.client().request(method, path, method === 'GET' || method === 'DELETE' ? undefined : {});
      // Signed out, a served route answers 401 (or 400/200 for the public ones), never the router's 404.
      const notMounted = res.status === 404 && JSON.stringify(res.body).includes('The API route');
      expect(notMounted, `${operation} is documented but not served`).toBe(false);
    }
  });
});

describe('request errors', () => {
  it('answers malformed JSON with 400 malformed_json', async () => {
    const res = await app.client().request('POST', '/api/auth/login', '{"username": "a", ', { 'content-type': 'application/json' });
    expectError(res, 400, 'malformed_json');
  });

  it('names each wrongly typed field', async () => {
    const res = await app.client().post('/api/auth/login', { username: 5, password: true });
    const error = expectError(res, 400, 'validation_failed');
    expect(error.details?.map((d) => d.path).sort()).toEqual(['body.password', 'body.username']);
    for (const detail of error.details ?? []) {
      // Human-readable: words, not a dump of the validator's internals.
      expect(detail.message).toMatch(/^[A-Za-z][\w ,:'"–-]*$/);
      expect(detail.message).not.toMatch(/\[object|undefined|ZodError/);
    }
    expect(error.message).toMatch(/body\.username/);
  });

  it('names a missing field', async () => {
    const res = await app.client().post('/api/auth/login', { username: 'someone' });
    const error = expectError(res, 400, 'validation_failed');
    expect(error.details).toEqual([{ path: 'body.password', message: expect.any(String) }]);
  });

  it('refuses unknown fields on strict bodies', async () => {
    const pupil = await makeUser(app.database.db, { role: 'pupil' });
    const client = await app.as(pupil.username);
    const res = await client.patch('/api/me', { locale: 'sv', isAdmin: true });
    const error = expectError(res, 400, 'validation_failed');
    expect(JSON.stringify(error.details)).toMatch(/isAdmin/);
    // Nothing was changed.
    expect((await client.get<{ user: { locale: string | null } }>('/api/me')).body.user.locale).toBeNull();

    const logout = await client.post('/api/auth/logout', { everywhere: false, extra: 1 });
    expectError(logout, 400, 'validation_failed');
  });

  it('answers an invalid id in the path with 400 naming the parameter', async () => {
    const teacher = await makeUser(app.database.db, { role: 'teacher' });
    const client = await app.as(teacher.username);
    const error = expectError(await client.get('/api/groups/not-a-uuid'), 400, 'validation_failed');
    expect(error.details).toEqual([{ path: 'params.groupId', message: expect.stringMatching(/UUID/) }]);
    // A well-formed id of nothing is a 404, not a 400.
    expectError(await client.get(`/api/groups/${randomUUID()}`), 404, 'not_found');
  });

  it('answers unknown API routes with 404 JSON, for GET and POST', async () => {
    const get = await app.client().get('/api/nope');
    expectError(get, 404, 'not_found');
    expect((get.body as { error: { message: string } }).error.message).toMatch(/GET \/api\/nope/);
    expectError(await app.client().post('/api/nope', { a: 1 }), 404, 'not_found');
    expectError(await app.client().request('DELETE', '/api/me/nope?x=1'), 404, 'not_found');
  });

  it('refuses bodies over 1 MB with 413', async () => {
    const big = JSON.stringify({ username: 'x', password: 'y'.repeat(1024 * 1024 + 10) });
    const res = await app.client().request('POST', '/api/auth/login', big, { 'content-type': 'application/json' });
    expectError(res, 413, 'payload_too_large');
  });

  it('answers signed-out requests with 401 and cross-site ones with 403, in the same shape', async () => {
    expectError(await app.client().get('/api/me'), 401, 'unauthenticated');
    expectError(await app.client().request('POST', '/api/auth/logout', {}, { origin: 'https://evil.example' }), 403, 'cross_site_request');
    expectError(await app.client().post('/api/auth/login', { username: 'no.such.user', password: 'wrong' }), 401, 'invalid_credentials');
  });
});

describe('headers', () => {
  it('gives every response a request id and keeps a sane one from the caller', async () => {
    for (const path of ['/healthz', '/api/me', '/api/nope']) {
      const res = await app.client().get(path);
      expect(res.headers.get('x-request-id'), path).toMatch(/^[A-Za-z0-9._-]{1,128}$/);
    }
    const first = await app.client().get('/api/me');
    const second = await app.client().get('/api/me');
    expect(first.headers.get('x-request-id')).not.toBe(second.headers.get('x-request-id'));

    const sane = 'proxy-req.42_abc';
    expect((await app.client().request('GET', '/healthz', undefined, { 'x-request-id': sane })).headers.get('x-request-id')).toBe(sane);
    expect((await app.client().request('GET', '/api/nope', undefined, { 'x-request-id': sane })).headers.get('x-request-id')).toBe(sane);

    for (const insane of ['a'.repeat(300), 'has spaces and <script>', 'semi;colon']) {
      const id = (await app.client().request('GET', '/healthz', undefined, { 'x-request-id': insane })).headers.get('x-request-id');
      expect(id).not.toBe(insane);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('sends security headers and no x-powered-by', async () => {
    for (const path of ['/healthz', '/api/me', '/api/openapi.json']) {
      const res = await app.client().get(path);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toMatch(/default-src 'self'/);
      expect(csp, path).not.toMatch(/unsafe-eval/);
      expect(res.headers.get('x-powered-by'), path).toBeNull();
      expect(res.headers.get('x-frame-options'), path).toBe('SAMEORIGIN');
    }
  });
});
