import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { Db, DatabaseHandle } from '../../server/db/database.ts';
import { applyImport, previewImport, type ImportPreview } from '../../server/modules/portability/import/import-archive.ts';
import type { Shape } from '../fixtures/foreign-archives.ts';
import { type ImportHarness, localHarness } from '../fixtures/hostile/import-harness.ts';
import { makeSchool, makeUser } from './factories.ts';
import { openTestDatabase } from './test-db.ts';

/**
 * The bench of the Takeout and Seesaw import tests: a database, blob store and media pipeline, one
 * school, and archives written from a fixture shape; preview and apply into an existing pupil.
 * Registers its own beforeAll/afterAll, so call it at the top of a test file.
 */
export function foreignImportBench(name: string, zip: (s: Shape) => Promise<Buffer>, artefactOrder: 'title' | 'createdAt') {
  let database: DatabaseHandle;
  let h: ImportHarness;
  let dir: string;
  let schoolId: string;
  let counter = 0;

  beforeAll(async () => {
    database = await openTestDatabase();
    h = await localHarness();
    dir = await mkdtemp(path.join(tmpdir(), `polku-${name}-`));
    schoolId = (await makeSchool(database.db)).id;
  });
  afterAll(async () => {
    await h?.close();
    await database?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const target = (pupilId: string) => ({ kind: 'existing' as const, pupilId });
  return {
    get db(): Db {
      return database.db;
    },
    get schoolId(): string {
      return schoolId;
    },
    async archive(s: Shape = {}): Promise<string> {
      const file = path.join(dir, `${name}-${(counter += 1)}.zip`);
      await writeFile(file, await zip(s));
      return file;
    },
    newPupil: () => makeUser(database.db, { role: 'pupil', schoolId }),
    preview: (filePath: string, pupilId: string) => previewImport({ db: database.db, filePath, target: target(pupilId) }),
    apply: (filePath: string, pupilId: string) =>
      applyImport({ db: database.db, blobs: h.blobs, filePath, target: target(pupilId), actorId: null, media: h.media }),
    line(p: ImportPreview, sourceId: string) {
      const found = p.items.find((i) => i.sourceId === sourceId);
      if (!found) throw new Error(`no line for ${sourceId}: ${p.items.map((i) => i.sourceId).join(', ')}`);
      return found;
    },
    /** The pupil's artefacts with their media and feedback. */
    async artefactsOf(pupilId: string) {
      const db = database.db;
      const rows = await db.selectFrom('artefacts').selectAll().where('ownerId', '=', pupilId).orderBy(artefactOrder).execute();
      const ids = rows.length ? rows.map((r) => r.id) : ['00000000-0000-0000-0000-000000000000'];
      const media = await db.selectFrom('mediaItems').selectAll().where('artefactId', 'in', ids).orderBy('position').execute();
      const feedback = await db.selectFrom('feedback').selectAll().where('artefactId', 'in', ids).orderBy('createdAt').execute();
      return rows.map((r) => ({ ...r, media: media.filter((m) => m.artefactId === r.id), feedback: feedback.filter((f) => f.artefactId === r.id) }));
    },
  };
}
