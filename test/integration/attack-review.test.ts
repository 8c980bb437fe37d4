import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../server/db/database.ts';
import { limitNesting, sanitizeRichText } from '../../server/modules/artefacts/sanitize.ts';
import { applyImport, DEFAULT_IMPORT_LIMITS, previewImport } from '../../server/modules/portability/import/import-archive.ts';
import { usernameFrom } from '../../server/modules/portability/import/import-target.ts';
import { plainText } from '../../server/modules/portability/import/leap2a-entries.ts';
import { embeddedRefs, rewriteEmbedded } from '../../server/modules/portability/import/leap2a-mahara-plan.ts';
import { ImportRejected } from '../../server/modules/portability/import/import-rejected.ts';
import { picture } from '../fixtures/foreign-archives.ts';
import { tinyLeap2a } from '../fixtures/tiny-leap2a.ts';
import { type ImportHarness, localHarness } from '../fixtures/hostile/import-harness.ts';
import { buildZip } from '../fixtures/hostile/make-hostile.ts';
import { makeSchool, makeUser } from '../helpers/factories.ts';
import { openTestDatabase } from '../helpers/test-db.ts';

// Holes found in an attack review of the Takeout/Seesaw/Mahara imports, tags, pupil-owned projects and
// media conversions (after issue 8's rules). Each test failed on the code before its fix.

let database: DatabaseHandle;
let h: ImportHarness;
let dir: string;
let schoolId: string;

beforeAll(async () => {
  database = await openTestDatabase();
  h = await localHarness();
  dir = await mkdtemp(path.join(tmpdir(), 'polku-attack-'));
  schoolId = (await makeSchool(database.db)).id;
});
afterAll(async () => {
  await h?.close();
  await database?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<ImportRejected> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof ImportRejected)) throw new Error(`expected ImportRejected, got ${String(err)}`);
  return err;
}

/** A Seesaw journal whose one month page shows the same photo in `posts` posts, `perPost` times each (under other spellings). */
async function oneFileShownOften(posts: number, perPost: number): Promise<string> {
  const index =
    '<!DOCTYPE html><html><head><meta name="generator" content="Seesaw Learning journal download"></head><body><p class="student-name">A</p></body></html>';
  const refs = (i: number) => Array.from({ length: perPost }, (_, j) => `<img src="./media/${'x/../'.repeat(j)}kuva.png?${i}">`).join('');
  const month = `<html><body>${Array.from({ length: posts }, (_, i) => `<div class="post" data-post-id="p${i}"><div class="caption">Työ ${i}</div>${refs(i)}</div>`).join('')}</body></html>`;
  const file = path.join(dir, `often-${posts}-${perPost}.zip`);
  await writeFile(
    file,
    buildZip([
      { name: 'index.html', data: Buffer.from(index) },
      { name: '2023-10.html', data: Buffer.from(month) },
      { name: 'media/kuva.png', data: await picture('png', 64, 64) },
    ]),
  );
  return file;
}

describe('an archive cannot make the importer process one file without end', () => {
  it('one small photo shown in many posts is refused before anything is processed or stored (work bounded by the archive limits)', async () => {
    const pupil = await makeUser(database.db, { role: 'pupil', schoolId });
    const file = await oneFileShownOften(30, 10);
    // 300 references to one entry of a 3-entry archive: with limits that allow 20 entries, the work is 15 times what the archive may hold.
    const limits = { ...DEFAULT_IMPORT_LIMITS, maxEntries: 20 };
    const target = { kind: 'existing' as const, pupilId: pupil.id };
    const err = await rejection(previewImport({ db: database.db, filePath: file, target, limits }));
    expect(err.code).toBe('too-many-entries');
    await rejection(applyImport({ db: database.db, blobs: h.blobs, filePath: file, target, actorId: null, media: h.media, limits }));
    const media = await database.db
      .selectFrom('mediaItems')
      .innerJoin('artefacts', 'artefacts.id', 'mediaItems.artefactId')
      .select('mediaItems.id')
      .where('artefacts.ownerId', '=', pupil.id)
      .execute();
    expect(media).toEqual([]);
  });

  it('an honest journal (each file shown once) is still imported under the same limits', async () => {
    const pupil = await makeUser(database.db, { role: 'pupil', schoolId });
    const file = await oneFileShownOften(1, 1);
    const limits = { ...DEFAULT_IMPORT_LIMITS, maxEntries: 20 };
    const result = await applyImport({
      db: database.db,
      blobs: h.blobs,
      filePath: file,
      target: { kind: 'existing', pupilId: pupil.id },
      actorId: null,
      media: h.media,
      limits,
    });
    expect(result.created.media).toBe(1);
  });
});

// Tags that never close: the tag patterns of the nesting limit (every artefact save, on the event loop),
// of LEAP2A's plain text and of Mahara's embedded images tried every '<' against the rest of the text
// (100,000 characters of "<a" froze the server for hours). No timing is asserted: on the old code these
// calls do not return within the test's time limit at all, on the new they take milliseconds.
describe('rich text that never closes its tags costs linear time', () => {
  const HOSTILE = 100_000;
  it('the sanitiser every artefact save runs (nesting limit first) returns on 100,000 characters of unclosed tags', { timeout: 60_000 }, () => {
    const unclosed = '<a'.repeat(HOSTILE / 2);
    expect(limitNesting(unclosed)).toBe(unclosed);
    expect(sanitizeRichText(`<p>x</p>${'<b'.repeat(HOSTILE / 2)}`)).toContain('x');
    // Deep nesting is still cut, with a tag that never closes after it.
    const deep = `${'<b>'.repeat(100)}x${'</b>'.repeat(100)}<i`;
    expect((limitNesting(deep).match(/<b>/g) ?? []).length).toBe(64);
  });

  it('LEAP2A plain text and Mahara embedded images return on unclosed tags, and still read real ones', { timeout: 60_000 }, () => {
    expect(plainText('<'.repeat(HOSTILE))).toBe('<'.repeat(HOSTILE));
    expect(plainText('<p>Hei <b>maailma</b></p>')).toBe('Hei maailma');
    const imgs = '<img'.repeat(HOSTILE / 4);
    expect(embeddedRefs(imgs)).toEqual([]);
    expect(rewriteEmbedded(imgs, () => undefined)).toBe(imgs);
    expect(embeddedRefs('<p><img rel="leap2:has_part" href="portfolio:artefact7" alt="kuva"></p>')).toEqual(['portfolio:artefact7']);
  });

  it("a new pupil's sign-in name from an archive's endless username is made in linear time", { timeout: 60_000 }, () => {
    expect(usernameFrom(`aino${'!.'.repeat(HOSTILE * 5)}x`, 'Aino')).toBe('aino');
    expect(usernameFrom('Äino Öljymäki', 'x')).toBe('aino.oljymaki');
  });
});

describe("an imported file's name is cleaned as an uploaded one's (issue 8, item 17)", () => {
  it('a Seesaw file named with a right-to-left override is stored without it (it cannot pose as another type)', async () => {
    const pupil = await makeUser(database.db, { role: 'pupil', schoolId });
    const posing = 'lasku\u202Efdp.png';
    const index = '<html><head><meta name="generator" content="Seesaw Learning journal download"></head><body></body></html>';
    const month = `<html><body><div class="post" data-post-id="p1"><div class="caption">Lasku</div><img src="media/${encodeURIComponent(posing)}"></div></body></html>`;
    const file = path.join(dir, 'bidi.zip');
    await writeFile(
      file,
      buildZip([
        { name: 'index.html', data: Buffer.from(index) },
        { name: '2023-10.html', data: Buffer.from(month) },
        { name: `media/${posing}`, data: await picture('png', 32, 32) },
      ]),
    );
    await applyImport({ db: database.db, blobs: h.blobs, filePath: file, target: { kind: 'existing', pupilId: pupil.id }, actorId: null, media: h.media });
    const rows = await database.db
      .selectFrom('mediaItems')
      .innerJoin('artefacts', 'artefacts.id', 'mediaItems.artefactId')
      .select('mediaItems.originalName')
      .where('artefacts.ownerId', '=', pupil.id)
      .execute();
    expect(rows.map((r) => r.originalName)).toEqual(['laskufdp.png']);
  });
});

describe('hidden characters in names: refused by the API, dropped from archives on the one way in', () => {
  it('a LEAP2A title with a right-to-left override is stored without it, for the work and its project', async () => {
    const pupil = await makeUser(database.db, { role: 'pupil', schoolId });
    const file = path.join(dir, 'bidi-title.xml');
    await writeFile(file, tinyLeap2a({ suffix: '\u202Eevil\u2066' }));
    await applyImport({ db: database.db, blobs: h.blobs, filePath: file, target: { kind: 'existing', pupilId: pupil.id }, actorId: null, media: h.media });
    const artefacts = await database.db.selectFrom('artefacts').select('title').where('ownerId', '=', pupil.id).execute();
    expect(artefacts.map((a) => a.title)).toEqual(['Kevään lintuhavainnot evil']);
    const projects = await database.db.selectFrom('projects').select('title').where('ownerId', '=', pupil.id).execute();
    expect(projects.map((p) => p.title)).toEqual(['Luontoprojekti evil']);
  });
});
