import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeSchool } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { testDatabaseKind } from '../helpers/test-db.ts';
import { oneRosterFiles, zipOf, type RosterSpec } from '../fixtures/rosters/make-roster.ts';

/** `npx polku roster import` (issue 11 §2): preview, apply with --apply --yes, refusals, and the embedded database's lock. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin/polku.mjs');
const HOLDER = path.join(ROOT, 'test/fixtures/hold-data-dir.ts');
let work: string;
const children: ChildProcess[] = [];

function polku(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'silent', DEMO: 'false', ...env }, timeout: 240_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

const spec = (code: string): RosterSpec => ({
  school: { sourcedId: code, name: 'Komentorivin koulu', identifier: code },
  classes: [{ id: `c-${code}`, title: '5A', year: '2027' }],
  pupils: [{ id: `p-${code}`, given: 'Aino', family: 'Mäkelä', classes: [`c-${code}`], guardians: [`g-${code}`] }],
  teachers: [{ id: `t-${code}`, given: 'Tiina', family: 'Opettaja', classes: [`c-${code}`] }],
  guardians: [{ id: `g-${code}`, given: 'Maija', family: 'Mäkelä' }],
});

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'polku-roster-cli-'));
});
afterAll(async () => {
  for (const c of children) c.kill();
  await rm(work, { recursive: true, force: true });
});

// PGlite lives inside the test process; a second process cannot open it, so this part runs on PostgreSQL.
describe.skipIf(testDatabaseKind === 'pglite')('polku roster import against PostgreSQL', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('previews without writing, applies with --apply --yes, and refuses a broken roster with a sentence', async () => {
    const code = `c${Date.now() % 1e8}`;
    const school = await makeSchool(app.database.db);
    await app.database.db.updateTable('schools').set({ code }).where('id', '=', school.id).execute();
    const file = path.join(work, 'roster.zip');
    await writeFile(file, zipOf(oneRosterFiles(spec(code))));
    const env = { DATABASE_URL: inject('databaseUrl') ?? '', DATA_DIR: app.config.dataDir };
    const count = async () => (await app.database.db.selectFrom('schoolRoles').select('userId').where('schoolId', '=', school.id).execute()).length;

    const preview = await polku(['roster', 'import', file, '--school', code], env);
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toContain('Users: 3 to create, 0 to update, 0 to deactivate, 0 unchanged.');
    expect(preview.stdout).toContain('Preview only: nothing was changed');
    expect(await count()).toBe(0);

    const unconfirmed = await polku(['roster', 'import', file, '--school', code, '--apply'], env);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toContain('pass --yes');
    expect(await count()).toBe(0);

    const applied = await polku(['roster', 'import', file, '--school', code, '--apply', '--yes'], env);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('Applied: 3 user(s) created');
    expect(await count()).toBe(3);

    const again = await polku(['roster', 'import', file, '--school', code], env);
    expect(again.stdout).toContain('Users: 0 to create, 0 to update, 0 to deactivate, 3 unchanged.');

    const broken = oneRosterFiles(spec(code));
    broken['users.csv'] = String(broken['users.csv']).replace('givenName', 'etunimi');
    await writeFile(file, zipOf(broken));
    const refused = await polku(['roster', 'import', file, '--school', code, '--apply', '--yes'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('polku: the roster cannot be imported (missing_columns): users.csv lacks the column(s) givenName.\n');
    expect(await count()).toBe(3);

    const noSchool = await polku(['roster', 'import', file, '--school', 'nope'], env);
    expect([noSchool.code, noSchool.stderr]).toEqual([1, 'polku: No school has the code "nope".\n']);
  }, 600_000);
});

describe('polku roster import on the embedded database', () => {
  it('refuses while a running Polku holds the data folder, instead of opening it a second time', async () => {
    const dataDir = path.join(work, 'data');
    const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, dataDir, 'lukko.oppilas'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(child);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('ready')) resolve();
      });
      void exited.then((code) => reject(new Error(`the holder exited with ${code} before it was ready`)));
    });
    const file = path.join(work, 'lock-roster.zip');
    await writeFile(file, zipOf(oneRosterFiles(spec('lukko'))));
    const refused = await polku(['roster', 'import', file, '--school', 'lukko', '--apply', '--yes'], { DATA_DIR: dataDir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`polku: Polku is running with this data folder (${path.join(dataDir, 'db')}): process ${child.pid} on this machine`);
    child.stdin!.end();
    expect(await exited).toBe(0);
    // With the server stopped, the command opens the folder (and says the school has no such code).
    const after = await polku(['roster', 'import', file, '--school', 'lukko'], { DATA_DIR: dataDir });
    expect([after.code, after.stderr]).toEqual([1, 'polku: No school has the code "lukko".\n']);
  }, 600_000);
});
