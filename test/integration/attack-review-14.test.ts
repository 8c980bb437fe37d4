import { Writable } from 'node:stream';
import pino from 'pino';
import sharp from 'sharp';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Artefact, TimelinePage } from '../../shared/api/artefacts.ts';
import type { Digest } from '../../shared/api/digest.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/realtime.ts';
import { artefactForm } from '../helpers/artefact-upload.ts';
import { approvalWorld } from '../helpers/approval-world.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';

/**
 * Attack review of issue 12 (§1 approval, §4 secret links): holes found by the second reviewer, each as a test
 * that failed before its fix. Helpers copied from guardian-approval.test.ts.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
}, 60_000);
const sockets: Array<Socket<ServerToClientEvents, ClientToServerEvents>> = [];
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await app?.close();
});

const world = (mode: 'direct' | 'approval') => approvalWorld(app, mode);

const png = (background: string) =>
  sharp({ create: { width: 8, height: 8, channels: 3, background } })
    .png()
    .toBuffer();

async function create(client: TestClient, fields: Record<string, unknown>, image?: string): Promise<Artefact> {
  const files = image ? [{ name: 'kuva.png', type: 'image/png', bytes: await png(image) }] : [];
  const res = await client.post<Artefact>('/api/artefacts', artefactForm({ bodyHtml: '<p>Havainto</p>', ...fields }, files));
  expect(res.status, res.text).toBe(201);
  return res.body;
}
async function patch(client: TestClient, id: string, body: Record<string, unknown>): Promise<Artefact> {
  const res = await client.patch<Artefact>(`/api/artefacts/${id}`, body);
  expect(res.status, res.text).toBe(200);
  return res.body;
}

describe('approval: a pending edit is not searchable, filterable or listed for guardians', () => {
  it('the timeline search, the tag filter and the tag list answer from the approved version only', async () => {
    const w = await world('approval');
    const work = await create(w.c.pupil, { title: 'Hyväksytty', tags: ['kevät'], visibility: 'guardians', projectId: w.project.id });
    expect((await w.c.teacher.post(`/api/artefacts/${work.id}/guardian-approval/approve`, { version: 1 })).status).toBe(200);
    await patch(w.c.pupil, work.id, { title: 'Salainen', bodyHtml: '<p>piilosana</p>', tags: ['salatagi'] });
    const find = async (query: string) => {
      const res = await w.c.guardian.get<TimelinePage>(`/api/pupils/${w.pupil.id}/artefacts?${query}`);
      expect(res.status, res.text).toBe(200);
      return res.body.items.map((i) => i.title);
    };
    // The pending words and tag find nothing; the approved ones still find the approved version.
    expect(await find('q=piilosana')).toEqual([]);
    expect(await find('q=Salainen')).toEqual([]);
    expect(await find('tag=salatagi')).toEqual([]);
    expect(await find('q=Hyv%C3%A4ksytty')).toEqual(['Hyväksytty']);
    expect(await find('tag=kev%C3%A4t')).toEqual(['Hyväksytty']);
    const tags = await w.c.guardian.get<{ tags: Array<{ tag: string }> }>(`/api/pupils/${w.pupil.id}/tags`);
    expect(tags.status, tags.text).toBe(200);
    expect(tags.body.tags.map((t) => t.tag)).toEqual(['kevät']);
    // The pupil's own search finds the edit as it is.
    expect((await w.c.pupil.get<TimelinePage>(`/api/pupils/${w.pupil.id}/artefacts?q=piilosana`)).body.items.map((i) => i.title)).toEqual(['Salainen']);
  });
});

describe('approval: the weekly digest', () => {
  it('names shared work and commented work by the title of the version guardians see, never a pending edit’s', async () => {
    const w = await world('approval');
    const work = await create(w.c.pupil, { title: 'Hyväksytty', visibility: 'guardians' });
    expect((await w.c.teacher.post(`/api/artefacts/${work.id}/guardian-approval/approve`, { version: 1 })).status).toBe(200);
    expect((await w.c.teacher.post(`/api/artefacts/${work.id}/feedback`, { body: 'Hyvä alku' })).status).toBe(201);
    await patch(w.c.pupil, work.id, { title: 'Salainen otsikko' });
    const res = await w.c.guardian.get<Digest>('/api/digest');
    expect(res.status, res.text).toBe(200);
    const child = res.body.children.find((c) => c.pupil.id === w.pupil.id);
    expect(child?.shared.map((s) => s.title)).toEqual(['Hyväksytty']);
    expect(child?.feedback.map((f) => f.artefactTitle)).toEqual(['Hyväksytty']);
    expect(res.text).not.toContain('Salainen');
  });
});

describe('secret links: the page names no one unless the link says so', () => {
  it('a file’s own name (often the pupil’s name) is not on the page, nor in its download name, of a link without the name', async () => {
    const w = await world('direct');
    const res = await w.c.pupil.post<Artefact>(
      '/api/artefacts',
      artefactForm({ title: 'Essee', bodyHtml: '<p>Teksti</p>' }, [
        { name: 'Aino Oppilas essee.txt', type: 'text/plain', bytes: Buffer.from('Hei maailma\n') },
      ]),
    );
    expect(res.status, res.text).toBe(201);
    // The pupil's age is not known: their teacher makes the link.
    const made = await w.c.teacher.post<{ url: string }>('/api/share-links', { subject: { type: 'artefact', id: res.body.id } });
    expect(made.status, made.text).toBe(201);
    const page = await fetch(made.body.url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Essee');
    expect(html).not.toContain('Aino');
    const src = /href="([^"]*\/api\/blobs\/[^"]*)"/.exec(html)?.[1]?.replaceAll('&amp;', '&');
    expect(src).toBeDefined();
    const file = await fetch(new URL(src ?? '', app.url));
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition') ?? '').not.toContain('Aino');
  });
});

describe('secret links: logs', () => {
  it('hold no token written with percent escapes (the router decodes them, so such an address opens the page)', { timeout: 60_000 }, async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logged = await startTestApp({ logger: pino({ level: 'trace' }, stream), database: app.database });
    try {
      const w = await world('direct');
      const work = await create(w.c.pupil, { title: 'Lokitettu' });
      const made = await w.c.teacher.post<{ url: string }>('/api/share-links', { subject: { type: 'artefact', id: work.id } });
      expect(made.status, made.text).toBe(201);
      const token = new URL(made.body.url).pathname.slice('/s/'.length);
      const escape = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`;
      const firstEscaped = `${escape(token[0] ?? '')}${token.slice(1)}`;
      const allEscaped = [...token].map(escape).join('');
      for (const written of [firstEscaped, allEscaped]) expect((await fetch(`${logged.url}/s/${written}`)).status).toBe(200);
      const text = lines.join('');
      expect(text).not.toContain(token.slice(1));
      expect(text).not.toContain(allEscaped.slice(0, 30));
    } finally {
      await logged.close();
    }
  });
});

describe('approval: goal evidence', () => {
  it('titles evidence as guardians see it: the approved version, not a pending edit', async () => {
    const w = await world('approval');
    const work = await create(w.c.pupil, { title: 'Hyväksytty', visibility: 'guardians', projectId: w.project.id, goalIds: [w.project.goalId] });
    expect((await w.c.teacher.post(`/api/artefacts/${work.id}/guardian-approval/approve`, { version: 1 })).status).toBe(200);
    await patch(w.c.pupil, work.id, { title: 'Salainen otsikko' });
    const evidence = async (client: TestClient) => {
      const res = await client.get<{ evidence: Array<{ id: string; title: string }> }>(`/api/goals/${w.project.goalId}/pupils/${w.pupil.id}`);
      expect(res.status, res.text).toBe(200);
      return res.body.evidence.map((e) => e.title);
    };
    expect(await evidence(w.c.guardian)).toEqual(['Hyväksytty']);
    expect(await evidence(w.c.pupil)).toEqual(['Salainen otsikko']);
    expect(await evidence(w.c.teacher)).toEqual(['Salainen otsikko']);
  });
});
