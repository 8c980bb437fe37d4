import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeArtefact, makeTwoSchools } from '../helpers/factories.ts';
import { rawUpload, watchFolder, type RawUpload } from '../helpers/raw-upload.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * Issue 8, B7: nobody's bytes reach the disk before the server knows who sends them and that they may
 * upload there, and no request is larger than its limit, whatever it claims. Every multipart route is
 * taken from the app's own route registry (its OpenAPI document lists each route's multipartDoc), so a
 * new upload route is covered without a line here.
 */
const MB = 1024 * 1024;
let app: TestApp;
let w: Awaited<ReturnType<typeof makeTwoSchools>>;
let cookies: Record<'pupil' | 'classmate' | 'guardian' | 'adminB', string>;
let pupilArtefactId: string;
let multipartRoutes: Array<{ path: string; fileField: string }>;

beforeAll(async () => {
  // Small limits, so "over the limit" is a few megabytes: 1 MB images, 2 MB video → 3 MB per request.
  app = await startTestApp({ env: { MEDIA_MAX_IMAGE_MB: '1', MEDIA_MAX_AUDIO_MB: '1', MEDIA_MAX_VIDEO_MB: '2', MEDIA_MAX_FILE_MB: '1', IMPORT_MAX_MB: '2' } });
  w = await makeTwoSchools(app.database.db);
  pupilArtefactId = (await makeArtefact(app.database.db, { ownerId: w.pupil.id })).id;
  const cookieOf = async (username: string) => (await app.as(username)).cookieHeader;
  cookies = {
    pupil: await cookieOf(w.pupil.username),
    classmate: await cookieOf(w.classmate.username),
    guardian: await cookieOf(w.guardian.username),
    adminB: await cookieOf(w.adminB.username),
  };
  const doc = (
    await app
      .client()
      .get<{ paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: object } }> } }>> }>('/api/openapi.json')
  ).body;
  multipartRoutes = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).flatMap(([method, op]) => {
      const form = op.requestBody?.content['multipart/form-data'];
      if (!form) return [];
      expect(method).toBe('post');
      const fileField = Object.keys(form.schema.properties).find((k) => k === 'files' || k === 'file' || k === 'audio') ?? 'files';
      return [{ path, fileField }];
    }),
  );
});
afterAll(async () => {
  await app?.close();
});

/** Path parameters filled with ids that exist for nobody. */
function concrete(path: string): string {
  return path.replace(/\{[A-Za-z]+\}/g, () => randomUUID());
}

/** Sends the start of a large upload and waits for the answer with the rest held back; records what appeared in the temp folder. */
async function refusedEarly(upload: Omit<RawUpload, 'fileBytes' | 'sendBytes'>, fileBytes = 64 * MB) {
  const tmp = await watchFolder(app.config.media.tmpDir);
  try {
    // 64 MB declared, 256 KB sent: an answer can only come from a server that did not wait for the body.
    const answer = await rawUpload(app.url, { ...upload, fileBytes, sendBytes: 256 * 1024 });
    return { ...answer, seen: [...tmp.seen], left: await readdir(app.config.media.tmpDir) };
  } finally {
    tmp.close();
  }
}

describe('every multipart route checks the sender before reading the body', () => {
  it('finds the upload routes in the registry', () => {
    expect(multipartRoutes.map((r) => r.path).sort()).toEqual([
      '/api/artefacts',
      '/api/artefacts/{artefactId}/feedback/voice',
      '/api/artefacts/{artefactId}/media',
      '/api/goals/{goalId}/pupils/{pupilId}/assessments/voice',
      '/api/imports',
      '/api/schools/{schoolId}/roster-imports',
    ]);
  });

  it('answers 401 to an anonymous 64 MB upload on every route, and nothing reaches the temp folder', async () => {
    for (const route of multipartRoutes) {
      const res = await refusedEarly({ path: concrete(route.path), fileField: route.fileField, fileName: 'iso.mp4' });
      expect([route.path, res.status, res.seen, res.left]).toEqual([route.path, 401, [], []]);
    }
  });

  it('turns away a signed-in user who may not upload there, on every route, before the body', async () => {
    // A guardian adds no artefacts, owns none, and imports nowhere (not even into their child's portfolio).
    const data = JSON.stringify({ target: { kind: 'existing', pupilId: w.pupil.id } });
    const results = [];
    for (const route of multipartRoutes) {
      // Within every request limit, so only the sender's rights can stop it.
      const res = await refusedEarly(
        { path: concrete(route.path), cookie: cookies.guardian, fields: { data }, fileField: route.fileField, fileName: 'iso.mp4' },
        2.5 * MB,
      );
      results.push([route.path, [403, 404].includes(res.status), res.seen, res.left]);
    }
    expect(results).toEqual(multipartRoutes.map((r) => [r.path, true, [], []]));
  });

  it("answers 404 to a pupil uploading into a classmate's artefact, before the body", async () => {
    const res = await refusedEarly({ path: `/api/artefacts/${pupilArtefactId}/media`, cookie: cookies.classmate, fileField: 'files', fileName: 'iso.mp4' });
    expect([res.status, res.seen, res.left]).toEqual([404, [], []]);
  });

  // Issue 10 §3: a voice message is capped at the audio limit (+ the form), declared or not.
  it('refuses a voice message larger than the audio limit from someone who may write there, before the body', async () => {
    const res = await refusedEarly({
      path: `/api/artefacts/${pupilArtefactId}/feedback/voice`,
      cookie: cookies.pupil,
      fileField: 'audio',
      fileName: 'puhe.webm',
    });
    expect([res.status, res.seen, res.left]).toEqual([413, [], []]);
  });

  it("refuses an import into another school's pupil when the form names it, before the archive lands", async () => {
    const res = await refusedEarly(
      {
        path: '/api/imports',
        cookie: cookies.adminB,
        fields: { data: JSON.stringify({ target: { kind: 'existing', pupilId: w.pupil.id } }) },
        fileField: 'file',
        fileName: 'portfolio.zip',
      },
      // Within the request limit, so only the target can stop it.
      2.5 * MB,
    );
    expect([res.status, res.seen, res.left]).toEqual([404, [], []]);
  });
});

describe('a form whose target is checked at its first file reads only the field that names it', () => {
  it('refuses an import form with extra or oversized text fields before reading further (review: megabytes of fields first)', async () => {
    const data = JSON.stringify({ target: { kind: 'existing', pupilId: w.pupil.id } });
    // A guardian may import nowhere; they must not make the server read 64 MB of text before saying so.
    const padded = await rawUpload(app.url, {
      path: '/api/imports',
      cookie: cookies.guardian,
      fields: { data, note: 'x'.repeat(1024 * 1024) },
      fileField: 'file',
      fileName: 'portfolio.zip',
      fileBytes: 1024,
    });
    expect(padded.status).toBe(400);
    const huge = await rawUpload(app.url, {
      path: '/api/imports',
      cookie: cookies.guardian,
      fields: { data: data.padEnd(64 * 1024, ' ') },
      fileField: 'file',
      fileName: 'portfolio.zip',
      fileBytes: 1024,
    });
    expect(huge.status).toBe(400);
  });
});

describe('the whole request has a limit', () => {
  it('answers 413 to a request that declares more than the limit, before reading it', async () => {
    const res = await refusedEarly({
      path: '/api/artefacts',
      cookie: cookies.pupil,
      fields: { data: '{}' },
      fileField: 'files',
      fileName: 'big.mp4',
      declaredLength: 64 * MB,
    });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: { code: 'payload_too_large', message: 'The upload is too large: at most 3 MB can be sent at once.' } });
    expect([res.seen, res.left]).toEqual([[], []]);
  });

  it('counts the bytes of a request that does not say its length, and stops it at the limit (each file within its own)', async () => {
    const res = await rawUpload(app.url, {
      path: '/api/artefacts',
      cookie: cookies.pupil,
      fields: { data: '{}' },
      fileField: 'files',
      fileName: 'big.mp4',
      fileBytes: 1.5 * MB,
      copies: 4,
      chunked: true,
    });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: { code: 'payload_too_large', message: 'The upload is too large: at most 3 MB can be sent at once.' } });
    for (let i = 0; i < 50 && (await readdir(app.config.media.tmpDir)).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await readdir(app.config.media.tmpDir)).toEqual([]);
  });

  it('caps the import upload the same way', async () => {
    const res = await refusedEarly({
      path: '/api/imports',
      cookie: cookies.pupil,
      fields: { data: JSON.stringify({ target: { kind: 'existing', pupilId: w.pupil.id } }) },
      fileField: 'file',
      fileName: 'portfolio.zip',
      declaredLength: 64 * MB,
    });
    expect([res.status, res.seen, res.left]).toEqual([413, [], []]);
  });
});
