import { rosterMessage, type RosterCounts, type RosterPreview, type RosterProblem, type RosterRole } from '../../../shared/api/rosters.ts';
import { chunks, type RosterDb, type RosterKeyKind } from './rosters.repo.ts';
import { RosterRejected } from './roster-csv.ts';
import type { SchoolRoster, SchoolRosterUser } from './roster-school.ts';

/** Lists in a preview hold at most this many rows each (the counts are complete). */
export const LIST_LIMIT = 500;

interface ExistingUser {
  id: string;
  username: string;
  displayName: string;
  email: string | null;
  active: boolean;
  birthDate: string | null;
}

/** What the database holds for the roster's school: read in a fixed number of queries (chunked by id). */
export interface RosterState {
  bySourcedId: Map<string, string>;
  users: Map<string, ExistingUser>;
  /** userId → roles at any school (schoolId:role). */
  roles: Map<string, Set<string>>;
  /** userId → other kinds of roster key at this school (kind → value). */
  keys: Map<string, Map<string, string>>;
  groups: Array<{ id: string; name: string; schoolYear: string | null; rosterSourceId: string | null }>;
  /** Memberships in roster-made groups: `${groupId}:${userId}`. */
  memberships: Set<string>;
  /** Links between users rostered at this school: `${guardianId}:${pupilId}`. */
  links: Set<string>;
  /** The roster's learner ids, user names and e-mails that accounts at OTHER schools hold: `keyId(kind, value)` → their user ids. */
  keysElsewhere: Map<string, Set<string>>;
}

/** The sign-in keys a roster row gives its account at the school (its stable id first). */
export function keysOf(u: SchoolRosterUser): Array<{ kind: RosterKeyKind; value: string }> {
  const keys: Array<{ kind: RosterKeyKind; value: string }> = [{ kind: 'sourced_id', value: u.sourcedId }];
  if (u.learnerId) keys.push({ kind: 'learner_id', value: u.learnerId });
  if (u.username) keys.push({ kind: 'username', value: u.username.toLowerCase() });
  if (u.email) keys.push({ kind: 'email', value: u.email.toLowerCase() });
  return keys.filter((k) => k.value.length > 0 && k.value.length <= 255);
}

const keyId = (kind: string, value: string) => `${kind}\u0000${value}`;

const dateString = (v: unknown): string | null => (v instanceof Date ? v.toISOString().slice(0, 10) : typeof v === 'string' ? v.slice(0, 10) : null);

export async function loadState(db: RosterDb, schoolId: string, roster: SchoolRoster): Promise<RosterState> {
  const keyRows = await db.selectFrom('rosterKeys').select(['kind', 'value', 'userId']).where('schoolId', '=', schoolId).execute();
  const bySourcedId = new Map<string, string>();
  const keys = new Map<string, Map<string, string>>();
  for (const k of keyRows) {
    if (k.kind === 'sourced_id') bySourcedId.set(k.value, k.userId);
    else {
      const m = keys.get(k.userId) ?? new Map<string, string>();
      m.set(k.kind, k.value);
      keys.set(k.userId, m);
    }
  }
  const ids = [...new Set(bySourcedId.values())];
  const users = new Map<string, ExistingUser>();
  const roles = new Map<string, Set<string>>();
  for (const part of chunks(ids)) {
    const rows = await db.selectFrom('users').select(['id', 'username', 'displayName', 'email', 'active', 'birthDate']).where('id', 'in', part).execute();
    for (const u of rows) users.set(u.id, { ...u, birthDate: dateString(u.birthDate) });
    const roleRows = await db.selectFrom('schoolRoles').select(['userId', 'schoolId', 'role']).where('userId', 'in', part).execute();
    for (const r of roleRows) roles.set(r.userId, (roles.get(r.userId) ?? new Set()).add(`${r.schoolId}:${r.role}`));
  }
  const groups = await db.selectFrom('groups').select(['id', 'name', 'schoolYear', 'rosterSourceId']).where('schoolId', '=', schoolId).execute();
  // By id lists on the tables' own indexes, not joins: right after a bulk import the planner's statistics
  // are stale, and a join it thinks is tiny became a nested loop over thousands of rows.
  const rosteredGroups = groups.filter((g) => g.rosterSourceId !== null).map((g) => g.id);
  const memberships = new Set<string>();
  for (const part of chunks(rosteredGroups)) {
    for (const m of await db.selectFrom('memberships').select(['groupId', 'userId']).where('groupId', 'in', part).execute())
      memberships.add(`${m.groupId}:${m.userId}`);
  }
  const rostered = new Set(ids);
  const links = new Set<string>();
  for (const part of chunks(ids)) {
    for (const l of await db.selectFrom('guardianLinks').select(['guardianId', 'pupilId']).where('pupilId', 'in', part).execute()) {
      if (rostered.has(l.guardianId)) links.add(`${l.guardianId}:${l.pupilId}`);
    }
  }
  return {
    bySourcedId,
    users,
    roles,
    keys,
    groups,
    memberships,
    links,
    keysElsewhere: await keysElsewhere(db, schoolId, roster),
  };
}

/**
 * Which of the roster's learner ids, user names and e-mails other schools' accounts hold already. Stable
 * ids (sourced_id) are each source system's own and may repeat between schools' systems; they are not checked.
 */
async function keysElsewhere(db: RosterDb, schoolId: string, roster: SchoolRoster): Promise<Map<string, Set<string>>> {
  const byKind = new Map<RosterKeyKind, Set<string>>();
  for (const u of roster.users) for (const k of keysOf(u)) if (k.kind !== 'sourced_id') byKind.set(k.kind, (byKind.get(k.kind) ?? new Set()).add(k.value));
  const out = new Map<string, Set<string>>();
  for (const [kind, values] of byKind) {
    for (const part of chunks([...values])) {
      const rows = await db
        .selectFrom('rosterKeys')
        .select(['value', 'userId'])
        .where('kind', '=', kind)
        .where('value', 'in', part)
        .where('schoolId', '<>', schoolId)
        .execute();
      for (const r of rows) out.set(keyId(kind, r.value), (out.get(keyId(kind, r.value)) ?? new Set()).add(r.userId));
    }
  }
  return out;
}

export interface UserUpdate {
  id: string;
  user: SchoolRosterUser;
  set: { displayName?: string; email?: string | null; active?: boolean; birthDate?: string | null };
  addRole: RosterRole | null;
  changes: string[];
}

/** Everything an apply does, worked out from the roster and the current state. */
export interface RosterPlan {
  createUsers: SchoolRosterUser[];
  updateUsers: UserUpdate[];
  unchangedUsers: number;
  deactivate: Array<{ id: string; sourcedId: string; displayName: string; username: string }>;
  createGroups: SchoolRoster['classes'];
  updateGroups: Array<{ id: string; cls: SchoolRoster['classes'][number] }>;
  unchangedGroups: number;
  /** [class sourcedId, user sourcedId] pairs to add; existing ids resolved at apply. */
  createMemberships: Array<[string, string]>;
  removeMemberships: Array<{ groupId: string; userId: string }>;
  createLinks: Array<[string, string]>;
  removeLinks: Array<{ guardianId: string; pupilId: string }>;
  /**
   * Accounts this roster names but may not change: held by another school too, or an admin anywhere. One
   * school's roster (its admin, or a hostile export) must not rewrite their e-mail, state, birth date or
   * sign-in keys: those decide password resets and school sign-in for every school that holds them.
   */
  held: Set<string>;
  /**
   * Keys another school's account holds too, worded for the preview. They are written all the same: the
   * roster that came first is not the genuine one by being first, and a key left out here would let the
   * other school's earlier copy capture this school's person at a sign-in whose claims name no school. With
   * both copies such a sign-in is refused as ambiguous; claims naming a school read only its roster.
   */
  keyProblems: RosterProblem[];
}

const TAKEN = { learner_id: 'learner_id_taken', username: 'username_taken', email: 'email_taken' } as const;

/** Pupils' e-mail addresses are never kept (no pupil under 13 needs one in Polku). */
const emailFor = (u: SchoolRosterUser) => (u.role === 'pupil' || !u.email ? null : u.email.slice(0, 255));

export function makePlan(roster: SchoolRoster, state: RosterState, schoolId: string): RosterPlan {
  const plan: RosterPlan = {
    createUsers: [],
    updateUsers: [],
    unchangedUsers: 0,
    deactivate: [],
    createGroups: [],
    updateGroups: [],
    unchangedGroups: 0,
    createMemberships: [],
    removeMemberships: [],
    createLinks: [],
    removeLinks: [],
    held: new Set(),
    keyProblems: [],
  };
  const noteForeignKeys = (u: SchoolRosterUser, id: string | undefined) => {
    for (const k of keysOf(u)) {
      if (k.kind === 'sourced_id') continue;
      const holders = state.keysElsewhere.get(keyId(k.kind, k.value));
      if (!holders || [...holders].every((h) => h === id)) continue;
      const code = TAKEN[k.kind];
      const params = { value: k.value.slice(0, 100) };
      plan.keyProblems.push({ file: 'users.csv', line: u.line ?? 0, code, params, message: rosterMessage(code, params) });
    }
  };
  const heldHere = (id: string) => [...(state.roles.get(id) ?? [])].some((r) => !r.startsWith(`${schoolId}:`) || r.endsWith(':admin'));
  const inRoster = new Set<string>();
  for (const u of roster.users) {
    inRoster.add(u.sourcedId);
    const id = state.bySourcedId.get(u.sourcedId);
    const existing = id ? state.users.get(id) : undefined;
    if (!id || !existing) {
      noteForeignKeys(u, undefined);
      plan.createUsers.push(u);
      continue;
    }
    if (heldHere(id)) {
      plan.held.add(id);
      plan.unchangedUsers++;
      continue;
    }
    noteForeignKeys(u, id);
    const set: UserUpdate['set'] = {};
    const changes: string[] = [];
    if (existing.displayName !== u.displayName) {
      set.displayName = u.displayName;
      changes.push('name');
    }
    const email = emailFor(u);
    if (email !== null && existing.email !== email) {
      set.email = email;
      changes.push('email');
    }
    if (!existing.active) {
      set.active = true;
      changes.push('reactivated');
    }
    if (u.birthDate && existing.birthDate !== u.birthDate) {
      set.birthDate = u.birthDate;
      changes.push('birthDate');
    }
    const addRole = state.roles.get(id)?.has(`${schoolId}:${u.role}`) ? null : u.role;
    if (addRole) changes.push('role');
    if (changes.length > 0) plan.updateUsers.push({ id, user: u, set, addRole, changes });
    else plan.unchangedUsers++;
  }
  for (const [sourcedId, id] of state.bySourcedId) {
    if (inRoster.has(sourcedId)) continue;
    const u = state.users.get(id);
    if (!u || !u.active) continue;
    // An account that another school also holds is not this roster's to shut: it only leaves this school's groups.
    if (!heldHere(id)) plan.deactivate.push({ id, sourcedId, displayName: u.displayName, username: u.username });
  }

  const bySource = new Map(state.groups.filter((g) => g.rosterSourceId).map((g) => [g.rosterSourceId!, g]));
  const byName = new Map(state.groups.filter((g) => !g.rosterSourceId).map((g) => [`${g.name}\u0000${g.schoolYear ?? ''}`, g]));
  const groupIdOf = new Map<string, string>();
  for (const cls of roster.classes) {
    const existing = bySource.get(cls.sourcedId) ?? byName.get(`${cls.name}\u0000${cls.schoolYear ?? ''}`);
    if (!existing) {
      plan.createGroups.push(cls);
      continue;
    }
    groupIdOf.set(cls.sourcedId, existing.id);
    if (existing.rosterSourceId === cls.sourcedId && existing.name === cls.name && existing.schoolYear === cls.schoolYear) plan.unchangedGroups++;
    else plan.updateGroups.push({ id: existing.id, cls });
  }

  const wanted = new Set<string>();
  for (const [classId, userSourcedId] of roster.enrollments) {
    const groupId = groupIdOf.get(classId);
    const userId = state.bySourcedId.get(userSourcedId);
    if (groupId && userId) {
      const key = `${groupId}:${userId}`;
      wanted.add(key);
      if (state.memberships.has(key)) continue;
    }
    plan.createMemberships.push([classId, userSourcedId]);
  }
  const stillRostered = new Set([...inRoster].map((s) => state.bySourcedId.get(s)).filter((x): x is string => Boolean(x)));
  for (const key of state.memberships) {
    const [groupId, userId] = key.split(':') as [string, string];
    // Those who left keep their old groups (their teachers still find their work); those who stay move.
    if (!wanted.has(key) && stillRostered.has(userId)) plan.removeMemberships.push({ groupId, userId });
  }

  const wantedLinks = new Set<string>();
  for (const [g, p] of roster.links) {
    const gid = state.bySourcedId.get(g);
    const pid = state.bySourcedId.get(p);
    if (gid && pid) {
      const key = `${gid}:${pid}`;
      wantedLinks.add(key);
      if (state.links.has(key)) continue;
    }
    plan.createLinks.push([g, p]);
  }
  for (const key of state.links) {
    const [guardianId, pupilId] = key.split(':') as [string, string];
    if (!wantedLinks.has(key) && stillRostered.has(guardianId) && stillRostered.has(pupilId)) plan.removeLinks.push({ guardianId, pupilId });
  }
  return plan;
}

/**
 * Refuses a roster that knows none of the people earlier rosters brought to the school while it would
 * deactivate some: another school's export, or a new source system's ids. Applied, it would shut everyone out.
 */
export function refuseStrangers(plan: RosterPlan, state: RosterState, roster: SchoolRoster): void {
  if (plan.deactivate.length === 0 || roster.users.some((u) => state.bySourcedId.has(u.sourcedId))) return;
  const existing = [...new Set(state.bySourcedId.values())].filter((id) => state.users.get(id)?.active).length;
  throw new RosterRejected('no_known_users', { count: roster.users.length, existing });
}

export function countsOf(plan: RosterPlan, roster: SchoolRoster): RosterCounts {
  return {
    users: { create: plan.createUsers.length, update: plan.updateUsers.length, deactivate: plan.deactivate.length, unchanged: plan.unchangedUsers },
    groups: { create: plan.createGroups.length, update: plan.updateGroups.length, unchanged: plan.unchangedGroups },
    memberships: { create: plan.createMemberships.length, remove: plan.removeMemberships.length },
    guardianLinks: { create: plan.createLinks.length, remove: plan.removeLinks.length },
    unusable: roster.problems.length + plan.keyProblems.length,
    otherSchools: roster.otherSchools,
  };
}

/** The diff an admin reads before applying: counts, and the first rows of each list by name. */
export function previewOf(plan: RosterPlan, roster: SchoolRoster, state: RosterState): RosterPreview {
  const nameOfSourced = new Map(roster.users.map((u) => [u.sourcedId, u.displayName]));
  const nameOfUser = (id: string) => state.users.get(id)?.displayName ?? id;
  const groupName = new Map<string, string>([
    ...roster.classes.map((c) => [c.sourcedId, c.name] as [string, string]),
    ...state.groups.map((g) => [g.id, g.name] as [string, string]),
  ]);
  const take = <T>(items: T[]) => items.slice(0, LIST_LIMIT);
  return {
    format: roster.format,
    rosterSchool: roster.rosterSchool,
    counts: countsOf(plan, roster),
    users: take([
      ...plan.createUsers.map((u) => ({
        action: 'create' as const,
        sourcedId: u.sourcedId,
        displayName: u.displayName,
        role: u.role,
        username: u.username,
        changes: [],
      })),
      ...plan.updateUsers.map((u) => ({
        action: 'update' as const,
        sourcedId: u.user.sourcedId,
        displayName: u.user.displayName,
        role: u.user.role,
        username: state.users.get(u.id)?.username ?? '',
        changes: u.changes,
      })),
      ...plan.deactivate.map((u) => ({
        action: 'deactivate' as const,
        sourcedId: u.sourcedId,
        displayName: u.displayName,
        role: null,
        username: u.username,
        changes: [],
      })),
    ]),
    groups: take([
      ...plan.createGroups.map((c) => ({ action: 'create' as const, sourcedId: c.sourcedId, name: c.name, schoolYear: c.schoolYear })),
      ...plan.updateGroups.map((g) => ({ action: 'update' as const, sourcedId: g.cls.sourcedId, name: g.cls.name, schoolYear: g.cls.schoolYear })),
    ]),
    memberships: take([
      ...plan.createMemberships.map(([c, u]) => ({ action: 'create' as const, group: groupName.get(c) ?? c, user: nameOfSourced.get(u) ?? u })),
      ...plan.removeMemberships.map((m) => ({ action: 'remove' as const, group: groupName.get(m.groupId) ?? m.groupId, user: nameOfUser(m.userId) })),
    ]),
    guardianLinks: take([
      ...plan.createLinks.map(([g, p]) => ({ action: 'create' as const, guardian: nameOfSourced.get(g) ?? g, pupil: nameOfSourced.get(p) ?? p })),
      ...plan.removeLinks.map((l) => ({ action: 'remove' as const, guardian: nameOfUser(l.guardianId), pupil: nameOfUser(l.pupilId) })),
    ]),
    unusable: take([...roster.problems, ...plan.keyProblems]),
    listLimit: LIST_LIMIT,
  };
}
