import { parseArgs } from 'node:util';
import type { DatabaseHandle } from '../db/database.ts';
import { recordAudit } from '../modules/audit/audit.service.ts';

interface CliParts<R extends { database: DatabaseHandle }> {
  open(): Promise<R>;
  close(r: R): Promise<void>;
  CliError: new (message: string, exitCode?: number) => Error;
  usage: string;
}

/** A school code as Statistics Finland and MPASSid write them: letters, digits, dot, dash, underscore. */
const CODE = /^[A-Za-z0-9._-]{1,20}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `polku school code <schoolId|name> <code>` and `… --clear`: the operator sets a school's code. The code decides
 * which school a first sign-in with MPASSid's school claim lands in and which roster is the school's own, so no
 * admin may set it through the API (shared/api/org.ts): an admin could otherwise claim a school not yet here.
 */
export async function schoolCommand<R extends { database: DatabaseHandle }>(args: string[], cli: CliParts<R>): Promise<void> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { clear: { type: 'boolean' } } });
  const [sub, key, code] = positionals;
  if (sub !== 'code' || !key || positionals.length > 3 || (code === undefined) === !values.clear)
    throw new cli.CliError(`school code needs a school and a code (or --clear).\n\n${cli.usage}`, 2);
  if (code !== undefined && !CODE.test(code)) throw new cli.CliError('A school code is 1 to 20 letters, digits, dots, dashes or underscores.', 2);
  const r = await cli.open();
  try {
    const db = r.database.db;
    const schools = await db
      .selectFrom('schools')
      .select(['id', 'name', 'code'])
      .where((eb) => (UUID.test(key) ? eb('id', '=', key) : eb('name', '=', key)))
      .execute();
    if (schools.length === 0) throw new cli.CliError(`No school has the id or name "${key}".`);
    if (schools.length > 1) throw new cli.CliError(`${schools.length} schools are named "${key}": give the school's id.`);
    const school = schools[0]!;
    const next = code ?? null;
    await db.transaction().execute(async (trx) => {
      if (next !== null) {
        const holder = await trx.selectFrom('schools').select(['id', 'name']).where('code', '=', next).where('id', '<>', school.id).executeTakeFirst();
        if (holder) throw new cli.CliError(`The code "${next}" belongs to ${holder.name} (${holder.id}): clear it there first.`);
      }
      await trx.updateTable('schools').set({ code: next, updatedAt: new Date() }).where('id', '=', school.id).execute();
      await recordAudit(trx, { actorId: null, action: 'school.code', subjectType: 'school', subjectId: school.id, details: { from: school.code, to: next } });
    });
    process.stdout.write(next === null ? `${school.name} has no code now.\n` : `${school.name} has the code ${next}.\n`);
  } finally {
    await cli.close(r);
  }
}
