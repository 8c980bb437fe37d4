import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { RosterPreview } from '../../shared/api/rosters.ts';
import type { Config } from '../config.ts';
import type { DatabaseHandle } from '../db/database.ts';
import { applyRoster } from '../modules/rosters/roster-apply.ts';
import { RosterRejected, rosterLimits } from '../modules/rosters/roster-csv.ts';
import { previewRoster } from '../modules/rosters/rosters.service.ts';

interface CliParts<R extends { config: Config; database: DatabaseHandle }> {
  open(): Promise<R>;
  close(r: R): Promise<void>;
  confirm(question: string): Promise<boolean>;
  CliError: new (message: string, exitCode?: number) => Error;
  usage: string;
}

/**
 * Cells from a roster are printed as data: control characters (a terminal escape sequence hidden in a name)
 * are shown as `?`, never passed to the terminal.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const shown = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');

function printPreview(p: RosterPreview, school: string): void {
  const out = process.stdout;
  const c = p.counts;
  out.write(`${p.format === 'oneroster' ? 'OneRoster' : 'Microsoft SDS'} roster of ${shown(p.rosterSchool.name)} for ${shown(school)}\n`);
  for (const u of p.users)
    out.write(`  ${u.action.padEnd(10)} user   ${shown(u.displayName)} (${u.role ?? '-'})${u.changes.length ? `: ${u.changes.join(', ')}` : ''}\n`);
  for (const g of p.groups) out.write(`  ${g.action.padEnd(10)} group  ${shown(g.name)}${g.schoolYear ? ` ${g.schoolYear}` : ''}\n`);
  for (const x of p.unusable) out.write(`  unusable   ${x.file} line ${x.line}: ${shown(x.message)}\n`);
  out.write(
    `Users: ${c.users.create} to create, ${c.users.update} to update, ${c.users.deactivate} to deactivate, ${c.users.unchanged} unchanged. ` +
      `Groups: ${c.groups.create} to create, ${c.groups.update} to update. Memberships: ${c.memberships.create} to add, ${c.memberships.remove} to remove. ` +
      `Guardian links: ${c.guardianLinks.create} to add, ${c.guardianLinks.remove} to remove. ${c.unusable} row(s) cannot be used` +
      `${c.otherSchools ? `; ${c.otherSchools} user(s) of other schools left out` : ''}.\n`,
  );
}

/**
 * `polku roster import <file> --school <code> [--apply] [--yes]`. It opens the database like every command:
 * on the embedded database a running server holds the data folder's lock, and the command refuses with a
 * sentence instead of opening it a second time (see server/db/data-dir-lock.ts); on PostgreSQL it runs
 * beside the server, and the apply is one transaction.
 */
export async function rosterCommand<R extends { config: Config; database: DatabaseHandle }>(args: string[], cli: CliParts<R>): Promise<void> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { school: { type: 'string' }, apply: { type: 'boolean' }, yes: { type: 'boolean', short: 'y' } },
  });
  const [sub, file] = positionals;
  if (sub !== 'import' || !file || positionals.length > 2) throw new cli.CliError(`roster import needs one file.\n\n${cli.usage}`, 2);
  if (!values.school) throw new cli.CliError('roster import needs --school <code>.', 2);
  const filePath = path.resolve(file);
  const info = await stat(filePath).catch(() => null);
  if (!info?.isFile()) throw new cli.CliError(`There is no file ${filePath}.`);
  const r = await cli.open();
  try {
    const db = r.database.db;
    const school = await db.selectFrom('schools').select(['id', 'code', 'name']).where('code', '=', values.school).executeTakeFirst();
    if (!school) throw new cli.CliError(`No school has the code "${values.school}".`);
    const limits = rosterLimits(r.config.portability.importMaxBytes);
    let result;
    try {
      result = await previewRoster(db, filePath, school, limits);
    } catch (err) {
      if (err instanceof RosterRejected) throw new cli.CliError(`the roster cannot be imported (${err.code}): ${err.message}`);
      throw err;
    }
    printPreview(result.preview, school.name);
    if (!values.apply) {
      process.stdout.write('Preview only: nothing was changed (add --apply to apply it).\n');
      return;
    }
    if (!values.yes) {
      if (!process.stdin.isTTY) throw new cli.CliError('Not applying without confirmation: pass --yes to apply when the input is not a terminal.');
      if (!(await cli.confirm(`Apply this roster to ${school.name}? [y/N] `))) {
        process.stdout.write('Nothing was changed.\n');
        return;
      }
    }
    const applied = await applyRoster({
      db,
      schoolId: school.id,
      roster: result.roster,
      actorId: null,
      importId: 'cli',
      onProgress: (p) => process.stderr.isTTY && process.stderr.write(`\r\x1b[2Kroster ${p.phase}: ${p.done}/${p.total}`),
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    const c = applied.counts;
    process.stdout.write(
      `Applied: ${c.users.create} user(s) created, ${c.users.update} updated, ${c.users.deactivate} deactivated; ${c.groups.create} group(s) created; ` +
        `${c.memberships.create} membership(s) added, ${c.memberships.remove} removed; ${c.guardianLinks.create} guardian link(s) added, ${c.guardianLinks.remove} removed.\n`,
    );
  } finally {
    await cli.close(r);
  }
}
