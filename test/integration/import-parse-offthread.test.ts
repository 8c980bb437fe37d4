import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportRejected, applyImport } from '../../server/modules/portability/import/import-archive.ts';
import { localHarness, type ImportHarness } from '../fixtures/hostile/import-harness.ts';
import { FEED_START, feedEntry } from '../fixtures/hostile/make-hostile.ts';
import { makeSchool, makeUser } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

// Issue 8, C11: one deeply nested XML file froze every user of the process while it was parsed.
// Reading an import now runs in worker threads; the event loop keeps answering meanwhile.

describe('a hostile import is parsed off the event loop (issue 8, C11)', () => {
  let app: TestApp;
  let h: ImportHarness;
  let dir: string;

  beforeAll(async () => {
    app = await startTestApp();
    h = await localHarness();
    dir = await mkdtemp(path.join(tmpdir(), 'polku-offthread-'));
  });
  afterAll(async () => {
    await h?.close();
    await app?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('/healthz answers again and again while a large, deeply nested feed is read, and the feed is refused as too deep', async () => {
    const db = app.database.db;
    const school = await makeSchool(db);
    const pupil = await makeUser(db, { role: 'pupil', schoolId: school.id });
    // Many ordinary entries (seconds of parsing), then one that nests far beyond the limit.
    const entries = Array.from({ length: 20_000 }, (_, i) => feedEntry(i)).join('');
    const deep = `<entry><id>urn:deep</id><content type="xhtml">${'<div>'.repeat(5_000)}x${'</div>'.repeat(5_000)}</content></entry>`;
    const file = path.join(dir, 'deep.xml');
    await writeFile(file, `${FEED_START}${entries}${deep}</feed>\n`);

    let settled = false;
    let answeredDuringParse = 0;
    let reading: () => void = () => undefined;
    const readingStarted = new Promise<void>((resolve) => (reading = resolve));
    const result = applyImport({
      db,
      blobs: h.blobs,
      filePath: file,
      target: { kind: 'existing', pupilId: pupil.id },
      actorId: pupil.id,
      media: h.media,
      onProgress: (p) => {
        if (p.phase === 'reading' && p.done === 0) reading();
      },
    }).then(
      () => null,
      (err: unknown) => err,
    );
    void result.finally(() => (settled = true));
    await readingStarted;
    // One request after another, for as long as the import is being read.
    while (!settled) {
      const res = await fetch(`${app.url}/healthz`);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      if (!settled) answeredDuringParse += 1;
    }
    const err = await result;
    expect(err).toBeInstanceOf(ImportRejected);
    expect((err as ImportRejected).code).toBe('xml-too-deep');
    expect((err as ImportRejected).message).toMatch(/deep\.xml.*more than 256 levels deep/);
    // On the event loop the parse let no request through; off it, many (not a timing: an order).
    expect(answeredDuringParse).toBeGreaterThanOrEqual(3);
  }, 120_000);
});
