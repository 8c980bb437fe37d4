import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../server/db/database.ts';
import { ImportRejected, applyImport, previewImport, type ImportTarget } from '../../server/modules/portability/import/import-archive.ts';
import { type ImportHarness, localHarness, schoolState } from '../fixtures/hostile/import-harness.ts';
import { type HostileFixture, VALID_FEED, buildZip, makeHostileFixtures } from '../fixtures/hostile/make-hostile.ts';
import { makeSchool, makeUser } from '../helpers/factories.ts';
import { openTestDatabase } from '../helpers/test-db.ts';

let database: DatabaseHandle;
let h: ImportHarness;
let dir: string;
let fixtures: Record<string, HostileFixture>;
let schoolId: string;
let pupilId: string;

beforeAll(async () => {
  database = await openTestDatabase();
  h = await localHarness();
  dir = await mkdtemp(path.join(tmpdir(), 'polku-hostile-'));
  fixtures = await makeHostileFixtures(dir);
  const school = await makeSchool(database.db);
  schoolId = school.id;
  pupilId = (await makeUser(database.db, { role: 'pupil', schoolId })).id;
});
afterAll(async () => {
  await h?.close();
  await database?.close();
  await rm(dir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<ImportRejected> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof ImportRejected)) throw new Error(`expected ImportRejected, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  return err;
}

const KEYS = [
  'bombRatio',
  'bombTotal',
  'bombLying',
  'tooManyEntries',
  'dotDot',
  'absolute',
  'driveLetter',
  'backslash',
  'symlink',
  'duplicate',
  'duplicateCase',
  'dtd',
  'externalEntity',
  'billionLaughs',
  'deepNesting',
  'manyAttributes',
  'malformed',
  'malformedInZip',
  'invalidUtf8',
  'truncated',
  'corrupt',
  'foreignZip',
  'foreignXml',
  'notAnArchive',
] as const;

describe('hostile and broken archives are refused and write nothing', () => {
  it('the fixture generator makes one fixture for each case', () => {
    expect(Object.keys(fixtures).sort()).toEqual([...KEYS].sort());
  });

  const targets = (): Array<[string, ImportTarget]> => [
    ['an existing pupil', { kind: 'existing', pupilId }],
    ['a new account', { kind: 'new', schoolId, username: 'hostile.import' }],
  ];

  for (const key of KEYS) {
    it(`${key}: preview and apply both reject it with a clear message`, async () => {
      const fixture = fixtures[key];
      if (!fixture) throw new Error(`no fixture ${key}`);
      const before = { rows: await schoolState(database.db, schoolId), blobs: await h.blobKeys() };
      for (const [, target] of targets()) {
        const previewErr = await rejection(previewImport({ db: database.db, filePath: fixture.file, target }));
        expect(previewErr.code).toBe(fixture.code);
        expect(previewErr.message).toMatch(fixture.says);
        const applyErr = await rejection(applyImport({ db: database.db, blobs: h.blobs, filePath: fixture.file, target, actorId: null, media: h.media }));
        expect(applyErr.code).toBe(fixture.code);
      }
      expect(await schoolState(database.db, schoolId)).toEqual(before.rows);
      expect(await h.blobKeys()).toEqual(before.blobs);
      expect(await h.tmpFiles()).toEqual([]);
    });
  }

  it('the same feed, packed well, is accepted (the fixtures fail for the reason they name)', async () => {
    const good = path.join(dir, 'good.zip');
    await writeFile(
      good,
      buildZip([
        { name: 'leap2a.xml', data: Buffer.from(VALID_FEED) },
        { name: 'files/notes.txt', data: Buffer.from('x'.repeat(5000)) },
      ]),
    );
    const preview = await previewImport({ db: database.db, filePath: good, target: { kind: 'existing', pupilId } });
    expect(preview).toMatchObject({ format: 'leap2a', sourceVersion: '2010-07', counts: { create: 1, skip: 0, unmapped: 0 } });
    const bare = path.join(dir, 'good.xml');
    await writeFile(bare, VALID_FEED);
    expect((await previewImport({ db: database.db, filePath: bare, target: { kind: 'existing', pupilId } })).counts.create).toBe(1);
  });

  it('refuses a target that is not a pupil, or a school that does not exist', async () => {
    const teacher = await makeUser(database.db, { role: 'teacher', schoolId });
    const good = path.join(dir, 'good-target.xml');
    await writeFile(good, VALID_FEED);
    const notPupil = await rejection(previewImport({ db: database.db, filePath: good, target: { kind: 'existing', pupilId: teacher.id } }));
    expect(notPupil.code).toBe('target-invalid');
    const noSchool = await rejection(
      applyImport({
        db: database.db,
        blobs: h.blobs,
        filePath: good,
        target: { kind: 'new', schoolId: '00000000-0000-4000-8000-000000000000' },
        actorId: null,
        media: h.media,
      }),
    );
    expect(noSchool.code).toBe('target-invalid');
  });

  it('refuses an archive over the size limit before opening it', async () => {
    const good = path.join(dir, 'good-2.zip');
    await writeFile(good, buildZip([{ name: 'leap2a.xml', data: Buffer.from(VALID_FEED) }]));
    const limits = { maxArchiveBytes: 100, maxEntries: 10, maxTotalUncompressedBytes: 1e6, maxCompressionRatio: 100, maxXmlBytes: 1e6 };
    const err = await rejection(previewImport({ db: database.db, filePath: good, target: { kind: 'existing', pupilId }, limits }));
    expect(err.code).toBe('too-large');
    expect(err.params).toEqual({ context: 'archive', size: (await stat(good)).size, max: 100 });
    expect(err.message).toMatch(/at most 100 bytes can be imported/);
  });
});
