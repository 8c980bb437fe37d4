import type { RosterFormat } from '../../../shared/api/rosters.ts';
import { RosterRejected, type CsvRow, type RosterZip } from './roster-csv.ts';

/** A roster as the files state it, all schools together, before anything is matched with Polku. */
export interface ParsedRoster {
  format: RosterFormat;
  orgs: Array<{ sourcedId: string; name: string; type: string; identifier: string }>;
  users: ParsedUser[];
  /** user sourcedId → roles stated for them (raw role, org). */
  roles: Map<string, Array<{ role: string; orgId: string }>>;
  classes: Array<{ sourcedId: string; title: string; orgId: string; sessionIds: string[]; line: number; active: boolean }>;
  sessions: Map<string, { title: string; schoolYear: string }>;
  enrollments: Array<{ classId: string; userId: string; line: number; active: boolean }>;
  /** Pairs stated by agentSourcedIds / relationships.csv, in either direction. */
  relations: Array<{ a: string; b: string; file: string; line: number }>;
  birthDates: Map<string, { value: string; file: string; line: number }>;
}

export interface ParsedUser {
  sourcedId: string;
  line: number;
  givenName: string;
  familyName: string;
  username: string;
  email: string;
  learnerId: string;
  active: boolean;
}

const ACTIVE = (row: CsvRow) => !['tobedeleted', 'inactive', 'deleted'].includes((row.status ?? '').toLowerCase());
/** Ids listed in one cell (orgs, agents): no real person has more than a few; a crafted cell of thousands would multiply every later step. */
export const LIST_CELL_MAX = 20;
const list = (value: string | undefined) =>
  (value ?? '')
    .split(/[,;]/, LIST_CELL_MAX * 4)
    .map((v) => v.trim())
    .filter(Boolean)
    .slice(0, LIST_CELL_MAX);

/** OneRoster names the national learner id in `userIds` as `{type:id}`; these types are taken as one. */
const LEARNER_ID_TYPES = new Set(['learnerid', 'nationallearnerid', 'oppijanumero', 'oid', 'mpassid_learnerid']);

function learnerIdOf(userIds: string | undefined): string {
  for (const match of (userIds ?? '').matchAll(/\{([^:{}]+):([^{}]+)\}/g)) {
    if (LEARNER_ID_TYPES.has(match[1]!.trim().toLowerCase())) return match[2]!.trim();
  }
  return '';
}

export async function readRoster(zip: RosterZip): Promise<ParsedRoster> {
  if (!zip.has('users.csv'))
    throw new RosterRejected(zip.has('roles.csv') || zip.has('manifest.csv') ? 'missing_file' : 'unknown_format', { file: 'users.csv' });
  if (zip.has('manifest.csv')) return readOneRoster(zip);
  if (zip.has('roles.csv')) return readSds(zip);
  throw new RosterRejected('unknown_format');
}

function emptyRoster(format: RosterFormat): ParsedRoster {
  return { format, orgs: [], users: [], roles: new Map(), classes: [], sessions: new Map(), enrollments: [], relations: [], birthDates: new Map() };
}

/** Rows with an id column: the same id twice refuses the file (which row would be meant?). */
function uniqueIds(file: string) {
  const seen = new Map<string, number>();
  return (id: string, line: number) => {
    const first = seen.get(id);
    if (first !== undefined) throw new RosterRejected('duplicate_id', { file, line, id, first });
    seen.set(id, line);
  };
}

function addRole(r: ParsedRoster, userId: string, role: string, orgId: string) {
  const roles = r.roles.get(userId) ?? [];
  roles.push({ role: role.trim().toLowerCase(), orgId });
  r.roles.set(userId, roles);
}

async function readOrgs(zip: RosterZip, r: ParsedRoster): Promise<void> {
  const check = uniqueIds('orgs.csv');
  await zip.rows('orgs.csv', ['sourcedId', 'name', 'type'], (row, line) => {
    if (!row.sourcedid || !ACTIVE(row)) return;
    check(row.sourcedid, line);
    r.orgs.push({ sourcedId: row.sourcedid, name: row.name ?? '', type: (row.type ?? '').toLowerCase(), identifier: row.identifier ?? '' });
  });
}

async function readSessions(zip: RosterZip, r: ParsedRoster, required: boolean): Promise<void> {
  if (!required && !zip.has('academicSessions.csv')) return;
  await zip.rows('academicSessions.csv', ['sourcedId', 'title'], (row) => {
    if (row.sourcedid) r.sessions.set(row.sourcedid, { title: row.title ?? '', schoolYear: row.schoolyear ?? '' });
  });
}

async function readDemographics(zip: RosterZip, r: ParsedRoster, idColumn: 'sourcedId' | 'userSourcedId'): Promise<void> {
  if (!zip.has('demographics.csv')) return;
  await zip.rows('demographics.csv', [idColumn, 'birthDate'], (row, line) => {
    const id = row[idColumn.toLowerCase()];
    if (id && row.birthdate) r.birthDates.set(id, { value: row.birthdate, file: 'demographics.csv', line });
  });
}

/** OneRoster 1.1 / 1.2 CSV: roles in users.csv (`role`, `orgSourcedIds`) or in roles.csv (1.2); guardians through `agentSourcedIds`. */
async function readOneRoster(zip: RosterZip): Promise<ParsedRoster> {
  const r = emptyRoster('oneroster');
  await zip.rows('manifest.csv', ['propertyName', 'value'], () => undefined);
  await readOrgs(zip, r);
  const check = uniqueIds('users.csv');
  let inlineRoles = false;
  await zip.rows('users.csv', ['sourcedId', 'givenName', 'familyName'], (row, line) => {
    if (!row.sourcedid) return;
    check(row.sourcedid, line);
    const active = ACTIVE(row) && (row.enableduser ?? 'true').toLowerCase() !== 'false';
    r.users.push({
      sourcedId: row.sourcedid,
      line,
      givenName: row.givenname ?? '',
      familyName: row.familyname ?? '',
      username: row.username ?? '',
      email: row.email ?? '',
      learnerId: learnerIdOf(row.userids),
      active,
    });
    if (row.role !== undefined) {
      inlineRoles = true;
      for (const org of list(row.orgsourcedids)) addRole(r, row.sourcedid, row.role, org);
    }
    for (const agent of list(row.agentsourcedids)) r.relations.push({ a: row.sourcedid, b: agent, file: 'users.csv', line });
    if (row.birthdate) r.birthDates.set(row.sourcedid, { value: row.birthdate, file: 'users.csv', line });
  });
  // No users at all: there are no roles to look up, and the school's check says what is wrong (no_users).
  if (!inlineRoles && r.users.length > 0) {
    await zip.rows('roles.csv', ['userSourcedId', 'role', 'orgSourcedId'], (row) => {
      if (row.usersourcedid && ACTIVE(row)) addRole(r, row.usersourcedid, row.role ?? '', row.orgsourcedid ?? '');
    });
  }
  const checkClass = uniqueIds('classes.csv');
  await zip.rows('classes.csv', ['sourcedId', 'title', 'schoolSourcedId'], (row, line) => {
    if (!row.sourcedid) return;
    checkClass(row.sourcedid, line);
    r.classes.push({
      sourcedId: row.sourcedid,
      title: row.title ?? '',
      orgId: row.schoolsourcedid ?? '',
      sessionIds: list(row.termsourcedids),
      line,
      active: ACTIVE(row),
    });
  });
  await zip.rows('enrollments.csv', ['classSourcedId', 'userSourcedId'], (row, line) => {
    r.enrollments.push({ classId: row.classsourcedid ?? '', userId: row.usersourcedid ?? '', line, active: ACTIVE(row) });
  });
  await readSessions(zip, r, true);
  await readDemographics(zip, r, 'sourcedId');
  return r;
}

/** Microsoft School Data Sync v2.1 CSV. */
async function readSds(zip: RosterZip): Promise<ParsedRoster> {
  const r = emptyRoster('sds');
  await readOrgs(zip, r);
  const check = uniqueIds('users.csv');
  await zip.rows('users.csv', ['sourcedId', 'username', 'givenName', 'familyName'], (row, line) => {
    if (!row.sourcedid) return;
    check(row.sourcedid, line);
    r.users.push({
      sourcedId: row.sourcedid,
      line,
      givenName: row.givenname ?? '',
      familyName: row.familyname ?? '',
      username: row.username ?? '',
      email: row.email ?? '',
      learnerId: row.studentnumber ?? '',
      active: ACTIVE(row),
    });
    if (row.birthdate) r.birthDates.set(row.sourcedid, { value: row.birthdate, file: 'users.csv', line });
  });
  await zip.rows('roles.csv', ['userSourcedId', 'orgSourcedId', 'role'], (row) => {
    if (row.usersourcedid && ACTIVE(row)) addRole(r, row.usersourcedid, row.role ?? '', row.orgsourcedid ?? '');
  });
  const checkClass = uniqueIds('classes.csv');
  if (zip.has('classes.csv')) {
    await zip.rows('classes.csv', ['sourcedId', 'orgSourcedId', 'title'], (row, line) => {
      if (!row.sourcedid) return;
      checkClass(row.sourcedid, line);
      r.classes.push({
        sourcedId: row.sourcedid,
        title: row.title ?? '',
        orgId: row.orgsourcedid ?? '',
        sessionIds: list(row.sessionsourcedids),
        line,
        active: ACTIVE(row),
      });
    });
    await zip.rows('enrollments.csv', ['classSourcedId', 'userSourcedId', 'role'], (row, line) => {
      r.enrollments.push({ classId: row.classsourcedid ?? '', userId: row.usersourcedid ?? '', line, active: ACTIVE(row) });
    });
  }
  await readSessions(zip, r, false);
  if (zip.has('relationships.csv')) {
    await zip.rows('relationships.csv', ['userSourcedId', 'relationshipUserSourcedId'], (row, line) => {
      if (row.usersourcedid && row.relationshipusersourcedid)
        r.relations.push({ a: row.usersourcedid, b: row.relationshipusersourcedid, file: 'relationships.csv', line });
    });
  }
  await readDemographics(zip, r, 'userSourcedId');
  return r;
}
