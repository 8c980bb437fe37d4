import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scale } from '../../shared/api/scales.ts';
import { makeTwoSchools } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';

// Issue 10, section 1: assessment scales are data, per school, in three languages, with an icon per level.
let app: TestApp;
let w: Awaited<ReturnType<typeof makeTwoSchools>>;
const as = new Map<string, TestClient>();
const client = (name: string) => as.get(name)!;

beforeAll(async () => {
  app = await startTestApp();
  w = await makeTwoSchools(app.database.db);
  for (const name of ['admin', 'teacher', 'pupil', 'guardian', 'adminB', 'teacherB', 'pupilB'] as const) as.set(name, await app.as(w[name].username));
}, 120_000);
afterAll(async () => app?.close());

const level = (fi: string, icon: string) => ({ labels: { fi, sv: `${fi} (sv)`, en: `${fi} (en)` }, icon });
const ownScale = () => ({
  name: { fi: 'Tähdet', sv: 'Stjärnor', en: 'Stars' },
  levels: [level('Alku', '⭐'), level('Matkalla', '⭐⭐'), level('Perillä', '⭐⭐⭐')],
});

describe('assessment scales', () => {
  it('ships a 4-step growth scale and a 3-step smiley scale, labelled in fi, sv and en, with no numbers', async () => {
    const res = await client('pupil').get<{ scales: Scale[] }>(`/api/schools/${w.schoolA.id}/scales`);
    expect(res.status).toBe(200);
    const growth = res.body.scales.find((s) => s.builtinKey === 'growth4');
    const smiley = res.body.scales.find((s) => s.builtinKey === 'smiley3');
    expect(growth?.schoolId).toBeNull();
    expect(growth?.levels.map((l) => l.labels.fi)).toEqual(['Harjoittelen', 'Osaan osittain', 'Osaan', 'Osaan hyvin']);
    expect(growth?.levels.map((l) => l.labels.sv)).toEqual(['Jag övar', 'Jag kan delvis', 'Jag kan', 'Jag kan bra']);
    expect(growth?.levels.map((l) => l.labels.en)).toEqual(["I'm practising", 'I can partly', 'I can', 'I can well']);
    expect(growth?.levels.map((l) => l.icon)).toEqual(['🌱', '🌿', '🌳', '🌟']);
    expect(smiley?.levels).toHaveLength(3);
    for (const scale of [growth, smiley])
      for (const l of scale?.levels ?? []) {
        for (const text of [l.labels.fi, l.labels.sv, l.labels.en, l.icon]) expect(text.trim().length).toBeGreaterThan(0);
        expect(Object.keys(l).sort()).toEqual(['icon', 'labels']);
      }
  });

  it("lets the school's admin create and edit a scale of the school's own, seen by the school and not by another", async () => {
    const made = await client('admin').post<Scale>(`/api/schools/${w.schoolA.id}/scales`, ownScale());
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ schoolId: w.schoolA.id, builtinKey: null, name: { en: 'Stars' } });
    expect(made.body.levels.map((l) => l.icon)).toEqual(['⭐', '⭐⭐', '⭐⭐⭐']);

    const edited = await client('admin').patch<Scale>(`/api/scales/${made.body.id}`, { levels: [level('Ei vielä', '🌧'), level('Jo!', '🌈')] });
    expect(edited.status).toBe(200);
    expect(edited.body.levels.map((l) => l.labels.fi)).toEqual(['Ei vielä', 'Jo!']);
    expect(edited.body.name.en).toBe('Stars');

    const seen = await client('teacher').get<{ scales: Scale[] }>(`/api/schools/${w.schoolA.id}/scales`);
    expect(seen.body.scales.map((s) => s.id)).toContain(made.body.id);
    const seenB = await client('adminB').get<{ scales: Scale[] }>(`/api/schools/${w.schoolB.id}/scales`);
    expect(seenB.body.scales.map((s) => s.id)).not.toContain(made.body.id);
    expect(
      seenB.body.scales
        .map((s) => s.builtinKey)
        .filter(Boolean)
        .sort(),
    ).toEqual(['growth4', 'smiley3']);
  });

  it('refuses a scale with too few or too many levels, a missing language, an over-long label or icon, with a message', async () => {
    const path = `/api/schools/${w.schoolA.id}/scales`;
    const bad: Array<[unknown, RegExp]> = [
      [{ ...ownScale(), levels: [level('Yksi', '1️⃣')] }, /at least 2 levels/],
      [{ ...ownScale(), levels: Array.from({ length: 8 }, (_, i) => level(`Taso ${i}`, '🌱')) }, /at most 7 levels/],
      [{ ...ownScale(), levels: [{ labels: { fi: 'A', en: 'A' }, icon: '🌱' }, level('B', '🌳')] }, /sv/],
      [{ ...ownScale(), levels: [level('x'.repeat(41), '🌱'), level('B', '🌳')] }, /at most 40 characters/],
      [{ ...ownScale(), levels: [level('A', '🌱'.repeat(9)), level('B', '🌳')] }, /at most 8 characters/],
      [{ ...ownScale(), levels: [level('A', ' '), level('B', '🌳')] }, /must not be empty/],
      [{ ...ownScale(), levels: [{ ...level('A', '🌱'), grade: 4 }, level('B', '🌳')] }, /grade/],
    ];
    for (const [body, message] of bad) {
      const res = await client('admin').post<{ error: { message: string } }>(path, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(res.body), JSON.stringify(body)).toMatch(message);
    }
  });

  it("refuses another school's admin, teacher and pupil, and the school's own teachers, pupils and guardians", async () => {
    const made = await client('admin').post<Scale>(`/api/schools/${w.schoolA.id}/scales`, ownScale());
    for (const name of ['adminB', 'teacherB', 'pupilB']) {
      expect((await client(name).get(`/api/schools/${w.schoolA.id}/scales`)).status, name).toBe(404);
      expect((await client(name).post(`/api/schools/${w.schoolA.id}/scales`, ownScale())).status, name).toBe(404);
      expect((await client(name).patch(`/api/scales/${made.body.id}`, { name: ownScale().name })).status, name).toBe(404);
    }
    for (const name of ['teacher', 'pupil', 'guardian']) {
      expect((await client(name).post(`/api/schools/${w.schoolA.id}/scales`, ownScale())).status, name).toBe(403);
      expect((await client(name).patch(`/api/scales/${made.body.id}`, { name: ownScale().name })).status, name).toBe(403);
    }
    const after = await client('admin').get<{ scales: Scale[] }>(`/api/schools/${w.schoolA.id}/scales`);
    expect(after.body.scales.find((s) => s.id === made.body.id)?.name.en).toBe('Stars');
  });

  it('keeps the built-in scales read-only, for admins too', async () => {
    const list = await client('admin').get<{ scales: Scale[] }>(`/api/schools/${w.schoolA.id}/scales`);
    const growth = list.body.scales.find((s) => s.builtinKey === 'growth4')!;
    const res = await client('admin').patch<{ error: { message: string } }>(`/api/scales/${growth.id}`, { levels: [level('A', '🌱'), level('B', '🌳')] });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/built-in/);
    const again = await client('admin').get<{ scales: Scale[] }>(`/api/schools/${w.schoolA.id}/scales`);
    expect(again.body.scales.find((s) => s.id === growth.id)?.levels).toHaveLength(4);
  });
});
