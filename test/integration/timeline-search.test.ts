import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Artefact, TimelinePage } from '../../shared/api/artefacts.ts';
import { makeTwoSchools } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';

// Issue 9, item 4: tags (and the rest of the work) are searchable: `?q=` on the timeline, inside the policy's scope.

let app: TestApp;
let w: Awaited<ReturnType<typeof makeTwoSchools>>;
let pupil: TestClient;
let guardian: TestClient;
const ids: Record<string, string> = {};

beforeAll(async () => {
  app = await startTestApp();
  w = await makeTwoSchools(app.database.db);
  [pupil, guardian] = await Promise.all([app.as(w.pupil.username), app.as(w.guardian.username)]);
  const make = async (key: string, body: Record<string, unknown>) => {
    const res = await pupil.post<Artefact>('/api/artefacts', body);
    expect(res.status, res.text).toBe(201);
    ids[key] = res.body.id;
  };
  await make('title', { title: 'Vesi kiertää', visibility: 'guardians' });
  await make('body', { title: 'Havaintoja', bodyHtml: '<p>Kasvit tarvitsevat valoa</p>', visibility: 'guardians' });
  await make('tag', { title: 'Ruska', tags: ['Syksy'], visibility: 'guardians' });
  await make('private', { title: 'Salainen vesi', visibility: 'private' });
  await make('percent', { title: '100% valmis', visibility: 'private' });
});
afterAll(async () => app?.close());

const found = async (client: TestClient, q: string) => {
  const res = await client.get<TimelinePage>(`/api/pupils/${w.pupil.id}/artefacts?q=${encodeURIComponent(q)}`);
  expect(res.status, res.text).toBe(200);
  return res.body.items.map((a) => a.id).sort();
};

describe('searching the timeline', () => {
  it('finds words in the title, the text and the tags, whatever their case', async () => {
    expect(await found(pupil, 'VESI')).toEqual([ids.title, ids.private].sort());
    expect(await found(pupil, 'kasvit')).toEqual([ids.body]);
    expect(await found(pupil, 'syks')).toEqual([ids.tag]);
    expect(await found(pupil, 'ei mitään tällaista')).toEqual([]);
  });

  it('takes % and _ as the characters they are, not as wildcards', async () => {
    expect(await found(pupil, '%')).toEqual([ids.percent]);
    expect(await found(pupil, '_')).toEqual([]);
  });

  it('searches only what the viewer may see: a guardian never finds private work', async () => {
    expect(await found(guardian, 'vesi')).toEqual([ids.title]);
    expect(await found(guardian, 'valmis')).toEqual([]);
  });

  it('answers 400 with a sentence for a search that is too long', async () => {
    const res = await pupil.get<{ error: { message: string; details: Array<{ message: string }> } }>(
      `/api/pupils/${w.pupil.id}/artefacts?q=${'a'.repeat(101)}`,
    );
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error)).toContain('at most 100 characters');
  });
});
