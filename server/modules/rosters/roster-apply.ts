import { sql } from 'kysely';
import type { RosterCounts, RosterProgress } from '../../../shared/api/rosters.ts';
import type { Db } from '../../db/database.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { countsOf, keysOf, loadState, makePlan, refuseStrangers } from './roster-plan.ts';
import type { SchoolRoster, SchoolRosterUser } from './roster-school.ts';
import { chunks, rosterDb, type RosterDb } from './rosters.repo.ts';

const BATCH = 500;

/** A Polku username from the roster's (or the name): lower-case a–z, digits, `._@-`; ä → a. */
function usernameBase(u: SchoolRosterUser): string {
  const fold = (s: string) =>
    s
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9._@-]+/g, '.')
      .replace(/^[^a-z0-9]+/, '')
      .replace(/\.+$/, '')
      .slice(0, 90);
  const base = fold(u.username) || fold(u.displayName);
  return base.length >= 2 ? base : `user.${base || 'x'}`;
}

/** Unique usernames for new accounts: a taken one (anyone's, anywhere) gets a number; nobody's account is ever matched by name. */
async function allocateUsernames(db: RosterDb, users: SchoolRosterUser[]): Promise<string[]> {
  const bases = users.map(usernameBase);
  // Every existing username that begins with one of the bases (so also base2, base3, …), read in one hash join
  // per distinct base length. A LIKE 'base%' per taken base was one scan of all users each: quadratic once a
  // school's common names (aino.virtanen) are taken elsewhere in the deployment.
  const byLength = new Map<number, string[]>();
  for (const base of new Set(bases)) byLength.set(base.length, [...(byLength.get(base.length) ?? []), base]);
  const taken = new Set<string>();
  for (const [length, group] of byLength) {
    for (const part of chunks(group)) {
      const rows = await sql<{
        username: string;
      }>`select u.username from users u join unnest(${part}::text[]) as b(base) on left(u.username, ${length}) = b.base`.execute(db);
      for (const r of rows.rows) taken.add(r.username);
    }
  }
  const out: string[] = [];
  for (const base of bases) {
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}${n}`;
    taken.add(name);
    out.push(name);
  }
  return out;
}

export interface RosterApplyResult {
  counts: RosterCounts;
  /** Accounts deactivated: their sessions are ended after the commit. */
  deactivated: string[];
  /** Guardian links the roster no longer states: they take effect after the commit like any ended link (guardian-links.service.ts). */
  endedLinks: Array<{ guardianId: string; pupilId: string }>;
}

/**
 * Applies one school's roster in ONE transaction: all of it or nothing. The plan is worked out again inside
 * the transaction, from the state it sees, so a preview that has aged cannot write stale changes. Accounts are
 * created without a password (they sign in by SSO, or an admin sets one) and never as admins; nothing is deleted
 * but memberships and guardian links the roster no longer states; those who left are deactivated, with their portfolios kept.
 */
export async function applyRoster(options: {
  db: Db;
  schoolId: string;
  roster: SchoolRoster;
  actorId: string | null;
  importId: string;
  onProgress?: (p: RosterProgress) => void;
  signal?: AbortSignal;
}): Promise<RosterApplyResult> {
  const { schoolId, roster } = options;
  return options.db.transaction().execute(async (trx) => {
    const db = rosterDb(trx);
    const state = await loadState(db, schoolId, roster);
    const plan = makePlan(roster, state, schoolId);
    refuseStrangers(plan, state, roster);
    const counts = countsOf(plan, roster);
    const total = plan.createUsers.length + plan.updateUsers.length + plan.deactivate.length + plan.createMemberships.length + plan.createLinks.length + 1;
    let done = 0;
    const step = (phase: string, n: number) => {
      options.signal?.throwIfAborted();
      done += n;
      options.onProgress?.({ phase, done: Math.min(done, total), total });
    };
    step('users', 0);

    // New accounts, their keys and roles.
    const names = await allocateUsernames(db, plan.createUsers);
    const created = new Set<string>();
    for (let i = 0; i < plan.createUsers.length; i += BATCH) {
      const batch = plan.createUsers.slice(i, i + BATCH);
      const inserted = await db
        .insertInto('users')
        .values(
          batch.map((u, j) => ({
            username: names[i + j]!,
            displayName: u.displayName,
            email: u.role === 'pupil' || !u.email ? null : u.email.slice(0, 255),
            passwordHash: null,
            birthDate: u.birthDate,
          })),
        )
        .returning(['id', 'username'])
        .execute();
      const idOf = new Map(inserted.map((r) => [r.username, r.id]));
      const ids = batch.map((_u, j) => idOf.get(names[i + j]!)!);
      batch.forEach((u, j) => {
        state.bySourcedId.set(u.sourcedId, ids[j]!);
        created.add(ids[j]!);
      });
      await db
        .insertInto('schoolRoles')
        .values(batch.map((u, j) => ({ schoolId, userId: ids[j]!, role: u.role })))
        .execute();
      await db
        .insertInto('rosterKeys')
        .values(batch.flatMap((u, j) => keysOf(u).map((k) => ({ schoolId, userId: ids[j]!, ...k }))))
        .onConflict((oc) => oc.doNothing())
        .execute();
      step('users', batch.length);
    }

    for (const u of plan.updateUsers) {
      if (Object.keys(u.set).length > 0)
        await db
          .updateTable('users')
          .set({ ...u.set, updatedAt: new Date() })
          .where('id', '=', u.id)
          .execute();
      if (u.addRole)
        await db
          .insertInto('schoolRoles')
          .values({ schoolId, userId: u.id, role: u.addRole })
          .onConflict((oc) => oc.doNothing())
          .execute();
      step('users', 1);
    }
    // Other keys (learner id, username, e-mail) follow the roster for everyone in it (new accounts got theirs above).
    const keyRows = roster.users.flatMap((u) => {
      const id = state.bySourcedId.get(u.sourcedId);
      return id && !created.has(id) && !plan.held.has(id)
        ? keysOf(u)
            .filter((k) => k.kind !== 'sourced_id' && state.keys.get(id)?.get(k.kind) !== k.value)
            .map((k) => ({ schoolId, userId: id, ...k }))
        : [];
    });
    for (const part of chunks(keyRows, BATCH)) {
      // The user's old key of each kind goes first, in one statement for the batch.
      await sql`delete from roster_keys k using unnest(${part.map((r) => r.userId)}::uuid[], ${part.map((r) => r.kind)}::text[]) as d(user_id, kind)
        where k.school_id = ${schoolId} and k.user_id = d.user_id and k.kind = d.kind`.execute(db);
      await db
        .insertInto('rosterKeys')
        .values(part)
        .onConflict((oc) => oc.doNothing())
        .execute();
    }

    if (plan.deactivate.length > 0) {
      for (const part of chunks(plan.deactivate.map((u) => u.id))) {
        await db.updateTable('users').set({ active: false, updatedAt: new Date() }).where('id', 'in', part).execute();
        // Their sessions end with the commit; the server also tells their open sockets (see the service).
        await db.deleteFrom('sessions').where('userId', 'in', part).execute();
      }
      step('users', plan.deactivate.length);
    }

    // Groups: created, or renamed / adopted (a same-named group of the same year made by hand is taken over).
    step('groups', 0);
    const groupIdOf = new Map<string, string>();
    for (const g of state.groups) if (g.rosterSourceId) groupIdOf.set(g.rosterSourceId, g.id);
    for (const g of plan.updateGroups) {
      await db
        .updateTable('groups')
        .set({ name: g.cls.name, schoolYear: g.cls.schoolYear, rosterSourceId: g.cls.sourcedId, updatedAt: new Date() })
        .where('id', '=', g.id)
        .execute();
      groupIdOf.set(g.cls.sourcedId, g.id);
    }
    for (const part of chunks(plan.createGroups, BATCH)) {
      const rows = await db
        .insertInto('groups')
        .values(part.map((c) => ({ schoolId, name: c.name, schoolYear: c.schoolYear, rosterSourceId: c.sourcedId })))
        .returning(['id', 'rosterSourceId'])
        .execute();
      for (const r of rows) if (r.rosterSourceId) groupIdOf.set(r.rosterSourceId, r.id);
    }

    const roleOf = new Map(roster.users.map((u) => [u.sourcedId, u.role]));
    for (const part of chunks(plan.createMemberships, BATCH)) {
      const values = part.flatMap(([c, u]) => {
        const groupId = groupIdOf.get(c);
        const userId = state.bySourcedId.get(u);
        const role = roleOf.get(u);
        return groupId && userId && (role === 'pupil' || role === 'teacher') ? [{ groupId, userId, role }] : [];
      });
      if (values.length > 0)
        await db
          .insertInto('memberships')
          .values(values)
          .onConflict((oc) => oc.doNothing())
          .execute();
      step('memberships', part.length);
    }
    for (const part of chunks(plan.removeMemberships, BATCH)) {
      await sql`delete from memberships m using unnest(${part.map((r) => r.groupId)}::uuid[], ${part.map((r) => r.userId)}::uuid[]) as d(group_id, user_id)
        where m.group_id = d.group_id and m.user_id = d.user_id`.execute(db);
    }

    for (const part of chunks(plan.createLinks, BATCH)) {
      const values = part.flatMap(([g, p]) => {
        const guardianId = state.bySourcedId.get(g);
        const pupilId = state.bySourcedId.get(p);
        return guardianId && pupilId && guardianId !== pupilId ? [{ guardianId, pupilId }] : [];
      });
      if (values.length > 0)
        await db
          .insertInto('guardianLinks')
          .values(values)
          .onConflict((oc) => oc.doNothing())
          .execute();
      step('guardianLinks', part.length);
    }
    for (const part of chunks(plan.removeLinks, BATCH)) {
      await sql`delete from guardian_links l using unnest(${part.map((r) => r.guardianId)}::uuid[], ${part.map((r) => r.pupilId)}::uuid[]) as d(guardian_id, pupil_id)
        where l.guardian_id = d.guardian_id and l.pupil_id = d.pupil_id`.execute(db);
    }

    await recordAudit(trx, {
      actorId: options.actorId,
      action: 'roster.import',
      subjectType: 'school',
      subjectId: schoolId,
      details: { importId: options.importId, format: roster.format, counts },
    });
    step('done', 1);
    return {
      counts,
      deactivated: plan.deactivate.map((u) => u.id),
      endedLinks: plan.removeLinks.map((l) => ({ guardianId: l.guardianId, pupilId: l.pupilId })),
    };
  });
}
