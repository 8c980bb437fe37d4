import {
  rosterMessage,
  type RosterFormat,
  type RosterMessageCode,
  type RosterMessageParams,
  type RosterProblem,
  type RosterRole,
} from '../../../shared/api/rosters.ts';
import { RosterRejected } from './roster-csv.ts';
import type { ParsedRoster } from './roster-formats.ts';

/** One school's part of a roster, as Polku will use it: JSON, kept with the import until it is applied. */
export interface SchoolRoster {
  format: RosterFormat;
  rosterSchool: { sourcedId: string; name: string };
  users: SchoolRosterUser[];
  classes: Array<{ sourcedId: string; name: string; schoolYear: string | null }>;
  /** [class sourcedId, user sourcedId] */
  enrollments: Array<[string, string]>;
  /** [guardian sourcedId, pupil sourcedId] */
  links: Array<[string, string]>;
  problems: RosterProblem[];
  otherSchools: number;
}

export interface SchoolRosterUser {
  sourcedId: string;
  /** users.csv line, for the preview's reasons (imports previewed before it was kept have none). */
  line?: number;
  role: RosterRole;
  displayName: string;
  username: string;
  email: string;
  learnerId: string;
  birthDate: string | null;
}

/** Roster roles → Polku roles. Anything else (administrators, principals …) is reported, never imported: admins are made in Polku. */
const ROLE_MAP: Record<string, RosterRole> = {
  student: 'pupil',
  learner: 'pupil',
  teacher: 'teacher',
  aide: 'teacher',
  proctor: 'teacher',
  guardian: 'guardian',
  parent: 'guardian',
  relative: 'guardian',
};
const ROLE_ORDER: RosterRole[] = ['teacher', 'pupil', 'guardian'];

function problem(file: string, line: number, code: RosterMessageCode, params: RosterMessageParams = {}): RosterProblem {
  return { file, line, code, params, message: rosterMessage(code, params) };
}

/** 2027 (OneRoster's school year is the year it ends) → 2026-2027; 2026-2027 as is. */
function schoolYearOf(value: string | undefined): string | null {
  const v = (value ?? '').trim();
  if (/^\d{4}$/.test(v)) return `${Number(v) - 1}-${v}`;
  if (/^\d{4}[-–/]\d{4}$/.test(v)) return `${v.slice(0, 4)}-${v.slice(5)}`;
  return null;
}

function validDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** Picks the school (by its code in orgs.csv `identifier` or `sourcedId`, or the roster's only school) and checks every row against it. */
export function forSchool(r: ParsedRoster, schoolCode: string | null): SchoolRoster {
  const schools = r.orgs.filter((o) => o.type === 'school');
  const candidates = schools.length > 0 ? schools : r.orgs;
  const org =
    (schoolCode ? candidates.find((o) => o.identifier === schoolCode || o.sourcedId === schoolCode) : undefined) ??
    (candidates.length === 1 ? candidates[0] : undefined);
  // The roster's only school stands in for a school it does not name, but not for one whose code it states
  // otherwise: another school's export would deactivate every user of this one.
  const namesAnother = org !== undefined && schoolCode !== null && org.identifier !== '' && org.identifier !== schoolCode && org.sourcedId !== schoolCode;
  if (!org || namesAnother)
    throw new RosterRejected('no_school', {
      code: schoolCode ?? '—',
      schools: candidates.map((o) => `${o.name} (${o.identifier || o.sourcedId})`).join(', ') || '—',
    });
  const schoolOrgIds = new Set(candidates.map((o) => o.sourcedId));
  const orgNames = new Map(r.orgs.map((o) => [o.sourcedId, o.name]));
  const orgName = (id: string) => orgNames.get(id) ?? id;
  const problems: RosterProblem[] = [];
  let otherSchools = 0;

  // Guardians often have no org of their own (SDS): they belong where their children are.
  const relatedTo = new Map<string, string[]>();
  for (const rel of r.relations) {
    // push, not a spread: 50,000 rows naming one pupil must not copy the list 50,000 times.
    for (const [from, to] of [
      [rel.a, rel.b],
      [rel.b, rel.a],
    ] as const) {
      const list = relatedTo.get(from);
      if (list) list.push(to);
      else relatedTo.set(from, [to]);
    }
  }
  const rolesOf = (id: string) => r.roles.get(id) ?? [];
  const isPupilHere = (id: string) => rolesOf(id).some((x) => x.orgId === org.sourcedId && ROLE_MAP[x.role] === 'pupil');

  const users = new Map<string, SchoolRosterUser>();
  for (const u of r.users) {
    if (!u.active) continue;
    const roles = rolesOf(u.sourcedId);
    const here = roles.filter((x) => x.orgId === org.sourcedId);
    let role: RosterRole | undefined;
    if (here.length === 0) {
      const guardianHere = roles.length === 0 || roles.every((x) => ROLE_MAP[x.role] === 'guardian');
      if (guardianHere && (relatedTo.get(u.sourcedId) ?? []).some(isPupilHere)) role = 'guardian';
      else {
        otherSchools++;
        continue;
      }
    } else {
      const mapped = here.map((x) => ROLE_MAP[x.role]).filter((x): x is RosterRole => x !== undefined);
      role = ROLE_ORDER.find((x) => mapped.includes(x));
      if (!role) {
        problems.push(problem('users.csv', u.line, 'role_not_imported', { role: here[0]!.role }));
        continue;
      }
    }
    if (role === 'pupil') {
      const pupilSchools = [...new Set(roles.filter((x) => ROLE_MAP[x.role] === 'pupil' && schoolOrgIds.has(x.orgId)).map((x) => x.orgId))];
      if (pupilSchools.length > 1) {
        problems.push(problem('users.csv', u.line, 'two_schools', { schools: pupilSchools.map(orgName).join(', ') }));
        continue;
      }
    }
    const displayName = `${u.givenName} ${u.familyName}`.replace(/\s+/g, ' ').trim();
    if (!displayName) {
      problems.push(problem('users.csv', u.line, 'missing_name'));
      continue;
    }
    let birthDate: string | null = null;
    const bd = r.birthDates.get(u.sourcedId);
    if (bd) {
      if (validDate(bd.value)) birthDate = bd.value;
      else problems.push(problem(bd.file, bd.line, 'bad_birth_date', { value: bd.value.slice(0, 40) }));
    }
    users.set(u.sourcedId, {
      sourcedId: u.sourcedId,
      line: u.line,
      role,
      displayName: displayName.slice(0, 200),
      username: u.username,
      email: u.email,
      learnerId: u.learnerId,
      birthDate: role === 'pupil' ? birthDate : null,
    });
  }

  // Nobody at this school: an empty or wrong export, which applied would deactivate everyone it does not list.
  if (users.size === 0) throw new RosterRejected('no_users', { school: org.name || org.identifier || org.sourcedId });

  const classes: SchoolRoster['classes'] = [];
  const classIds = new Set<string>();
  const allClassIds = new Set(r.classes.map((c) => c.sourcedId));
  const names = new Set<string>();
  for (const c of r.classes) {
    if (!c.active || c.orgId !== org.sourcedId) continue;
    const session = c.sessionIds.map((s) => r.sessions.get(s)).find(Boolean);
    const schoolYear = schoolYearOf(session?.schoolYear);
    const name = (c.title || c.sourcedId).slice(0, 200);
    const key = `${name}\u0000${schoolYear ?? ''}`;
    if (names.has(key)) {
      problems.push(problem('classes.csv', c.line, 'duplicate_class_name', { name, year: schoolYear ?? '—' }));
      continue;
    }
    names.add(key);
    classIds.add(c.sourcedId);
    classes.push({ sourcedId: c.sourcedId, name, schoolYear });
  }

  const enrollments: SchoolRoster['enrollments'] = [];
  const seenEnrollment = new Set<string>();
  const knownUsers = new Set(r.users.map((u) => u.sourcedId));
  for (const e of r.enrollments) {
    if (!e.active) continue;
    if (!classIds.has(e.classId)) {
      // A class of another school is not this import's business; an id no file defines is a mistake.
      if (!allClassIds.has(e.classId)) problems.push(problem('enrollments.csv', e.line, 'unknown_class', { id: e.classId.slice(0, 100) }));
      continue;
    }
    const user = users.get(e.userId);
    if (!user) {
      if (!knownUsers.has(e.userId)) problems.push(problem('enrollments.csv', e.line, 'unknown_user', { id: e.userId.slice(0, 100) }));
      continue;
    }
    if (user.role === 'guardian') {
      problems.push(problem('enrollments.csv', e.line, 'guardian_in_class'));
      continue;
    }
    const key = `${e.classId}\u0000${e.userId}`;
    if (seenEnrollment.has(key)) continue;
    seenEnrollment.add(key);
    enrollments.push([e.classId, e.userId]);
  }

  const links: SchoolRoster['links'] = [];
  const seenLink = new Set<string>();
  for (const rel of r.relations) {
    const a = users.get(rel.a);
    const b = users.get(rel.b);
    if (!a || !b) {
      if (!knownUsers.has(rel.a) || !knownUsers.has(rel.b))
        problems.push(problem(rel.file, rel.line, 'unknown_user', { id: (knownUsers.has(rel.a) ? rel.b : rel.a).slice(0, 100) }));
      continue;
    }
    const pair = a.role === 'pupil' && b.role === 'guardian' ? [b, a] : b.role === 'pupil' && a.role === 'guardian' ? [a, b] : null;
    if (!pair) {
      problems.push(problem(rel.file, rel.line, 'guardian_of_non_pupil', { id: (a.role === 'pupil' ? b : a).sourcedId.slice(0, 100) }));
      continue;
    }
    const key = `${pair[0]!.sourcedId}\u0000${pair[1]!.sourcedId}`;
    if (seenLink.has(key)) continue;
    seenLink.add(key);
    links.push([pair[0]!.sourcedId, pair[1]!.sourcedId]);
  }

  return {
    format: r.format,
    rosterSchool: { sourcedId: org.sourcedId, name: org.name },
    users: [...users.values()],
    classes,
    enrollments,
    links,
    problems,
    otherSchools,
  };
}
