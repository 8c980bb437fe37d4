import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeArtefact, makeFeedback, makeProject, makeTwoSchools, makeUser } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';

/**
 * Hostile text and numbers in every parameter, query field and body field of every route the API
 * declares (the OpenAPI document: the same route registry the router and the access matrix use).
 * Whatever comes in, the answer is never a 5xx. One field at a time, the others plausible, so that
 * requests get past validation into the services and the database.
 */
const HOSTILE: unknown[] = ['a\u0000b', 'x\ud800y\udfff', '\u202eexe.txt\u2066', '9'.repeat(400), 1e308, -(2 ** 53) - 2];

type JsonSchema = {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minLength?: number;
  minimum?: number;
  minItems?: number;
};
interface Operation {
  parameters?: Array<{ name: string; in: 'path' | 'query'; schema: JsonSchema }>;
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
}

let app: TestApp;
let world: Awaited<ReturnType<typeof makeTwoSchools>>;
let ids: Record<string, string>;
const clients = new Map<string, TestClient>();

beforeAll(async () => {
  // Signing in with hostile names counts as failed sign-ins: keep the limiter out of the way.
  app = await startTestApp({ loginLimits: { perAccount: 100_000, perAddress: 100_000, windowSeconds: 60 } });
  const db = app.database.db;
  world = await makeTwoSchools(db);
  const project = await makeProject(db, { schoolId: world.schoolA.id, teacherIds: [world.teacher.id], groupIds: [world.group.id] });
  const artefact = await makeArtefact(db, { ownerId: world.pupil.id, projectId: project.id, visibility: 'guardians', status: 'ready' });
  const feedback = await makeFeedback(db, artefact.id, world.teacher.id);
  // Whose account the admin's hostile edits land on, so that no signed-in client loses its session.
  const victim = await makeUser(db, { role: 'pupil', schoolId: world.schoolA.id });
  ids = {
    schoolId: world.schoolA.id,
    groupId: world.group.id,
    pupilId: world.pupil.id,
    userId: victim.id,
    guardianId: world.guardian.id,
    projectId: project.id,
    artefactId: artefact.id,
    feedbackId: (feedback as { id: string }).id,
    mediaId: randomUUID(),
    exportId: randomUUID(),
    importId: randomUUID(),
    variant: 'original',
  };
  for (const name of ['pupil', 'admin'] as const) clients.set(name, await app.as(world[name].username));
  clients.set('anonymous', app.client());
}, 60_000);
afterAll(async () => app?.close());

/** A plausible value for a schema, so that the one hostile field is what the server has to deal with. */
function sample(schema: JsonSchema | undefined, name = ''): unknown {
  if (!schema) return 'x';
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  const variant = schema.anyOf?.[0] ?? schema.oneOf?.[0];
  if (variant) return sample(variant, name);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object':
      return Object.fromEntries((schema.required ?? []).map((k) => [k, sample(schema.properties?.[k], k)]));
    case 'array':
      return schema.minItems ? [sample(schema.items, name)] : [];
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return false;
    case 'string':
      if (schema.format === 'uuid') return ids[name] ?? randomUUID();
      if (schema.format === 'date-time') return new Date().toISOString();
      if (schema.format === 'date') return '2026-01-01';
      if (schema.format === 'email') return 'a@example.fi';
      return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
    default:
      return 'x';
  }
}

/** Percent-encoding that also writes lone surrogates (as the bytes a careless encoder would send: invalid UTF-8). */
function encode(text: string): string {
  return text.replace(/[\s\S]/gu, (ch) => {
    const code = ch.codePointAt(0) ?? 0;
    if (code >= 0xd800 && code <= 0xdfff)
      return `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`.toUpperCase();
    return encodeURIComponent(ch);
  });
}

function fill(path: string, overrides: Record<string, string> = {}): string {
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => encode(overrides[name] ?? ids[name] ?? randomUUID()));
}

interface Probe {
  what: string;
  path: string;
  body?: unknown;
}

/** One request per hostile value per field: path parameters, query fields, top-level and nested body fields. */
function probes(method: string, path: string, op: Operation): Probe[] {
  const out: Probe[] = [];
  const params = op.parameters ?? [];
  const json = op.requestBody?.content['application/json']?.schema;
  const multipart = op.requestBody?.content['multipart/form-data']?.schema;
  const baseBody = json ? sample(json) : undefined;
  const baseQuery = Object.fromEntries(params.filter((p) => p.in === 'query').map((p) => [p.name, String(sample(p.schema, p.name))]));
  const withQuery = (p: string, q: Record<string, string>) =>
    Object.keys(q).length
      ? `${p}?${Object.entries(q)
          .map(([k, v]) => `${encode(k)}=${encode(v)}`)
          .join('&')}`
      : p;
  for (const value of HOSTILE) {
    const text = String(value);
    for (const p of params) {
      if (p.in === 'path')
        out.push({ what: `param ${p.name}=${JSON.stringify(value)}`, path: withQuery(fill(path, { [p.name]: text }), baseQuery), body: baseBody });
      else out.push({ what: `query ${p.name}=${JSON.stringify(value)}`, path: withQuery(fill(path), { ...baseQuery, [p.name]: text }), body: baseBody });
    }
    // A query field nobody declared, too (on reads: on writes it would only repeat a valid write).
    if (method === 'get')
      out.push({ what: `undeclared query=${JSON.stringify(value)}`, path: withQuery(fill(path), { ...baseQuery, q: text }), body: baseBody });
    if (json && typeof baseBody === 'object' && baseBody !== null) {
      for (const [field, schema] of Object.entries(json.properties ?? {})) {
        out.push({ what: `body ${field}=${JSON.stringify(value)}`, path: withQuery(fill(path), baseQuery), body: { ...baseBody, [field]: value } });
        const inner = schema.type === 'array' ? schema.items : undefined;
        if (inner)
          out.push({ what: `body ${field}[0]=${JSON.stringify(value)}`, path: withQuery(fill(path), baseQuery), body: { ...baseBody, [field]: [value] } });
        if (schema.type === 'object' && schema.properties) {
          for (const sub of Object.keys(schema.properties)) {
            const nested = { ...(sample(schema) as Record<string, unknown>), [sub]: value };
            out.push({ what: `body ${field}.${sub}=${JSON.stringify(value)}`, path: withQuery(fill(path), baseQuery), body: { ...baseBody, [field]: nested } });
          }
        }
      }
    }
    if (multipart) {
      const form = new FormData();
      form.append('data', JSON.stringify({ title: value, description: value, text: value, target: { kind: 'existing', pupilId: value } }));
      const fileField = Object.keys(multipart.properties ?? {}).find((k) => k.startsWith('file')) ?? 'files';
      form.append(fileField, new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], { type: 'image/png' }), `${text}.png`);
      out.push({ what: `multipart data/file name=${JSON.stringify(value)}`, path: fill(path), body: form });
    }
  }
  // Body fields nobody declared, and a body that is all one hostile string.
  if (json) out.push({ what: 'body "\\u0000"', path: fill(path), body: '"\\u0000"' }, { what: 'body {"\\u0000":1}', path: fill(path), body: '{"\\u0000":1}' });
  return out;
}

describe('hostile input on every route', () => {
  it('never answers 5xx, anonymously or signed in', { timeout: 600_000 }, async () => {
    const doc = (await app.client().get<{ paths: Record<string, Record<string, Operation>> }>('/api/openapi.json')).body;
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ method, path, op })));
    expect(operations.length).toBeGreaterThan(40);
    const failures: string[] = [];
    let sent = 0;
    for (const actor of ['anonymous', 'pupil', 'admin']) {
      const client = clients.get(actor);
      if (!client) throw new Error(actor);
      for (const { method, path, op } of operations) {
        // Signing out would end the session the rest of the run needs; its one field is a boolean.
        if (path === '/api/auth/logout' && actor !== 'anonymous') continue;
        // Signing in is the same for everyone (and each try costs a password hash): once, anonymously.
        if (path === '/api/auth/login' && actor !== 'anonymous') continue;
        // Anonymous requests to signed-in routes stop at 401 before reading anything: a few suffice.
        const all = probes(method, path, op);
        const list = actor === 'anonymous' && path !== '/api/auth/login' ? all.slice(0, 3) : all;
        for (const probe of list) {
          const target = path === '/api/auth/login' ? app.client() : client;
          const headers: Record<string, string> = typeof probe.body === 'string' ? { 'content-type': 'application/json' } : {};
          const res = await target.request(method.toUpperCase(), probe.path, probe.body, headers);
          sent++;
          if (res.status >= 500) failures.push(`${actor} ${method.toUpperCase()} ${path} ${probe.what}: ${res.status} ${res.text.slice(0, 160)}`);
          else if (res.status >= 400)
            expect(res.body, `${method} ${path} ${probe.what}`).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
        }
      }
      // Nothing above ended this actor's session.
      if (actor !== 'anonymous') expect((await client.get('/api/me')).status).toBe(200);
    }
    expect(sent).toBeGreaterThan(800);
    if (process.env.FUZZ_DUMP) (await import('node:fs')).writeFileSync(process.env.FUZZ_DUMP, failures.join('\n'));
    expect(failures).toEqual([]);
  });

  it('a NUL byte anywhere gets 400 with a message that says so', async () => {
    const pupil = clients.get('pupil');
    if (!pupil) throw new Error('pupil');
    for (const res of [
      await pupil.patch(`/api/artefacts/${ids.artefactId}`, { title: 'a\u0000b' }),
      await pupil.get(`/api/pupils/${ids.pupilId}/artefacts?cursor=%00`),
      await app.client().post('/api/auth/login', { username: 'pupil\u0000', password: 'x' }),
    ]) {
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 'bad_request', message: expect.stringMatching(/NUL/) } });
    }
  });

  it('a Content-Encoding that does not match the body gets 400, and an unknown one 415', async () => {
    const client = app.client();
    const plain = JSON.stringify({ username: 'x', password: 'y' });
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const res = await client.request('POST', '/api/auth/login', plain, { 'content-type': 'application/json', 'content-encoding': encoding });
      expect(res.status, encoding).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 'bad_request', message: expect.stringMatching(/encoding/i) } });
    }
    const truncated = gzipSync(Buffer.from(plain)).subarray(0, 12);
    const res = await fetch(`${app.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: new Uint8Array(truncated),
    });
    expect(res.status).toBe(400);
    const unknown = await client.request('POST', '/api/auth/login', plain, { 'content-type': 'application/json', 'content-encoding': 'zstd-nonsense' });
    expect(unknown.status).toBe(415);
    // A multipart upload is not decoded at all: a claimed encoding there is refused, not stored as is.
    const pupil = clients.get('pupil');
    if (!pupil) throw new Error('pupil');
    const form = new FormData();
    form.append('data', JSON.stringify({ title: 'x' }));
    const upload = await pupil.request('POST', '/api/artefacts', form, { 'content-encoding': 'gzip' });
    expect(upload.status).toBeLessThan(500);
    expect(upload.status).toBeGreaterThanOrEqual(400);
  });
});
