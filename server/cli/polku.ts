import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { LOCALES, type Locale } from '../../shared/roles.ts';
import { loadConfig, ConfigError, type Config } from '../config.ts';
import { DataDirLocked } from '../db/data-dir-lock.ts';
import { openDatabase, type DatabaseHandle } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { pupilFacts } from '../modules/artefacts/artefacts.repo.ts';
import {
  applyImport,
  DEFAULT_IMPORT_LIMITS,
  ImportRejected,
  previewImport,
  writeExportArchive,
  type ImportPreview,
  type ImportTarget,
} from '../modules/portability/engine.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import { openBlobStore } from '../storage/open-blob-store.ts';
import { rosterCommand } from './roster-command.ts';
import { schoolCommand } from './school-command.ts';

/**
 * `npx polku`: export and import portfolios from the command line, against the database and blob
 * store configured by the same environment variables as the server (see README). Progress goes to
 * stderr, the summary to stdout; any failure exits non-zero with a sentence saying what is wrong.
 */
const USAGE = `Usage:
  polku export <username> <file.zip> [--scope full|shared] [--locale fi|sv|en]
  polku import <file.zip|leap2a.xml> --into <username> [--dry-run] [--yes]
  polku import <file.zip|leap2a.xml> --new-account --school <schoolId|code> [--group <groupId|name>] [--username <name>] [--display-name <name>] [--dry-run] [--yes]
  polku roster import <roster.zip> --school <code> [--apply] [--yes]
  polku school code <schoolId|name> <code>|--clear

export  writes a pupil's portfolio archive (offline pages, portfolio.json, LEAP2A, media).
import  shows what a Polku or LEAP2A archive would add, then imports it after confirmation
        (--yes confirms without asking, as needed when input is not a terminal; --dry-run only shows it).
roster  shows what a OneRoster 1.2 or Microsoft SDS v2.1 roster (ZIP of CSV files) would change at a school;
        with --apply it applies it (all or nothing) after confirmation (--yes when input is not a terminal).
school  sets or clears a school's code (Statistics Finland / MPASSid): it decides which school first sign-ins
        naming that code land in, so only the operator sets it, never an admin through Polku.

Settings come from the environment, as for the server: DATABASE_URL, DATA_DIR, S3_* (see README).`;

/** A failure the user can act on: printed as is, exit code 1 (2 for wrong usage). */
class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

interface Resources {
  config: Config;
  database: DatabaseHandle;
  blobs: BlobStore;
}

async function open(): Promise<Resources> {
  const config = loadConfig(process.env);
  const database = await openDatabase(config.database);
  try {
    await migrate(database.db);
    const blobs = await openBlobStore(config.storage, { secret: config.sessionSecret });
    return { config, database, blobs };
  } catch (err) {
    await database.close();
    throw err;
  }
}

async function close({ database, blobs }: Resources): Promise<void> {
  await blobs.close();
  await database.close();
}

async function pupilByUsername(r: Resources, username: string): Promise<{ id: string; displayName: string; locale: Locale | null }> {
  const user = await r.database.db
    .selectFrom('users')
    .select(['id', 'displayName', 'locale'])
    .where('username', '=', username.trim().toLowerCase())
    .executeTakeFirst();
  if (!user) throw new CliError(`No user has the username "${username}".`);
  if (!(await pupilFacts(r.database.db, user.id))) throw new CliError(`"${username}" is not a pupil: only pupils have portfolios.`);
  return user;
}

const progressLine = (text: string) => {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${text}`);
  else process.stderr.write(`${text}\n`);
};
const endProgress = () => {
  if (process.stderr.isTTY) process.stderr.write('\n');
};
const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Progress lines at most a few times a second (every change of phase is shown). */
function throttled(print: (phase: string, text: string) => void) {
  let last = 0;
  let lastPhase = '';
  return (phase: string, text: string) => {
    const now = Date.now();
    if (phase === lastPhase && now - last < 250) return;
    last = now;
    lastPhase = phase;
    print(phase, text);
  };
}

async function exportCommand(args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { scope: { type: 'string', default: 'full' }, locale: { type: 'string' } },
  });
  const [username, file] = positionals;
  if (!username || !file || positionals.length > 2) throw new CliError(`export needs a username and a file name.\n\n${USAGE}`, 2);
  const scope = values.scope;
  if (scope !== 'full' && scope !== 'shared') throw new CliError('--scope must be full or shared.', 2);
  const locale = values.locale;
  if (locale !== undefined && !(LOCALES as readonly string[]).includes(locale)) throw new CliError(`--locale must be one of ${LOCALES.join(', ')}.`, 2);

  const r = await open();
  const target = path.resolve(file);
  let written = false;
  try {
    const pupil = await pupilByUsername(r, username);
    await mkdir(path.dirname(target), { recursive: true });
    const output = createWriteStream(target);
    written = true;
    const print = throttled((_phase, text) => progressLine(text));
    const finished = new Promise<void>((resolve, reject) => {
      output.once('finish', resolve);
      output.once('close', resolve);
      output.once('error', reject);
    });
    const result = await writeExportArchive(
      {
        db: r.database.db,
        blobs: r.blobs,
        pupilId: pupil.id,
        scope,
        locale: (locale as Locale | undefined) ?? pupil.locale ?? 'fi',
        onProgress: (p) => print(p.phase, `export ${p.phase}: ${p.done}/${p.total}, ${megabytes(p.bytes)}`),
      },
      output,
    );
    if (!output.writableEnded) output.end();
    await finished;
    endProgress();
    const size = (await stat(target)).size;
    process.stdout.write(`Exported the portfolio of ${pupil.displayName} (${scope}) to ${target}: ${result.entries} files, ${megabytes(size)}.\n`);
  } catch (err) {
    endProgress();
    if (written) await rm(target, { force: true });
    throw err;
  } finally {
    await close(r);
  }
}

const FORMAT_NAMES = { polku: 'Polku archive', leap2a: 'LEAP2A', takeout: 'Google Takeout', seesaw: 'Seesaw journal' } as const;

function printPreview(preview: ImportPreview): void {
  const out = process.stdout;
  out.write(`${FORMAT_NAMES[preview.format]} ${preview.sourceVersion}, portfolio of ${preview.pupilName}\n`);
  // The learner's profile as the archive states it (never used to link an account).
  for (const f of preview.profile ?? []) out.write(`  profile  ${f.label || f.field}: ${f.value}\n`);
  for (const item of preview.items) out.write(`  ${item.action.padEnd(8)} ${item.type.padEnd(8)} ${item.title}${item.reason ? `  (${item.reason})` : ''}\n`);
  out.write(`${preview.counts.create} to create, ${preview.counts.skip} to skip, ${preview.counts.unmapped} that cannot be imported.\n`);
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^(y|yes|k|kyllä|j|ja)$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

async function importTarget(
  r: Resources,
  values: {
    into?: string | undefined;
    'new-account'?: boolean | undefined;
    school?: string | undefined;
    group?: string | undefined;
    username?: string | undefined;
    'display-name'?: string | undefined;
  },
): Promise<{ target: ImportTarget; label: string }> {
  if (values.into && values['new-account']) throw new CliError('Choose either --into <username> or --new-account, not both.', 2);
  if (values.into && values.group) throw new CliError('--group places a new account in a group: use it with --new-account.', 2);
  if (values.into) {
    const pupil = await pupilByUsername(r, values.into);
    return { target: { kind: 'existing', pupilId: pupil.id }, label: `the portfolio of ${pupil.displayName}` };
  }
  if (!values['new-account']) throw new CliError(`Say where to import: --into <username>, or --new-account --school <schoolId|code>.\n\n${USAGE}`, 2);
  if (!values.school) throw new CliError('--new-account needs --school <schoolId|code>.', 2);
  const key = values.school;
  const isId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(key);
  const school = await r.database.db
    .selectFrom('schools')
    .select(['id', 'name'])
    .where((eb) => (isId ? eb.or([eb('id', '=', key), eb('code', '=', key)]) : eb('code', '=', key)))
    .executeTakeFirst();
  if (!school) throw new CliError(`No school has the id or code "${key}".`);
  const group = values.group ? await groupOfSchool(r, school, values.group) : null;
  return {
    target: {
      kind: 'new',
      schoolId: school.id,
      ...(values.username ? { username: values.username } : {}),
      ...(values['display-name'] ? { displayName: values['display-name'] } : {}),
      ...(group ? { groupId: group.id } : {}),
    },
    label: `a new pupil account at ${school.name}${group ? ` in the group ${group.name}` : ''}`,
  };
}

/** The group the new pupil joins, by id or by name, only among the school's own groups (the writer checks again). */
async function groupOfSchool(r: Resources, school: { id: string; name: string }, key: string): Promise<{ id: string; name: string }> {
  const isId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(key);
  const groups = await r.database.db
    .selectFrom('groups')
    .select(['id', 'name'])
    .where('schoolId', '=', school.id)
    .where((eb) => (isId ? eb.or([eb('id', '=', key), eb('name', '=', key)]) : eb('name', '=', key)))
    .execute();
  if (groups.length === 0) throw new CliError(`${school.name} has no group with the id or name "${key}".`);
  if (groups.length > 1) throw new CliError(`${school.name} has ${groups.length} groups named "${key}": give the group's id.`);
  return groups[0]!;
}

async function importCommand(args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      into: { type: 'string' },
      'new-account': { type: 'boolean' },
      school: { type: 'string' },
      group: { type: 'string' },
      username: { type: 'string' },
      'display-name': { type: 'string' },
      'dry-run': { type: 'boolean' },
      yes: { type: 'boolean', short: 'y' },
    },
  });
  const [file] = positionals;
  if (!file || positionals.length > 1) throw new CliError(`import needs one file.\n\n${USAGE}`, 2);
  const filePath = path.resolve(file);
  const info = await stat(filePath).catch(() => null);
  if (!info?.isFile()) throw new CliError(`There is no file ${filePath}.`);

  const r = await open();
  try {
    const { target, label } = await importTarget(r, values);
    const limits = { ...DEFAULT_IMPORT_LIMITS, maxArchiveBytes: r.config.portability.importMaxBytes };
    const preview = await previewImport({ db: r.database.db, filePath, target, limits });
    printPreview(preview);
    if (values['dry-run']) {
      process.stdout.write('Dry run: nothing was imported.\n');
      return;
    }
    if (preview.counts.create === 0) {
      process.stdout.write('Nothing to import.\n');
      return;
    }
    if (!values.yes) {
      if (!process.stdin.isTTY) throw new CliError('Not importing without confirmation: pass --yes to import when the input is not a terminal.');
      if (!(await confirm(`Import ${preview.counts.create} item(s) into ${label}? [y/N] `))) {
        process.stdout.write('Nothing was imported.\n');
        return;
      }
    }
    const print = throttled((_phase, text) => progressLine(text));
    const report = await applyImport({
      db: r.database.db,
      blobs: r.blobs,
      filePath,
      target,
      actorId: null,
      limits,
      media: r.config.media,
      onProgress: (p) => print(p.phase, `import ${p.phase}: ${p.done}/${p.total}`),
    });
    endProgress();
    const c = report.created;
    process.stdout.write(
      `Imported into ${label} (pupil id ${report.pupilId}): ${c.projects} project(s), ${c.artefacts} artefact(s), ${c.media} media file(s), ${c.feedback} feedback message(s); ${report.counts.skip} skipped, ${report.counts.unmapped} not importable.\n`,
    );
  } finally {
    await close(r);
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'export') await exportCommand(rest);
    else if (command === 'roster') await rosterCommand(rest, { open, close, confirm, CliError, usage: USAGE });
    else if (command === 'import') await importCommand(rest);
    else if (command === 'school') await schoolCommand(rest, { open, close, CliError, usage: USAGE });
    else if (command === undefined || command === 'help' || command === '--help' || command === '-h') process.stdout.write(`${USAGE}\n`);
    else throw new CliError(`Unknown command "${command}".\n\n${USAGE}`, 2);
    return 0;
  } catch (err) {
    endProgress();
    if (err instanceof CliError) {
      process.stderr.write(`polku: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof ImportRejected) {
      process.stderr.write(`polku: the file cannot be imported (${err.code}): ${err.message}\n`);
      return 1;
    }
    if (err instanceof DataDirLocked) {
      process.stderr.write(`polku: ${err.message}\n`);
      return 1;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    // parseArgs errors (unknown option …) say what was wrong.
    if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`polku: ${err.message}\n\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`polku: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
