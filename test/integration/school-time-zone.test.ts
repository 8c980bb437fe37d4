import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeResponse, SessionResponse } from '../../shared/api/auth.ts';
import type { School } from '../../shared/api/org.ts';
import { writeExportArchive } from '../../server/modules/portability/export/export-archive.ts';
import { makeArtefact, makeSchool, makeUser } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { readZipMap } from '../helpers/zip.ts';

// Issue 8, H24: dates and times are shown in the school's time zone, in the app and in the export.
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app?.close());

async function exportPages(pupilId: string): Promise<Map<string, string>> {
  const chunks: Buffer[] = [];
  const output = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  await writeExportArchive({ db: app.database.db, blobs: app.polku.blobs, pupilId, scope: 'full', locale: 'en' }, output);
  const entries = await readZipMap(Buffer.concat(chunks));
  return new Map([...entries].map(([name, bytes]) => [name, bytes.toString('utf8')]));
}

describe("the school's time zone", () => {
  it('defaults to Europe/Helsinki, is set by an admin (an unknown zone is refused), and /api/me carries it', async () => {
    const school = await makeSchool(app.database.db);
    const admin = await makeUser(app.database.db, { role: 'admin', schoolId: school.id });
    const pupil = await makeUser(app.database.db, { role: 'pupil', schoolId: school.id });
    const client = await app.as(admin.username);

    expect((await client.get<School>(`/api/schools/${school.id}`)).body.timeZone).toBe('Europe/Helsinki');
    expect((await client.get<MeResponse>('/api/me')).body.timeZone).toBe('Europe/Helsinki');

    const bad = await client.patch<{ error: { message: string } }>(`/api/schools/${school.id}`, { timeZone: 'Mars/Olympus_Mons' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/timeZone.*IANA time zone name/);

    const ok = await client.patch<School>(`/api/schools/${school.id}`, { timeZone: 'America/New_York' });
    expect(ok.status).toBe(200);
    expect(ok.body.timeZone).toBe('America/New_York');

    expect((await client.get<MeResponse>('/api/me')).body.timeZone).toBe('America/New_York');
    const pupilClient = await app.as(pupil.username);
    expect((await pupilClient.get<MeResponse>('/api/me')).body.timeZone).toBe('America/New_York');
    expect((await pupilClient.get<SessionResponse>('/api/auth/session')).body.me?.timeZone).toBe('America/New_York');
  });

  it("shows times in the export's offline pages in the pupil's school's zone", async () => {
    const school = await makeSchool(app.database.db);
    const admin = await makeUser(app.database.db, { role: 'admin', schoolId: school.id });
    const pupil = await makeUser(app.database.db, { role: 'pupil', schoolId: school.id });
    const artefact = await makeArtefact(app.database.db, { ownerId: pupil.id, title: 'Kello' });
    // 23:30 UTC: 01:30 the next day in Helsinki, 18:30 the same day in New York.
    await sql`update artefacts set created_at = ${new Date('2026-03-01T23:30:00Z')} where id = ${artefact.id}`.execute(app.database.db);
    const page = `site/artefact-${artefact.id}.html`;

    const helsinki = (await exportPages(pupil.id)).get(page) ?? '';
    expect(helsinki).toContain('March 2, 2026 at 1:30 AM');

    const client = await app.as(admin.username);
    expect((await client.patch(`/api/schools/${school.id}`, { timeZone: 'America/New_York' })).status).toBe(200);
    const newYork = (await exportPages(pupil.id)).get(page) ?? '';
    expect(newYork).toContain('March 1, 2026 at 6:30 PM');
    expect(newYork).not.toContain('1:30 AM');
  });
});
