import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ARCHIVE_PATHS } from '../../shared/portability/portfolio-format.ts';
import { addMember, makeGroup, makeTwoSchools, makeUser } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { testDatabaseKind } from '../helpers/test-db.ts';
import { zipEntryNames } from '../helpers/zip.ts';
import { tinyLeap2a } from '../fixtures/tiny-leap2a.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin/polku.mjs');

let app: TestApp;
let w: Awaited<ReturnType<typeof makeTwoSchools>>;
let work: string;
const title = `Syksyn lehdet ${Date.now() % 100000}`;

/** Runs `node bin/polku.mjs …` as an operator would, against the test database and the app's media folder. */
function polku(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          NODE_ENV: 'test',
          DATABASE_URL: inject('databaseUrl') ?? '',
          DATA_DIR: app.config.dataDir,
          LOG_LEVEL: 'silent',
          DEMO: 'false',
        },
        timeout: 120_000,
      },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

async function artefactTitles(ownerId: string): Promise<string[]> {
  const rows = await app.database.db.selectFrom('artefacts').select('title').where('ownerId', '=', ownerId).execute();
  return rows.map((r) => r.title).sort();
}

// PGlite lives inside the test process; a second process cannot open it, so the CLI is tested on PostgreSQL.
describe.skipIf(testDatabaseKind === 'pglite')(
  'the polku command line (PostgreSQL only: PGlite is in-process and cannot be shared with a child process)',
  () => {
    beforeAll(async () => {
      work = await mkdtemp(path.join(tmpdir(), 'polku-cli-'));
      app = await startTestApp();
      w = await makeTwoSchools(app.database.db);
      const pupil = await app.as(w.pupil.username);
      const form = new FormData();
      form.append('data', JSON.stringify({ title, bodyHtml: '<p>Keräsin vaahteranlehtiä.</p>' }));
      form.append(
        'files',
        new Blob(
          [
            new Uint8Array(
              await sharp({ create: { width: 20, height: 20, channels: 3, background: '#c52' } })
                .png()
                .toBuffer(),
            ),
          ],
          { type: 'image/png' },
        ),
        'lehti.png',
      );
      expect((await pupil.request('POST', '/api/artefacts', form)).status).toBe(201);
    });
    afterAll(async () => {
      await app?.close();
      if (work) await rm(work, { recursive: true, force: true });
    });

    it('exports a portfolio to a ZIP and imports it into another pupil', { timeout: 300_000 }, async () => {
      const file = path.join(work, 'out', 'aino.zip');
      const exported = await polku(['export', w.pupil.username, file, '--locale', 'sv']);
      expect(exported.code, exported.stderr).toBe(0);
      expect(exported.stdout).toMatch(/^Exported the portfolio of .+ \(full\) to .+aino\.zip: \d+ files, [\d.]+ MB\.\n$/);
      expect(exported.stderr).toContain('export media');
      const names = await zipEntryNames(file);
      for (const name of [ARCHIVE_PATHS.site, ARCHIVE_PATHS.document, ARCHIVE_PATHS.leap2a, ARCHIVE_PATHS.manifest]) expect(names).toContain(name);
      expect(names.some((n) => n.startsWith(ARCHIVE_PATHS.filesDir))).toBe(true);

      const other = await makeUser(app.database.db, { role: 'pupil', schoolId: w.schoolA.id });
      await addMember(app.database.db, w.group.id, other.id, 'pupil');
      const dry = await polku(['import', file, '--into', other.username, '--dry-run']);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toContain(title);
      expect(dry.stdout).toContain('Dry run: nothing was imported.');
      expect(await artefactTitles(other.id)).toEqual([]);

      // Without a terminal to ask on, importing needs --yes.
      const unconfirmed = await polku(['import', file, '--into', other.username]);
      expect(unconfirmed.code).toBe(1);
      expect(unconfirmed.stderr).toContain('pass --yes');
      expect(await artefactTitles(other.id)).toEqual([]);

      const imported = await polku(['import', file, '--into', other.username, '--yes']);
      expect(imported.code, imported.stderr).toBe(0);
      expect(imported.stdout).toMatch(/Imported into the portfolio of .+: 0 project\(s\), 1 artefact\(s\), 1 media file\(s\)/);
      expect(await artefactTitles(other.id)).toEqual([title]);
      const media = await app.database.db.selectFrom('mediaItems').select('variants').where('ownerId', '=', other.id).executeTakeFirstOrThrow();
      // Imported media are in the same store the server reads.
      expect(await app.polku.blobs.head(media.variants.original ?? '')).not.toBeNull();
    });

    it('imports a LEAP2A file into a new account at a school', { timeout: 300_000 }, async () => {
      const file = path.join(work, 'leap2a.xml');
      await writeFile(file, tinyLeap2a({ suffix: 'cli' }));
      const username = `cli.${Date.now() % 100000}`;
      const res = await polku(['import', file, '--new-account', '--school', w.schoolA.id, '--group', w.group.id, '--username', username, '--yes']);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout).toContain('create   artefact Kevään lintuhavainnot cli');
      expect(res.stdout).toMatch(/1 project\(s\), 1 artefact\(s\), 0 media file\(s\), 1 feedback message\(s\)/);
      const user = await app.database.db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow();
      expect(await artefactTitles(user.id)).toEqual(['Kevään lintuhavainnot cli']);
      // --group: the new pupil is in the group, so its teachers see the work (issue 9 item 11).
      const membership = await app.database.db.selectFrom('memberships').select('groupId').where('userId', '=', user.id).execute();
      expect(membership.map((m) => m.groupId)).toEqual([w.group.id]);

      // A group of another school is refused by name, before anything is written.
      const foreign = (await makeGroup(app.database.db, w.schoolB.id)).id;
      const refusedName = `cli.refused.${Date.now() % 100000}`;
      const refused = await polku(['import', file, '--new-account', '--school', w.schoolA.id, '--group', foreign, '--username', refusedName, '--yes']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('has no group with the id or name');
      expect(await app.database.db.selectFrom('users').select('id').where('username', '=', refusedName).executeTakeFirst()).toBeUndefined();
    });

    it('fails with a clear message and a non-zero exit: unknown user, unknown school, a file it cannot import, wrong usage', { timeout: 300_000 }, async () => {
      const unknown = await polku(['export', 'nobody.here', path.join(work, 'x.zip')]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toBe('polku: No user has the username "nobody.here".\n');
      await expect(stat(path.join(work, 'x.zip'))).rejects.toThrow();

      const teacher = await polku(['export', w.teacher.username, path.join(work, 'y.zip')]);
      expect(teacher.code).toBe(1);
      expect(teacher.stderr).toContain('is not a pupil');

      const notes = path.join(work, 'notes.txt');
      await writeFile(notes, 'just some notes');
      const rejected = await polku(['import', notes, '--into', w.pupil.username, '--yes']);
      expect(rejected.code).toBe(1);
      expect(rejected.stderr).toMatch(/^polku: the file cannot be imported \(unknown-format\): /);

      const school = await polku(['import', notes, '--new-account', '--school', 'no-such-code']);
      expect(school.code).toBe(1);
      expect(school.stderr).toContain('No school has the id or code "no-such-code"');

      const usage = await polku(['import', notes]);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toContain('--into <username>');
      expect((await polku(['frobnicate'])).code).toBe(2);
      expect(await readFile(notes, 'utf8')).toBe('just some notes');
    });

    it('sets and clears a school code (the operator only: the API refuses it), never one another school holds', { timeout: 300_000 }, async () => {
      const db = app.database.db;
      const code = `T${Date.now() % 1_000_000}`;
      const codeOf = async (id: string) => (await db.selectFrom('schools').select('code').where('id', '=', id).executeTakeFirstOrThrow()).code;
      const set = await polku(['school', 'code', w.schoolA.id, code]);
      expect(set, set.stderr).toMatchObject({ code: 0 });
      expect(set.stdout).toContain(`has the code ${code}`);
      expect(await codeOf(w.schoolA.id)).toBe(code);

      const taken = await polku(['school', 'code', w.schoolB.id, code]);
      expect(taken.code).toBe(1);
      expect(taken.stderr).toContain('clear it there first');
      expect(await codeOf(w.schoolB.id)).not.toBe(code);

      expect((await polku(['school', 'code', w.schoolB.id, 'bad code!'])).code).toBe(2);
      expect((await polku(['school', 'code', w.schoolB.id])).code).toBe(2);
      const audit = await db.selectFrom('auditEvents').select('action').where('subjectId', '=', w.schoolA.id).where('action', '=', 'school.code').execute();
      expect(audit).toHaveLength(1);

      expect((await polku(['school', 'code', w.schoolA.id, '--clear'])).code).toBe(0);
      expect(await codeOf(w.schoolA.id)).toBeNull();
    });
  },
);
