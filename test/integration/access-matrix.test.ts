import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { addMember, linkGuardian, makeArtefact, makeFeedback, makeProject, makeSchool, makeTwoSchools, makeUser } from '../helpers/factories.ts';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';
import { blobKey } from '../../server/storage/blob-store.ts';
import { tinyLeap2a } from '../fixtures/tiny-leap2a.ts';
import { wavTone } from '../helpers/artefact-upload.ts';
import { oneRosterFiles, zipOf } from '../fixtures/rosters/make-roster.ts';
import type { SchoolRole } from '../../shared/roles.ts';
import { hashCardCode, newCardCode } from '../../server/modules/sign-in-cards/card-secret.ts';
import { invitationCodeHash, newInvitationCode } from '../../server/modules/invitations/invitations.repo.ts';
import type { PeerTables } from '../../server/modules/peer-feedback/peer-feedback.repo.ts';
import { recordNotifications } from '../../server/modules/notifications/notifications.service.ts';
import type { GuardianVoiceTables } from '../../server/modules/guardian-voice/guardian-voice.repo.ts';
import { showcasesDb } from '../../server/modules/showcases/showcase-tables.ts';
import { showcaseFingerprintSql } from '../../server/modules/guardian-sharing/guardian-sharing.sql.ts';
import { sql } from 'kysely';
import type { ShareLinkTables } from '../../server/modules/share-links/share-links.repo.ts';

/**
 * Every API route against every kind of actor. The list of routes comes from the app's own
 * OpenAPI document, so a new route without a row here fails the suite.
 * 404 rather than 403 wherever the actor may not even know the thing exists.
 */
const ACTORS = ['anonymous', 'pupil', 'classmate', 'teacher', 'otherTeacher', 'guardian', 'otherGuardian', 'admin', 'teacherB', 'adminB', 'adminAB'] as const;
type ActorName = (typeof ACTORS)[number];
type World = Awaited<ReturnType<typeof makeTwoSchools>> & {
  project: Awaited<ReturnType<typeof makeProject>>;
  artefact: Awaited<ReturnType<typeof makeArtefact>> & { mediaId: string };
  /** An admin of both schools: may do everything `admin` (of school A only) may, and manage accounts held by both. */
  adminAB: Awaited<ReturnType<typeof makeUser>>;
  /** School A's own assessment scale, and the built-in growth scale. */
  scaleId: string;
  builtinScaleId: string;
};
type Expectation = Record<ActorName, number>;

const SCHOOL_A: ActorName[] = ['pupil', 'classmate', 'teacher', 'otherTeacher', 'guardian', 'otherGuardian', 'admin'];
const SIGNED_IN = [
  'pupil',
  'classmate',
  'teacher',
  'otherTeacher',
  'guardian',
  'otherGuardian',
  'admin',
  'teacherB',
  'adminB',
  'adminAB',
] as const satisfies ActorName[];

/**
 * Builds a full expectation: `rest` for everyone not named; anonymous gets 401 unless named; the admin of both
 * schools gets what the admin of school A gets unless named (every world row is about school A).
 */
function expectation(named: Partial<Record<ActorName, number>>, rest: number): Expectation {
  const status = (a: ActorName): number => named[a] ?? (a === 'anonymous' ? 401 : a === 'adminAB' ? status('admin') : rest);
  return Object.fromEntries(ACTORS.map((a) => [a, status(a)])) as Expectation;
}
const each = (actors: ActorName[], status: number) => Object.fromEntries(actors.map((a) => [a, status])) as Partial<Record<ActorName, number>>;
const unique = () => randomBytes(4).toString('hex');
/** A one-school roster of one pupil (new ids each time, so every upload previews the same one-user diff). */
const matrixRoster = () => {
  const id = unique();
  return {
    school: { sourcedId: 'org1', name: 'Koulu', identifier: 'x' },
    classes: [],
    pupils: [{ id: `p${id}`, given: 'Aino', family: 'Mäkelä', classes: [] }],
    teachers: [],
    guardians: [],
  };
};
const matrixScale = () => ({
  name: { fi: `Asteikko ${unique()}`, sv: 'Skala', en: 'Scale' },
  levels: [
    { labels: { fi: 'Vielä', sv: 'Ännu', en: 'Not yet' }, icon: '🌱' },
    { labels: { fi: 'Osaan', sv: 'Jag kan', en: 'I can' }, icon: '🌳' },
  ],
});
const tinyPng = async () =>
  (await import('sharp'))
    .default({ create: { width: 8, height: 8, channels: 3, background: '#3a7' } })
    .png()
    .toBuffer();

// --- Voice and anchored feedback (issue 10, sections 2–3) ---
function voiceForm(fields: Record<string, unknown>): FormData {
  const form = new FormData();
  form.append('data', JSON.stringify(fields));
  form.append('audio', new Blob([new Uint8Array(wavTone(0.5))], { type: 'audio/wav' }), 'puhe.wav');
  return form;
}
const VOICE = (key: string) =>
  JSON.stringify({ mime: 'audio/wav', sha256: 'a'.repeat(64), size: 10, durationMs: 500, variants: { original: key }, variantDigests: {} });
async function voiceFeedback(app: TestApp, artefactId: string, authorId: string): Promise<string> {
  const row = await app.database.db
    .insertInto('feedback')
    .values({ artefactId, authorId, parentId: null, body: '', voice: VOICE(blobKey('media', randomUUID(), 'original')) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
async function voiceAssessment(app: TestApp, w: World, shared: boolean): Promise<string> {
  const row = await app.database.db
    .insertInto('goalAssessments')
    .values({
      goalId: w.project.goalId,
      pupilId: w.pupil.id,
      kind: 'self',
      assessorId: w.pupil.id,
      level: 0,
      sharedWithGuardians: shared,
      voice: VOICE(blobKey('media', randomUUID(), 'original')),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
// --- end voice and anchored feedback ---
/** A previewed roster import of school A waiting to be applied (an empty roster: applying it changes nothing); rows written directly. */
async function rosterImport(app: TestApp, w: World): Promise<string> {
  // One apply per school at a time: let an earlier row's background apply finish first.
  await app.polku.maintenance.rosterJobs();
  const id = randomUUID();
  const counts = {
    users: { create: 0, update: 0, deactivate: 0, unchanged: 0 },
    groups: { create: 0, update: 0, unchanged: 0 },
    memberships: { create: 0, remove: 0 },
    guardianLinks: { create: 0, remove: 0 },
    unusable: 0,
    otherSchools: 0,
  };
  const rosterSchool = { sourcedId: 'org1', name: 'Koulu' };
  await app.database.db
    .withTables<{
      rosterImports: {
        id: string;
        schoolId: string;
        requestedBy: string;
        status: string;
        format: string;
        fileName: string;
        roster: string;
        preview: string;
        expiresAt: Date;
      };
    }>()
    .insertInto('rosterImports')
    .values({
      id,
      schoolId: w.schoolA.id,
      requestedBy: w.admin.id,
      status: 'ready',
      format: 'oneroster',
      fileName: 'roster.zip',
      roster: JSON.stringify({ format: 'oneroster', rosterSchool, users: [], classes: [], enrollments: [], links: [], problems: [], otherSchools: 0 }),
      preview: JSON.stringify({
        format: 'oneroster',
        rosterSchool,
        counts,
        users: [],
        groups: [],
        memberships: [],
        guardianLinks: [],
        unusable: [],
        listLimit: 500,
      }),
      expiresAt: new Date(Date.now() + 3600_000),
    })
    .execute();
  return id;
}

/** A finished export the pupil asked for, or an uploaded import waiting to be applied: rows written directly. */
async function portabilityJob(app: TestApp, w: World, kind: 'export' | 'import'): Promise<string> {
  const id = randomUUID();
  const key = blobKey(kind === 'export' ? 'export' : 'tmp', id);
  const bytes = kind === 'export' ? Buffer.from('PK\x05\x06'.padEnd(22, '\0'), 'latin1') : Buffer.from(tinyLeap2a({ suffix: id }));
  await app.polku.blobs.putStream(key, Readable.from(bytes), { contentType: 'application/octet-stream' });
  await app.database.db
    .insertInto('portabilityJobs')
    .values({
      id,
      kind,
      status: kind === 'export' ? 'done' : 'ready',
      // No process here serves this store: applied imports stay queued instead of running in the background.
      store: 'access-matrix',
      requestedBy: w.pupil.id,
      pupilId: w.pupil.id,
      scope: kind === 'export' ? 'full' : null,
      target: kind === 'import' ? JSON.stringify({ kind: 'existing', pupilId: w.pupil.id }) : null,
      fileName: kind === 'export' ? 'polku.zip' : 'leap2a.xml',
      blobKey: key,
      size: bytes.length,
      expiresAt: new Date(Date.now() + 3600_000),
    })
    .execute();
  return id;
}
// Whole-portfolio exports: the pupil, the group's teacher, the school's admin; the guardian gets the shared part.
const EXPORTERS = { pupil: 202, teacher: 202, admin: 202, guardian: 202 } as const;

/** A fresh user holding `roleA` at school A and `roleB` at school B: an account two schools share. */
async function userInBoth(app: TestApp, w: World, roleA: SchoolRole, roleB: SchoolRole) {
  const user = await makeUser(app.database.db, { role: roleA, schoolId: w.schoolA.id });
  await app.database.db.insertInto('schoolRoles').values({ schoolId: w.schoolB.id, userId: user.id, role: roleB }).execute();
  return user;
}
// Changing an account two schools share. Reading it, and its profile, belong to an admin of either school;
// its password and active flag only to an admin of both; and no admin ever changes an admin of a school they do not run.
const SHARED_ACCOUNT_READERS = { admin: 200, adminB: 200, adminAB: 200 } as const;
const SHARED_ACCOUNT_MANAGERS = { admin: 403, adminB: 403, adminAB: 200 } as const;

// --- Peer feedback (issue 10, section 5) ---
const MATRIX_IMAGE = 'media/ma/tr/matrix-image.original';
/** Fresh work of the pupil in the world's project, which allows peer feedback; shared with its pupils unless told. */
async function peerWork(w: World, app: TestApp, shared = true, mediaKey?: string) {
  const db = app.database.db.withTables<PeerTables>();
  await db
    .insertInto('projectPeerSettings')
    .values({ projectId: w.project.id, moderation: 'shown' })
    .onConflict((oc) => oc.doNothing())
    .execute();
  const work = await makeArtefact(app.database.db, { ownerId: w.pupil.id, projectId: w.project.id, ...(mediaKey ? { mediaKey } : {}) });
  if (shared) await db.insertInto('artefactPeerShares').values({ artefactId: work.id }).execute();
  return work;
}
/** A shown peer message by the classmate on fresh shared work. */
async function peerMessage(w: World, app: TestApp): Promise<string> {
  const work = await peerWork(w, app);
  const row = await app.database.db
    .withTables<PeerTables>()
    .insertInto('peerFeedback')
    .values({ artefactId: work.id, authorId: w.classmate.id, star1: 'a', star2: 'b', wish: 'c', state: 'shown' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
// --- end peer feedback ---

interface Case {
  route: string;
  /** Tells apart several rows of one route. */
  name?: string;
  /** Makes the request for one actor: path and body (may create fresh rows so each actor's call is independent). */
  request(w: World, app: TestApp): Promise<{ path: string; body?: unknown }>;
  expect: Expectation;
}

const cases: Case[] = [
  {
    route: 'POST /api/auth/login',
    request: async (w) => ({ path: '/api/auth/login', body: { username: w.pupilB.username, password: TEST_PASSWORD } }),
    expect: expectation({ anonymous: 200 }, 200),
  },
  { route: 'GET /api/me', request: async () => ({ path: '/api/me' }), expect: expectation({}, 200) },
  { route: 'GET /api/auth/session', request: async () => ({ path: '/api/auth/session' }), expect: expectation({ anonymous: 200 }, 200) },
  { route: 'PATCH /api/me', request: async () => ({ path: '/api/me', body: { locale: 'fi' } }), expect: expectation({}, 200) },
  { route: 'GET /api/me/groups', request: async () => ({ path: '/api/me/groups' }), expect: expectation({}, 200) },
  { route: 'GET /api/me/children', request: async () => ({ path: '/api/me/children' }), expect: expectation({}, 200) },
  { route: 'GET /api/schools', request: async () => ({ path: '/api/schools' }), expect: expectation({}, 200) },
  {
    route: 'POST /api/schools',
    request: async () => ({ path: '/api/schools', body: { name: `Uusi koulu ${unique()}` } }),
    expect: expectation({ admin: 201, adminB: 201 }, 403),
  },
  {
    route: 'GET /api/schools/{schoolId}',
    request: async (w) => ({ path: `/api/schools/${w.schoolA.id}` }),
    expect: expectation(each(SCHOOL_A, 200), 404),
  },
  {
    route: 'PATCH /api/schools/{schoolId}',
    request: async (w) => ({ path: `/api/schools/${w.schoolA.id}`, body: { name: w.schoolA.name } }),
    expect: expectation({ ...each(SCHOOL_A, 403), admin: 200 }, 404),
  },
  {
    route: 'GET /api/schools/{schoolId}/groups',
    request: async (w) => ({ path: `/api/schools/${w.schoolA.id}/groups` }),
    expect: expectation({ ...each(SCHOOL_A, 403), admin: 200, teacher: 200, otherTeacher: 200 }, 404),
  },
  {
    route: 'POST /api/schools/{schoolId}/groups',
    request: async (w) => ({ path: `/api/schools/${w.schoolA.id}/groups`, body: { name: `6${unique()}` } }),
    expect: expectation({ ...each(SCHOOL_A, 403), admin: 201 }, 404),
  },
  {
    route: 'GET /api/groups/{groupId}',
    request: async (w) => ({ path: `/api/groups/${w.group.id}` }),
    expect: expectation({ admin: 200, teacher: 200 }, 404),
  },
  {
    route: 'PATCH /api/groups/{groupId}',
    request: async (w) => ({ path: `/api/groups/${w.group.id}`, body: { name: w.group.name } }),
    expect: expectation({ admin: 200, teacher: 403 }, 404),
  },
  {
    route: 'PUT /api/groups/{groupId}/members/{userId}',
    request: async (w) => ({ path: `/api/groups/${w.group.id}/members/${w.classmate.id}`, body: { role: 'pupil' } }),
    expect: expectation({ admin: 200, teacher: 403 }, 404),
  },
  {
    route: 'DELETE /api/groups/{groupId}/members/{userId}',
    request: async (w, app) => {
      const spare = await makeUser(app.database.db, { role: 'pupil', schoolId: w.schoolA.id });
      await addMember(app.database.db, w.group.id, spare.id, 'pupil');
      return { path: `/api/groups/${w.group.id}/members/${spare.id}` };
    },
    expect: expectation({ admin: 200, teacher: 403 }, 404),
  },
  {
    route: 'GET /api/schools/{schoolId}/users',
    request: async (w) => ({ path: `/api/schools/${w.schoolA.id}/users` }),
    expect: expectation({ ...each(SCHOOL_A, 403), admin: 200 }, 404),
  },
  {
    route: 'POST /api/schools/{schoolId}/users',
    request: async (w) => ({ path: `/api/schools/${w.schoolA.id}/users`, body: { username: `new.${unique()}`, displayName: 'Uusi Oppilas', role: 'pupil' } }),
    expect: expectation({ ...each(SCHOOL_A, 403), admin: 201 }, 404),
  },
  {
    route: 'GET /api/users/{userId}',
    request: async (w) => ({ path: `/api/users/${w.pupil.id}` }),
    expect: expectation({ pupil: 200, admin: 200 }, 404),
  },
  {
    route: 'PATCH /api/users/{userId}',
    request: async (w) => ({ path: `/api/users/${w.pupil.id}`, body: { displayName: w.pupil.displayName } }),
    expect: expectation({ pupil: 403, admin: 200 }, 404),
  },
  {
    route: 'GET /api/users/{userId}',
    name: 'a teacher of both schools',
    request: async (w, app) => ({ path: `/api/users/${(await userInBoth(app, w, 'teacher', 'teacher')).id}` }),
    expect: expectation(SHARED_ACCOUNT_READERS, 404),
  },
  {
    route: 'PATCH /api/users/{userId}',
    name: 'a teacher of both schools: the name',
    request: async (w, app) => ({ path: `/api/users/${(await userInBoth(app, w, 'teacher', 'teacher')).id}`, body: { displayName: 'Uusi Nimi' } }),
    expect: expectation(SHARED_ACCOUNT_READERS, 404),
  },
  {
    route: 'PATCH /api/users/{userId}',
    name: 'a teacher of both schools: the password',
    request: async (w, app) => ({ path: `/api/users/${(await userInBoth(app, w, 'teacher', 'teacher')).id}`, body: { password: 'uusi salasana 123' } }),
    expect: expectation(SHARED_ACCOUNT_MANAGERS, 404),
  },
  {
    route: 'PATCH /api/users/{userId}',
    name: 'a pupil of both schools: deactivation',
    request: async (w, app) => ({ path: `/api/users/${(await userInBoth(app, w, 'pupil', 'pupil')).id}`, body: { active: false } }),
    expect: expectation(SHARED_ACCOUNT_MANAGERS, 404),
  },
  {
    route: 'PATCH /api/users/{userId}',
    name: "school A's admin who teaches at B: the name",
    request: async (w, app) => ({ path: `/api/users/${(await userInBoth(app, w, 'admin', 'teacher')).id}`, body: { displayName: 'Uusi Nimi' } }),
    // School B's admin does not edit school A's admin.
    expect: expectation({ admin: 200, adminB: 403, adminAB: 200 }, 404),
  },
  {
    route: 'PATCH /api/users/{userId}',
    name: 'an admin of both schools: the password',
    request: async (w, app) => ({ path: `/api/users/${(await userInBoth(app, w, 'admin', 'admin')).id}`, body: { password: 'uusi salasana 123' } }),
    expect: expectation(SHARED_ACCOUNT_MANAGERS, 404),
  },
  {
    route: 'GET /api/schools/{schoolId}/guardian-links',
    request: async (w) => ({ path: `/api/schools/${w.schoolA.id}/guardian-links` }),
    expect: expectation({ ...each(SCHOOL_A, 403), admin: 200 }, 404),
  },
  {
    route: 'POST /api/guardian-links',
    request: async (w, app) => {
      const guardian = await makeUser(app.database.db, { role: 'guardian', schoolId: w.schoolA.id });
      return { path: '/api/guardian-links', body: { guardianId: guardian.id, pupilId: w.pupil.id } };
    },
    expect: expectation({ pupil: 403, admin: 201 }, 404),
  },
  {
    route: 'POST /api/guardian-links',
    name: "a pupil of school A who is school B's admin",
    request: async (w, app) => {
      const pupil = await userInBoth(app, w, 'pupil', 'admin');
      const guardian = await makeUser(app.database.db, { role: 'guardian', schoolId: w.schoolA.id });
      return { path: '/api/guardian-links', body: { guardianId: guardian.id, pupilId: pupil.id } };
    },
    // School A's admin does not reach school B's admin; school B's admin links only through schools they
    // administer, where this user is no pupil (the guardian is known only at A); an admin of both links.
    expect: expectation({ admin: 403, adminB: 400, adminAB: 201 }, 404),
  },
  {
    route: 'DELETE /api/guardian-links/{guardianId}/{pupilId}',
    request: async (w, app) => {
      const guardian = await makeUser(app.database.db, { role: 'guardian', schoolId: w.schoolA.id });
      await linkGuardian(app.database.db, guardian.id, w.pupil.id);
      return { path: `/api/guardian-links/${guardian.id}/${w.pupil.id}` };
    },
    expect: expectation({ pupil: 403, admin: 200 }, 404),
  },
  { route: 'GET /api/reference', request: async () => ({ path: '/api/reference' }), expect: expectation({}, 200) },
  { route: 'GET /api/projects', request: async () => ({ path: '/api/projects' }), expect: expectation({}, 200) },
  {
    route: 'POST /api/projects',
    request: async (w) => ({ path: '/api/projects', body: { schoolId: w.schoolA.id, title: `Ilmiö ${unique()}`, phases: [{ title: 'Orientoituminen' }] } }),
    expect: expectation({ ...each(SCHOOL_A, 403), teacher: 201, otherTeacher: 201, admin: 201 }, 404),
  },
  {
    route: 'GET /api/projects/{projectId}',
    request: async (w) => ({ path: `/api/projects/${w.project.id}` }),
    // Everyone in the project's group, its teacher, the guardians of its pupils, the school's admin.
    expect: expectation({ pupil: 200, classmate: 200, teacher: 200, guardian: 200, otherGuardian: 200, admin: 200 }, 404),
  },
  {
    route: 'PATCH /api/projects/{projectId}',
    request: async (w) => ({ path: `/api/projects/${w.project.id}`, body: { title: w.project.title } }),
    expect: expectation({ pupil: 403, classmate: 403, guardian: 403, otherGuardian: 403, teacher: 200, admin: 200 }, 404),
  },
  {
    route: 'GET /api/schools/{schoolId}/scales',
    request: async (w) => ({ path: `/api/schools/${w.schoolA.id}/scales` }),
    // Everyone at the school: pupils pick levels on these scales.
    expect: expectation(each(SCHOOL_A, 200), 404),
  },
  {
    route: 'POST /api/schools/{schoolId}/scales',
    request: async (w) => ({ path: `/api/schools/${w.schoolA.id}/scales`, body: matrixScale() }),
    expect: expectation({ ...each(SCHOOL_A, 403), admin: 201 }, 404),
  },
  {
    route: 'PATCH /api/scales/{scaleId}',
    request: async (w) => ({ path: `/api/scales/${w.scaleId}`, body: { name: matrixScale().name } }),
    expect: expectation({ ...each(SCHOOL_A, 403), admin: 200 }, 404),
  },
  {
    route: 'PATCH /api/scales/{scaleId}',
    name: 'a built-in scale',
    request: async (w) => ({ path: `/api/scales/${w.builtinScaleId}`, body: { name: matrixScale().name } }),
    // Seen by everyone, changed by no one.
    expect: expectation({}, 403),
  },
  // --- Goal assessments (issue 10, section 2): the pupil, their teachers, their guardian (shared only, never assessing) ---
  {
    route: 'GET /api/goals/{goalId}/pupils/{pupilId}',
    request: async (w) => ({ path: `/api/goals/${w.project.goalId}/pupils/${w.pupil.id}` }),
    expect: expectation({ pupil: 200, teacher: 200, guardian: 200 }, 404),
  },
  {
    route: 'POST /api/goals/{goalId}/pupils/{pupilId}/assessments',
    request: async (w) => ({ path: `/api/goals/${w.project.goalId}/pupils/${w.pupil.id}/assessments`, body: { level: 1 } }),
    expect: expectation({ pupil: 201, teacher: 201, guardian: 403 }, 404),
  },
  {
    route: 'PATCH /api/goal-assessments/{assessmentId}/sharing',
    request: async (w, app) => {
      const row = await app.database.db
        .insertInto('goalAssessments')
        .values({ goalId: w.project.goalId, pupilId: w.pupil.id, kind: 'self', assessorId: w.pupil.id, level: 1 })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { path: `/api/goal-assessments/${row.id}/sharing`, body: { sharedWithGuardians: true } };
    },
    // Unshared: the guardian does not know it exists; the teacher sees it but sharing is the pupil's.
    expect: expectation({ pupil: 200, teacher: 403 }, 404),
  },
  // --- end goal assessments ---
  // --- Teacher's view of a group (issue 10, section 6): teachers of the project or its groups; never pupils, guardians or admins ---
  {
    route: 'GET /api/projects/{projectId}/heatmap',
    request: async (w) => ({ path: `/api/projects/${w.project.id}/heatmap` }),
    // Those who see the project learn nothing from a 403; everyone else may not know it exists.
    expect: expectation({ teacher: 200, pupil: 403, classmate: 403, guardian: 403, otherGuardian: 403, admin: 403 }, 404),
  },
  {
    route: 'GET /api/groups/{groupId}/coverage',
    request: async (w) => ({ path: `/api/groups/${w.group.id}/coverage` }),
    expect: expectation({ teacher: 200, admin: 403 }, 404),
  },
  // --- end teacher's view of a group ---
  // --- Peer feedback (issue 10, section 5): the owner, classmates in the project, its teachers; never guardians or admins ---
  {
    route: 'GET /api/projects/{projectId}/peer-work',
    request: async (w) => ({ path: `/api/projects/${w.project.id}/peer-work` }),
    // Guardians and the admin see the project, so a 403 tells them nothing; classmates' names are not theirs.
    expect: expectation({ pupil: 200, classmate: 200, teacher: 200, guardian: 403, otherGuardian: 403, admin: 403 }, 404),
  },
  {
    route: 'PUT /api/projects/{projectId}/peer-settings',
    request: async (w) => ({ path: `/api/projects/${w.project.id}/peer-settings`, body: { enabled: true, moderation: 'shown' } }),
    expect: expectation({ teacher: 200, pupil: 403, classmate: 403, guardian: 403, otherGuardian: 403, admin: 403 }, 404),
  },
  {
    route: 'GET /api/projects/{projectId}/peer-moderation',
    request: async (w) => ({ path: `/api/projects/${w.project.id}/peer-moderation` }),
    expect: expectation({ teacher: 200, pupil: 403, classmate: 403, guardian: 403, otherGuardian: 403, admin: 403 }, 404),
  },
  {
    route: 'PUT /api/artefacts/{artefactId}/peer-sharing',
    request: async (w, app) => ({ path: `/api/artefacts/${(await peerWork(w, app, false)).id}/peer-sharing`, body: { shared: true } }),
    // Not yet shared: a classmate does not know it exists.
    expect: expectation({ pupil: 200, teacher: 403 }, 404),
  },
  {
    route: 'GET /api/artefacts/{artefactId}/peer-work',
    request: async (w, app) => ({ path: `/api/artefacts/${(await peerWork(w, app)).id}/peer-work` }),
    expect: expectation({ pupil: 200, classmate: 200, teacher: 200 }, 404),
  },
  {
    route: 'GET /api/artefacts/{artefactId}/peer-work/media/{mediaId}/{variant}',
    request: async (w, app) => {
      const work = await peerWork(w, app, true, MATRIX_IMAGE);
      return { path: `/api/artefacts/${work.id}/peer-work/media/${work.mediaId ?? ''}/original` };
    },
    expect: expectation({ pupil: 302, classmate: 302, teacher: 302 }, 404),
  },
  {
    route: 'GET /api/artefacts/{artefactId}/peer-feedback',
    request: async (w, app) => ({ path: `/api/artefacts/${(await peerWork(w, app)).id}/peer-feedback` }),
    expect: expectation({ pupil: 200, classmate: 200, teacher: 200 }, 404),
  },
  {
    route: 'POST /api/artefacts/{artefactId}/peer-feedback',
    request: async (w, app) => ({
      path: `/api/artefacts/${(await peerWork(w, app)).id}/peer-feedback`,
      body: { star1: 'Hyvät kuvat', star2: 'Selkeä teksti', wish: 'Lisää lähteitä' },
    }),
    // Only a classmate gives peer feedback; the owner and the teacher see the work (403).
    expect: expectation({ classmate: 201, pupil: 403, teacher: 403 }, 404),
  },
  {
    route: 'POST /api/peer-feedback/{peerFeedbackId}/report',
    request: async (w, app) => ({ path: `/api/peer-feedback/${await peerMessage(w, app)}/report` }),
    // The owner reports; the author and the teacher see the message but do not report it.
    expect: expectation({ pupil: 200, classmate: 403, teacher: 403 }, 404),
  },
  {
    route: 'POST /api/peer-feedback/{peerFeedbackId}/moderation',
    request: async (w, app) => ({ path: `/api/peer-feedback/${await peerMessage(w, app)}/moderation`, body: { action: 'hide' } }),
    expect: expectation({ teacher: 200, pupil: 403, classmate: 403 }, 404),
  },
  // --- end peer feedback ---
  {
    route: 'POST /api/artefacts',
    request: async () => ({ path: '/api/artefacts', body: { title: 'Havainto' } }),
    // Only pupils keep portfolios; everyone else signed in may see their own (empty) one: 403.
    expect: expectation({ pupil: 201, classmate: 201 }, 403),
  },
  {
    route: 'GET /api/artefacts/{artefactId}',
    request: async (w) => ({ path: `/api/artefacts/${w.artefact.id}` }),
    expect: expectation({ pupil: 200, teacher: 200 }, 404),
  },
  {
    route: 'PATCH /api/artefacts/{artefactId}',
    request: async (w) => ({ path: `/api/artefacts/${w.artefact.id}`, body: { title: w.artefact.title } }),
    expect: expectation({ pupil: 200, teacher: 403 }, 404),
  },
  {
    route: 'DELETE /api/artefacts/{artefactId}',
    request: async (w, app) => ({ path: `/api/artefacts/${(await makeArtefact(app.database.db, { ownerId: w.pupil.id })).id}` }),
    expect: expectation({ pupil: 200, teacher: 403 }, 404),
  },
  {
    route: 'POST /api/artefacts/{artefactId}/restore',
    request: async (w, app) => ({
      path: `/api/artefacts/${(await makeArtefact(app.database.db, { ownerId: w.pupil.id, deleted: true })).id}/restore`,
      body: {},
    }),
    expect: expectation({ pupil: 200, teacher: 403 }, 404),
  },
  {
    route: 'POST /api/artefacts/{artefactId}/media',
    request: async (w) => {
      const form = new FormData();
      form.append('files', new Blob([await tinyPng()], { type: 'image/png' }), 'piirros.png');
      return { path: `/api/artefacts/${w.artefact.id}/media`, body: form };
    },
    expect: expectation({ pupil: 200, teacher: 403 }, 404),
  },
  {
    route: 'GET /api/artefacts/{artefactId}/history',
    request: async (w) => ({ path: `/api/artefacts/${w.artefact.id}/history` }),
    expect: expectation({ pupil: 200, teacher: 200 }, 404),
  },
  {
    route: 'GET /api/pupils/{pupilId}/artefacts',
    request: async (w) => ({ path: `/api/pupils/${w.pupil.id}/artefacts` }),
    // The guardian sees the portfolio, scoped to what is shared (checked below).
    expect: expectation({ pupil: 200, teacher: 200, guardian: 200 }, 404),
  },
  {
    route: 'GET /api/pupils/{pupilId}/tags',
    request: async (w) => ({ path: `/api/pupils/${w.pupil.id}/tags` }),
    // As the timeline: the guardian gets the tags of shared work only (artefact-tags.test.ts).
    expect: expectation({ pupil: 200, teacher: 200, guardian: 200 }, 404),
  },
  {
    route: 'GET /api/groups/{groupId}/overview',
    request: async (w) => ({ path: `/api/groups/${w.group.id}/overview` }),
    expect: expectation({ teacher: 200, admin: 403 }, 404),
  },
  {
    route: 'GET /api/media/{mediaId}/{variant}',
    request: async (w) => ({ path: `/api/media/${w.artefact.mediaId}/original` }),
    expect: expectation({ pupil: 302, teacher: 302 }, 404),
  },
  {
    route: 'GET /api/artefacts/{artefactId}/feedback',
    request: async (w) => ({ path: `/api/artefacts/${w.artefact.id}/feedback` }),
    expect: expectation({ pupil: 200, teacher: 200 }, 404),
  },
  {
    route: 'POST /api/artefacts/{artefactId}/feedback',
    request: async (w) => ({ path: `/api/artefacts/${w.artefact.id}/feedback`, body: { body: 'Kerro lisää!' } }),
    expect: expectation({ pupil: 201, teacher: 201 }, 404),
  },
  {
    route: 'PATCH /api/artefacts/{artefactId}/feedback/{feedbackId}',
    request: async (w, app) => {
      const feedback = await makeFeedback(app.database.db, w.artefact.id, w.teacher.id);
      return { path: `/api/artefacts/${w.artefact.id}/feedback/${feedback.id}`, body: { body: 'Korjattu palaute' } };
    },
    expect: expectation({ teacher: 200, pupil: 403 }, 404),
  },
  {
    route: 'DELETE /api/artefacts/{artefactId}/feedback/{feedbackId}',
    request: async (w, app) => {
      const feedback = await makeFeedback(app.database.db, w.artefact.id, w.teacher.id);
      return { path: `/api/artefacts/${w.artefact.id}/feedback/${feedback.id}` };
    },
    expect: expectation({ teacher: 200, pupil: 403 }, 404),
  },
  {
    route: 'POST /api/artefacts/{artefactId}/feedback/read',
    request: async (w) => ({ path: `/api/artefacts/${w.artefact.id}/feedback/read`, body: {} }),
    expect: expectation({ pupil: 200, teacher: 200 }, 404),
  },
  // Issue 10 §3–4, the uptake loop: only the pupil's teachers mark feedback as a request to revise;
  // only the owner says which feedback a new version answers (with or without new files).
  {
    route: 'POST /api/artefacts/{artefactId}/feedback',
    name: 'a request to revise',
    request: async (w) => ({ path: `/api/artefacts/${w.artefact.id}/feedback`, body: { body: 'Täydennä, kiitos.', revise: true } }),
    expect: expectation({ pupil: 403, teacher: 201 }, 404),
  },
  {
    route: 'PATCH /api/artefacts/{artefactId}',
    name: 'a version answering feedback',
    request: async (w, app) => {
      const feedback = await makeFeedback(app.database.db, w.artefact.id, w.teacher.id);
      return { path: `/api/artefacts/${w.artefact.id}`, body: { title: `Korjattu ${unique()}`, answersFeedbackIds: [feedback.id] } };
    },
    expect: expectation({ pupil: 200, teacher: 403 }, 404),
  },
  {
    route: 'POST /api/artefacts/{artefactId}/media',
    name: 'files and fields in one save',
    request: async (w) => {
      const form = new FormData();
      form.append('data', JSON.stringify({ title: `Kuvien kanssa ${unique()}` }));
      form.append('files', new Blob([await tinyPng()], { type: 'image/png' }), 'piirros.png');
      return { path: `/api/artefacts/${w.artefact.id}/media`, body: form };
    },
    expect: expectation({ pupil: 200, teacher: 403 }, 404),
  },
  // --- Voice and anchored feedback, spoken reflections (issue 10, sections 2–3) ---
  {
    route: 'POST /api/artefacts/{artefactId}/feedback/voice',
    request: async (w) => ({ path: `/api/artefacts/${w.artefact.id}/feedback/voice`, body: voiceForm({}) }),
    expect: expectation({ pupil: 201, teacher: 201 }, 404),
  },
  {
    route: 'GET /api/artefacts/{artefactId}/feedback/{feedbackId}/voice',
    request: async (w, app) => {
      const feedback = await voiceFeedback(app, w.artefact.id, w.teacher.id);
      return { path: `/api/artefacts/${w.artefact.id}/feedback/${feedback}/voice` };
    },
    // Whoever reads the thread: the work is not shared, so not the guardian.
    expect: expectation({ pupil: 302, teacher: 302 }, 404),
  },
  {
    route: 'GET /api/artefacts/{artefactId}/feedback/{feedbackId}/voice',
    name: 'on shared work',
    request: async (w, app) => {
      const shared = await makeArtefact(app.database.db, { ownerId: w.pupil.id, visibility: 'guardians' });
      const feedback = await voiceFeedback(app, shared.id, w.teacher.id);
      return { path: `/api/artefacts/${shared.id}/feedback/${feedback}/voice` };
    },
    expect: expectation({ pupil: 302, teacher: 302, guardian: 302 }, 404),
  },
  {
    route: 'POST /api/goals/{goalId}/pupils/{pupilId}/assessments/voice',
    request: async (w) => ({ path: `/api/goals/${w.project.goalId}/pupils/${w.pupil.id}/assessments/voice`, body: voiceForm({ level: 1 }) }),
    expect: expectation({ pupil: 201, teacher: 201, guardian: 403 }, 404),
  },
  {
    route: 'GET /api/goal-assessments/{assessmentId}/voice',
    request: async (w, app) => ({ path: `/api/goal-assessments/${await voiceAssessment(app, w, false)}/voice` }),
    // Unshared: not the guardian.
    expect: expectation({ pupil: 302, teacher: 302 }, 404),
  },
  {
    route: 'GET /api/goal-assessments/{assessmentId}/voice',
    name: 'shared with guardians',
    request: async (w, app) => ({ path: `/api/goal-assessments/${await voiceAssessment(app, w, true)}/voice` }),
    expect: expectation({ pupil: 302, teacher: 302, guardian: 302 }, 404),
  },
  // --- end voice and anchored feedback ---
  {
    route: 'POST /api/pupils/{pupilId}/exports',
    request: async (w) => ({ path: `/api/pupils/${w.pupil.id}/exports`, body: {} }),
    expect: expectation(EXPORTERS, 404),
  },
  {
    route: 'GET /api/pupils/{pupilId}/exports',
    request: async (w) => ({ path: `/api/pupils/${w.pupil.id}/exports` }),
    expect: expectation({ pupil: 200, teacher: 200, admin: 200, guardian: 200 }, 404),
  },
  {
    route: 'GET /api/exports/{exportId}',
    request: async (w, app) => ({ path: `/api/exports/${await portabilityJob(app, w, 'export')}` }),
    // The requester and the school's admins only; the pupil's teacher does not see the pupil's own job.
    expect: expectation({ pupil: 200, admin: 200 }, 404),
  },
  {
    route: 'GET /api/exports/{exportId}/download',
    request: async (w, app) => ({ path: `/api/exports/${await portabilityJob(app, w, 'export')}/download` }),
    expect: expectation({ pupil: 302, admin: 302 }, 404),
  },
  {
    route: 'POST /api/imports',
    request: async (w) => {
      const form = new FormData();
      form.append('data', JSON.stringify({ target: { kind: 'existing', pupilId: w.pupil.id } }));
      form.append('file', new Blob([tinyLeap2a({ suffix: unique() })], { type: 'application/xml' }), 'leap2a.xml');
      return { path: '/api/imports', body: form };
    },
    // Into the pupil's portfolio: the pupil and the school's admin; those who see the portfolio but may not change it: 403.
    expect: expectation({ pupil: 201, admin: 201, teacher: 403, guardian: 403 }, 404),
  },
  {
    route: 'GET /api/imports/{importId}',
    request: async (w, app) => ({ path: `/api/imports/${await portabilityJob(app, w, 'import')}` }),
    expect: expectation({ pupil: 200, admin: 200 }, 404),
  },
  {
    route: 'POST /api/imports/{importId}/apply',
    request: async (w, app) => ({ path: `/api/imports/${await portabilityJob(app, w, 'import')}/apply`, body: {} }),
    expect: expectation({ pupil: 202, admin: 202 }, 404),
  },
  {
    route: 'DELETE /api/imports/{importId}',
    request: async (w, app) => ({ path: `/api/imports/${await portabilityJob(app, w, 'import')}` }),
    expect: expectation({ pupil: 200, admin: 200 }, 404),
  },
  // --- Sign-in cards and the admin's user list (issue 11 §3, §6) ---
  {
    route: 'POST /api/auth/card',
    // A fresh card of a fresh pupil of school B for every actor: anyone holding a card may sign in with it.
    request: async (w, app) => {
      const code = newCardCode();
      const pupil = await makeUser(app.database.db, { role: 'pupil', schoolId: w.schoolB.id });
      await app.database.db
        .insertInto('signInCards')
        .values({ schoolId: w.schoolB.id, userId: pupil.id, secretHash: hashCardCode(code) })
        .execute();
      return { path: '/api/auth/card', body: { cardCode: code } };
    },
    expect: expectation({ anonymous: 200 }, 200),
  },
  {
    route: 'GET /api/groups/{groupId}/sign-in-cards',
    request: async (w) => ({ path: `/api/groups/${w.group.id}/sign-in-cards` }),
    expect: expectation({ teacher: 200, admin: 200 }, 404),
  },
  {
    route: 'POST /api/groups/{groupId}/sign-in-cards',
    request: async (w) => ({ path: `/api/groups/${w.group.id}/sign-in-cards`, body: { pupilIds: [w.classmate.id] } }),
    expect: expectation({ teacher: 201, admin: 201 }, 404),
  },
  {
    route: 'POST /api/groups/{groupId}/sign-in-cards/revoke',
    request: async (w) => ({ path: `/api/groups/${w.group.id}/sign-in-cards/revoke`, body: { pupilIds: [w.classmate.id] } }),
    expect: expectation({ teacher: 200, admin: 200 }, 404),
  },
  {
    route: 'POST /api/schools/{schoolId}/sign-in-cards',
    request: async (w) => ({ path: `/api/schools/${w.schoolA.id}/sign-in-cards`, body: { pupilIds: [w.classmate.id] } }),
    expect: expectation({ ...each(SCHOOL_A, 403), admin: 201 }, 404),
  },
  {
    route: 'GET /api/schools/{schoolId}/sign-in-cards/settings',
    request: async (w) => ({ path: `/api/schools/${w.schoolA.id}/sign-in-cards/settings` }),
    expect: expectation({ ...each(SCHOOL_A, 403), teacher: 200, otherTeacher: 200, admin: 200 }, 404),
  },
  {
    route: 'PUT /api/schools/{schoolId}/sign-in-cards/settings',
    request: async (w) => ({ path: `/api/schools/${w.schoolA.id}/sign-in-cards/settings`, body: { hoursStart: null, hoursEnd: null } }),
    expect: expectation({ ...each(SCHOOL_A, 403), admin: 200 }, 404),
  },
  {
    route: 'GET /api/schools/{schoolId}/user-directory',
    request: async (w) => ({ path: `/api/schools/${w.schoolA.id}/user-directory?q=a&role=pupil&page=1` }),
    expect: expectation({ ...each(SCHOOL_A, 403), admin: 200 }, 404),
  },
  {
    route: 'POST /api/schools/{schoolId}/users/bulk',
    // Activating an active account changes nothing, so every actor's try leaves the world as it was.
    request: async (w) => ({ path: `/api/schools/${w.schoolA.id}/users/bulk`, body: { action: 'activate', userIds: [w.classmate.id] } }),
    expect: expectation({ ...each(SCHOOL_A, 403), admin: 200 }, 404),
  },
  // --- Guardian invitations, e-mail and password reset (issue 11, sections 4-5) ---
  { route: 'GET /api/mail-status', request: async () => ({ path: '/api/mail-status' }), expect: expectation({ anonymous: 200 }, 200) },
  {
    route: 'POST /api/guardian-invitations',
    request: async (w) => ({ path: '/api/guardian-invitations', body: { pupilId: w.pupil.id } }),
    expect: expectation({ pupil: 403, guardian: 403, teacher: 201, admin: 201 }, 404),
  },
  {
    route: 'POST /api/guardian-invitations',
    name: 'a whole group',
    request: async (w) => ({ path: '/api/guardian-invitations', body: { groupId: w.group.id } }),
    expect: expectation({ teacher: 201, admin: 201 }, 404),
  },
  {
    route: 'POST /api/schools/{schoolId}/guardian-invitations',
    // The user list's bulk action (issue 11 §6): a pupil of its own, so that the rows above stay as they were.
    request: async (w, app) => ({
      path: `/api/schools/${w.schoolA.id}/guardian-invitations`,
      body: { invitees: [{ userId: (await makeUser(app.database.db, { role: 'pupil', schoolId: w.schoolA.id })).id }] },
    }),
    expect: expectation({ ...each(SCHOOL_A, 403), admin: 201 }, 404),
  },
  {
    route: 'POST /api/guardian-invitations/{invitationId}/resend',
    request: async (w, app) => ({ path: `/api/guardian-invitations/${(await matrixInvitation(app, w.schoolA.id, w.pupil.id)).id}/resend`, body: {} }),
    expect: expectation({ pupil: 403, guardian: 403, teacher: 200, admin: 200 }, 404),
  },
  {
    route: 'DELETE /api/guardian-invitations/{invitationId}',
    request: async (w, app) => ({ path: `/api/guardian-invitations/${(await matrixInvitation(app, w.schoolA.id, w.pupil.id)).id}` }),
    expect: expectation({ pupil: 403, guardian: 403, teacher: 200, admin: 200 }, 404),
  },
  {
    route: 'GET /api/pupils/{pupilId}/guardian-invitations',
    request: async (w) => ({ path: `/api/pupils/${w.pupil.id}/guardian-invitations` }),
    expect: expectation({ pupil: 403, guardian: 403, teacher: 200, admin: 200 }, 404),
  },
  {
    route: 'GET /api/groups/{groupId}/guardian-invitations',
    request: async (w) => ({ path: `/api/groups/${w.group.id}/guardian-invitations` }),
    expect: expectation({ teacher: 200, admin: 200 }, 404),
  },
  {
    route: 'GET /api/schools/{schoolId}/guardian-invitations',
    request: async (w) => ({ path: `/api/schools/${w.schoolA.id}/guardian-invitations` }),
    expect: expectation({ ...each(SCHOOL_A, 403), admin: 200 }, 404),
  },
  {
    route: 'POST /api/invitations/open',
    request: async (w, app) => ({ path: '/api/invitations/open', body: { code: (await matrixInvitation(app, w.schoolA.id, w.pupil.id)).code } }),
    expect: expectation({ anonymous: 200 }, 200),
  },
  {
    route: 'POST /api/invitations/accept',
    name: 'into the signed-in account',
    request: async (w, app) => {
      // A pupil of their own, so that the guardians linked here change nothing for the rows above.
      const pupil = await makeUser(app.database.db, { role: 'pupil', schoolId: w.schoolA.id });
      return { path: '/api/invitations/accept', body: { code: (await matrixInvitation(app, w.schoolA.id, pupil.id)).code, account: { kind: 'session' } } };
    },
    // Only an account that is a guardian and nothing else takes a guardian link.
    expect: expectation({ anonymous: 401, guardian: 200, otherGuardian: 200 }, 403),
  },
  // The matrix's Polku sends no e-mail: everyone gets the same 409, which the page explains.
  {
    route: 'POST /api/auth/password-reset',
    request: async () => ({ path: '/api/auth/password-reset', body: { email: 'someone@example.fi' } }),
    expect: expectation({ anonymous: 409 }, 409),
  },
  {
    route: 'POST /api/auth/password-reset/confirm',
    request: async () => ({ path: '/api/auth/password-reset/confirm', body: { token: randomBytes(32).toString('base64url'), password: 'uusi salasana 123' } }),
    expect: expectation({ anonymous: 400 }, 400),
  },
  {
    route: 'POST /api/pupils/{pupilId}/password',
    request: async (w, app) => {
      // A pupil of the group of their own: the new password ends that pupil's sessions, not the matrix's.
      const pupil = await makeUser(app.database.db, { role: 'pupil', schoolId: w.schoolA.id });
      await addMember(app.database.db, w.group.id, pupil.id, 'pupil');
      return { path: `/api/pupils/${pupil.id}/password`, body: { password: 'uusi salasana 123' } };
    },
    expect: expectation({ teacher: 200, admin: 200 }, 404),
  },
  // --- Rosters (issue 11 §2): the school's admins only; members of the school who are not admins: 403, others: 404 ---
  {
    route: 'POST /api/schools/{schoolId}/roster-imports',
    request: async (w) => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(zipOf(oneRosterFiles(matrixRoster())))]), 'roster.zip');
      return { path: `/api/schools/${w.schoolA.id}/roster-imports`, body: form };
    },
    expect: expectation({ admin: 201, ...each(['pupil', 'classmate', 'teacher', 'otherTeacher', 'guardian', 'otherGuardian'], 403) }, 404),
  },
  {
    route: 'GET /api/roster-imports/{rosterImportId}',
    request: async (w, app) => ({ path: `/api/roster-imports/${await rosterImport(app, w)}` }),
    expect: expectation({ admin: 200, ...each(['pupil', 'classmate', 'teacher', 'otherTeacher', 'guardian', 'otherGuardian'], 403) }, 404),
  },
  {
    route: 'POST /api/roster-imports/{rosterImportId}/apply',
    request: async (w, app) => ({ path: `/api/roster-imports/${await rosterImport(app, w)}/apply`, body: {} }),
    expect: expectation({ admin: 202, ...each(['pupil', 'classmate', 'teacher', 'otherTeacher', 'guardian', 'otherGuardian'], 403) }, 404),
  },
  {
    route: 'DELETE /api/roster-imports/{rosterImportId}',
    request: async (w, app) => ({ path: `/api/roster-imports/${await rosterImport(app, w)}` }),
    expect: expectation({ admin: 200, ...each(['pupil', 'classmate', 'teacher', 'otherTeacher', 'guardian', 'otherGuardian'], 403) }, 404),
  },
  // Notification centre (issue 12 §5): everyone's own; one notification only its recipient's (404 for the rest).
  { route: 'GET /api/notifications', request: async () => ({ path: '/api/notifications' }), expect: expectation({}, 200) },
  { route: 'GET /api/notifications/unread-count', request: async () => ({ path: '/api/notifications/unread-count' }), expect: expectation({}, 200) },
  { route: 'POST /api/notifications/read-all', request: async () => ({ path: '/api/notifications/read-all', body: {} }), expect: expectation({}, 200) },
  {
    route: 'POST /api/notifications/{notificationId}/read',
    request: async (w, app) => ({ path: `/api/notifications/${await matrixNotification(app, w)}/read`, body: {} }),
    expect: expectation({ pupil: 200 }, 404),
  },
  // --- Guardian voice (issue 12 §2): the pupil's guardians react and comment; the pupil and teachers see; teachers moderate ---
  {
    route: 'GET /api/artefacts/{artefactId}/guardian-voice',
    request: async (w, app) => ({ path: `/api/artefacts/${(await voiceWork(w, app)).id}/guardian-voice` }),
    expect: expectation({ pupil: 200, teacher: 200, guardian: 200 }, 404),
  },
  {
    route: 'PUT /api/artefacts/{artefactId}/guardian-reactions',
    request: async (w, app) => ({ path: `/api/artefacts/${(await voiceWork(w, app)).id}/guardian-reactions`, body: { reaction: 'heart', given: true } }),
    expect: expectation({ guardian: 200, pupil: 403, teacher: 403 }, 404),
  },
  {
    route: 'POST /api/artefacts/{artefactId}/guardian-comments',
    request: async (w, app) => ({ path: `/api/artefacts/${(await voiceWork(w, app)).id}/guardian-comments`, body: { body: 'Hienoa!' } }),
    expect: expectation({ guardian: 201, pupil: 403, teacher: 403 }, 404),
  },
  // Issue 12 §2 on showcases (§3): the same rules on a showcase shared with guardians; never the project's classmates.
  // (Before the rows below, which write comments by the guardian: the posts here stay within the rate limit.)
  {
    route: 'GET /api/showcases/{showcaseId}/guardian-voice',
    request: async (w, app) => ({ path: `/api/showcases/${await voiceShowcase(w, app)}/guardian-voice` }),
    expect: expectation({ pupil: 200, teacher: 200, guardian: 200 }, 404),
  },
  {
    route: 'GET /api/showcases/{showcaseId}/guardian-voice',
    name: 'shared with the project: classmates read the showcase, not guardian voice',
    request: async (w, app) => ({ path: `/api/showcases/${await voiceShowcase(w, app, 'project')}/guardian-voice` }),
    expect: expectation({ pupil: 200, teacher: 200, guardian: 200 }, 404),
  },
  {
    route: 'GET /api/showcases/{showcaseId}/guardian-voice',
    name: 'private: its owner and teachers only',
    request: async (w, app) => ({ path: `/api/showcases/${await voiceShowcase(w, app, 'private')}/guardian-voice` }),
    expect: expectation({ pupil: 200, teacher: 200 }, 404),
  },
  {
    route: 'PUT /api/showcases/{showcaseId}/guardian-reactions',
    request: async (w, app) => ({ path: `/api/showcases/${await voiceShowcase(w, app)}/guardian-reactions`, body: { reaction: 'heart', given: true } }),
    expect: expectation({ guardian: 200, pupil: 403, teacher: 403 }, 404),
  },
  {
    route: 'POST /api/showcases/{showcaseId}/guardian-comments',
    request: async (w, app) => ({ path: `/api/showcases/${await voiceShowcase(w, app)}/guardian-comments`, body: { body: 'Hienoa!' } }),
    expect: expectation({ guardian: 201, pupil: 403, teacher: 403 }, 404),
  },
  {
    route: 'POST /api/showcases/{showcaseId}/guardian-comments',
    name: 'private',
    request: async (w, app) => ({ path: `/api/showcases/${await voiceShowcase(w, app, 'private')}/guardian-comments`, body: { body: 'Hienoa!' } }),
    expect: expectation({ pupil: 403, teacher: 403 }, 404),
  },
  {
    route: 'DELETE /api/guardian-comments/{commentId}',
    request: async (w, app) => ({ path: `/api/guardian-comments/${await voiceComment(w, app)}` }),
    expect: expectation({ guardian: 200, pupil: 403, teacher: 403 }, 404),
  },
  {
    route: 'POST /api/guardian-comments/{commentId}/report',
    request: async (w, app) => ({ path: `/api/guardian-comments/${await voiceComment(w, app)}/report` }),
    expect: expectation({ pupil: 200, guardian: 403, teacher: 403 }, 404),
  },
  {
    route: 'POST /api/guardian-comments/{commentId}/moderation',
    request: async (w, app) => ({ path: `/api/guardian-comments/${await voiceComment(w, app)}/moderation`, body: { action: 'hide' } }),
    expect: expectation({ teacher: 200, pupil: 403, guardian: 403 }, 404),
  },
  {
    route: 'GET /api/guardian-comments/moderation',
    request: async () => ({ path: '/api/guardian-comments/moderation' }),
    // Any teacher has a (perhaps empty) list of their own; everyone else: 403.
    expect: expectation({ teacher: 200, otherTeacher: 200, teacherB: 200 }, 403),
  },
  {
    route: 'DELETE /api/guardian-comments/{commentId}',
    name: 'on a showcase',
    request: async (w, app) => ({ path: `/api/guardian-comments/${await voiceShowcaseComment(w, app)}` }),
    expect: expectation({ guardian: 200, pupil: 403, teacher: 403 }, 404),
  },
  {
    route: 'POST /api/guardian-comments/{commentId}/report',
    name: 'on a showcase',
    request: async (w, app) => ({ path: `/api/guardian-comments/${await voiceShowcaseComment(w, app)}/report` }),
    expect: expectation({ pupil: 200, guardian: 403, teacher: 403 }, 404),
  },
  {
    route: 'POST /api/guardian-comments/{commentId}/moderation',
    name: 'on a showcase',
    request: async (w, app) => ({ path: `/api/guardian-comments/${await voiceShowcaseComment(w, app)}/moderation`, body: { action: 'hide' } }),
    expect: expectation({ teacher: 200, pupil: 403, guardian: 403 }, 404),
  },
  // --- end guardian voice ---
  // --- Showcases (issue 12 §3): the pupil curates; their teachers and whoever it is shared with read ---
  { route: 'GET /api/showcases', request: async () => ({ path: '/api/showcases' }), expect: expectation({}, 200) },
  {
    route: 'POST /api/showcases',
    request: async () => ({ path: '/api/showcases', body: { title: 'Parhaat työni' } }),
    expect: expectation({ pupil: 201, classmate: 201 }, 403),
  },
  {
    route: 'GET /api/pupils/{pupilId}/showcases',
    request: async (w) => ({ path: `/api/pupils/${w.pupil.id}/showcases` }),
    expect: expectation({ pupil: 200, teacher: 200, guardian: 200 }, 404),
  },
  {
    route: 'GET /api/projects/{projectId}/showcases',
    request: async (w) => ({ path: `/api/projects/${w.project.id}/showcases` }),
    // project.read: its teachers and pupils, their guardians and the school's admins.
    expect: expectation({ ...each(['pupil', 'classmate', 'teacher', 'guardian', 'otherGuardian', 'admin'], 200) }, 404),
  },
  {
    route: 'GET /api/showcases/{showcaseId}',
    name: 'shared with guardians',
    request: async (w, app) => ({ path: `/api/showcases/${(await matrixShowcase(app, w, 'guardians')).id}` }),
    expect: expectation({ pupil: 200, teacher: 200, guardian: 200 }, 404),
  },
  {
    route: 'GET /api/showcases/{showcaseId}',
    name: 'shared with the project',
    request: async (w, app) => ({ path: `/api/showcases/${(await matrixShowcase(app, w, 'project')).id}` }),
    expect: expectation({ pupil: 200, classmate: 200, teacher: 200, guardian: 200 }, 404),
  },
  {
    route: 'PATCH /api/showcases/{showcaseId}',
    request: async (w, app) => ({ path: `/api/showcases/${(await matrixShowcase(app, w)).id}`, body: { title: 'Uusi nimi' } }),
    expect: expectation({ pupil: 200, teacher: 403 }, 404),
  },
  {
    route: 'DELETE /api/showcases/{showcaseId}',
    request: async (w, app) => ({ path: `/api/showcases/${(await matrixShowcase(app, w)).id}` }),
    expect: expectation({ pupil: 200, teacher: 403 }, 404),
  },
  {
    route: 'POST /api/showcases/{showcaseId}/items',
    request: async (w, app) => ({ path: `/api/showcases/${(await matrixShowcase(app, w)).id}/items`, body: { heading: 'Väliotsikko' } }),
    expect: expectation({ pupil: 201, teacher: 403 }, 404),
  },
  {
    route: 'PATCH /api/showcases/{showcaseId}/items/{itemId}',
    request: async (w, app) => {
      const s = await matrixShowcase(app, w);
      return { path: `/api/showcases/${s.id}/items/${s.itemId}`, body: { bodyHtml: '<p>Valitsin tämän</p>' } };
    },
    expect: expectation({ pupil: 200, teacher: 403 }, 404),
  },
  {
    route: 'DELETE /api/showcases/{showcaseId}/items/{itemId}',
    request: async (w, app) => {
      const s = await matrixShowcase(app, w);
      return { path: `/api/showcases/${s.id}/items/${s.itemId}` };
    },
    expect: expectation({ pupil: 200, teacher: 403 }, 404),
  },
  {
    route: 'PUT /api/showcases/{showcaseId}/order',
    request: async (w, app) => {
      const s = await matrixShowcase(app, w);
      return { path: `/api/showcases/${s.id}/order`, body: { itemIds: [s.itemId] } };
    },
    expect: expectation({ pupil: 200, teacher: 403 }, 404),
  },
  {
    route: 'GET /api/showcases/{showcaseId}/items/{itemId}/media/{mediaId}/{variant}',
    // The world's artefact is private: the guardian reaches its file only through the showcase shared with them.
    request: async (w, app) => {
      const s = await matrixShowcase(app, w, 'guardians');
      return { path: `/api/showcases/${s.id}/items/${s.itemId}/media/${w.artefact.mediaId}/original` };
    },
    expect: expectation({ pupil: 302, teacher: 302, guardian: 302 }, 404),
  },
  {
    route: 'GET /api/projects/{projectId}/showcase-templates',
    request: async (w) => ({ path: `/api/projects/${w.project.id}/showcase-templates` }),
    // Guardians and the admin see the project (403); templates are its teachers' and pupils'.
    expect: expectation({ pupil: 200, classmate: 200, teacher: 200, guardian: 403, otherGuardian: 403, admin: 403 }, 404),
  },
  {
    route: 'POST /api/projects/{projectId}/showcase-templates',
    request: async (w) => ({ path: `/api/projects/${w.project.id}/showcase-templates`, body: { title: 'Kooste', slots: [{ prompt: 'Paras työ' }] } }),
    expect: expectation({ teacher: 201, ...each(['pupil', 'classmate', 'guardian', 'otherGuardian', 'admin'], 403) }, 404),
  },
  {
    route: 'PATCH /api/showcase-templates/{templateId}',
    request: async (w, app) => ({ path: `/api/showcase-templates/${await matrixTemplate(app, w)}`, body: { title: 'Kooste 2' } }),
    expect: expectation({ teacher: 200, pupil: 403, classmate: 403 }, 404),
  },
  {
    route: 'DELETE /api/showcase-templates/{templateId}',
    request: async (w, app) => ({ path: `/api/showcase-templates/${await matrixTemplate(app, w)}` }),
    expect: expectation({ teacher: 200, pupil: 403, classmate: 403 }, 404),
  },
  {
    route: 'POST /api/showcase-templates/{templateId}/start',
    request: async (w, app) => ({ path: `/api/showcase-templates/${await matrixTemplate(app, w)}/start` }),
    expect: expectation({ pupil: 201, classmate: 201, teacher: 403 }, 404),
  },
  // --- end showcases ---
  // Weekly digest and Web Push (issue 12 §5): preferences and subscriptions are everyone's own; the digest a guardian's.
  { route: 'GET /api/notification-preferences', request: async () => ({ path: '/api/notification-preferences' }), expect: expectation({}, 200) },
  {
    route: 'PUT /api/notification-preferences',
    request: async () => ({ path: '/api/notification-preferences', body: { frequency: 'every', email: false, push: false } }),
    expect: expectation({}, 200),
  },
  { route: 'GET /api/digest', request: async () => ({ path: '/api/digest' }), expect: expectation({ guardian: 200, otherGuardian: 200 }, 404) },
  { route: 'GET /api/push/public-key', request: async () => ({ path: '/api/push/public-key' }), expect: expectation({}, 200) },
  {
    route: 'POST /api/push/subscriptions',
    request: async () => ({ path: '/api/push/subscriptions', body: { endpoint: `https://fcm.googleapis.com/fcm/send/${unique()}`, keys: matrixPushKeys() } }),
    expect: expectation({}, 200),
  },
  {
    route: 'POST /api/push/subscriptions/remove',
    request: async (w, app) => ({ path: '/api/push/subscriptions/remove', body: { endpoint: await matrixPushSubscription(app, w) } }),
    expect: expectation({ pupil: 200 }, 404),
  },
  // Secret links (issue 12 §4): the owner and the owner's teachers; the world's pupil has no birth date, so only a
  // teacher makes a link (the pupil is told 403); everyone else does not see the artefact's links at all (404).
  {
    route: 'GET /api/share-links',
    request: async (w) => ({ path: `/api/share-links?subjectType=artefact&subjectId=${w.artefact.id}` }),
    expect: expectation({ pupil: 200, teacher: 200 }, 404),
  },
  {
    route: 'POST /api/share-links',
    request: async (w) => ({ path: '/api/share-links', body: { subject: { type: 'artefact', id: w.artefact.id } } }),
    expect: expectation({ pupil: 403, teacher: 201 }, 404),
  },
  {
    route: 'POST /api/share-links/{linkId}/revoke',
    request: async (w, app) => ({ path: `/api/share-links/${await matrixShareLink(app, w)}/revoke`, body: {} }),
    expect: expectation({ pupil: 200, teacher: 200 }, 404),
  },
  // Teacher approval before guardians see (issue 12 §1): the school's rule is read by its members and set by its
  // admins; the pupil's teachers decide; an item's sharing state is its pupil's and teachers'.
  {
    route: 'GET /api/schools/{schoolId}/guardian-sharing',
    request: async (w) => ({ path: `/api/schools/${w.schoolA.id}/guardian-sharing` }),
    expect: expectation(each(SCHOOL_A, 200), 404),
  },
  {
    route: 'PUT /api/schools/{schoolId}/guardian-sharing',
    request: async (w) => ({ path: `/api/schools/${w.schoolA.id}/guardian-sharing`, body: { guardianSharing: 'direct' } }),
    expect: expectation({ ...each(SCHOOL_A, 403), admin: 200 }, 404),
  },
  { route: 'GET /api/guardian-approvals', request: async () => ({ path: '/api/guardian-approvals' }), expect: expectation({}, 200) },
  {
    route: 'POST /api/artefacts/{artefactId}/guardian-approval/approve',
    request: async (w, app) => ({ path: `/api/artefacts/${await pendingArtefact(app, w)}/guardian-approval/approve`, body: { version: 1 } }),
    expect: expectation({ pupil: 403, teacher: 200 }, 404),
  },
  {
    route: 'POST /api/artefacts/{artefactId}/guardian-approval/return',
    request: async (w, app) => ({
      path: `/api/artefacts/${await pendingArtefact(app, w)}/guardian-approval/return`,
      body: { version: 1, note: 'Vielä kuvateksti.' },
    }),
    expect: expectation({ pupil: 403, teacher: 200 }, 404),
  },
  // Issue 12 §1 for showcases: the pupil's teachers decide (never the pupil), others do not learn it exists.
  {
    route: 'POST /api/showcases/{showcaseId}/guardian-approval/approve',
    request: async (w, app) => {
      const s = await pendingShowcase(app, w);
      return { path: `/api/showcases/${s.id}/guardian-approval/approve`, body: { fingerprint: s.fingerprint } };
    },
    expect: expectation({ pupil: 403, teacher: 200 }, 404),
  },
  {
    route: 'POST /api/showcases/{showcaseId}/guardian-approval/return',
    request: async (w, app) => {
      const s = await pendingShowcase(app, w);
      return { path: `/api/showcases/${s.id}/guardian-approval/return`, body: { fingerprint: s.fingerprint, note: 'Kerro valinnoistasi.' } };
    },
    expect: expectation({ pupil: 403, teacher: 200 }, 404),
  },
  {
    route: 'GET /api/artefacts/{artefactId}/guardian-sharing',
    request: async (w) => ({ path: `/api/artefacts/${w.artefact.id}/guardian-sharing` }),
    expect: expectation({ pupil: 200, teacher: 200 }, 404),
  },
  {
    route: 'PUT /api/artefacts/{artefactId}/guardian-sharing',
    request: async (w) => ({ path: `/api/artefacts/${w.artefact.id}/guardian-sharing`, body: { shareHistory: false } }),
    expect: expectation({ pupil: 200, teacher: 403 }, 404),
  },
  // Last: it ends the session it runs in.
  // School sign-in (issue 11 §1): the provider list is public; a school's sign-in settings are its admins'; a link
  // code is an account credential, so only an admin of all the user's schools makes one.
  { route: 'GET /api/sso/providers', request: async () => ({ path: '/api/sso/providers' }), expect: expectation({ anonymous: 200 }, 200) },
  {
    route: 'GET /api/schools/{schoolId}/sign-in',
    request: async (w) => ({ path: `/api/schools/${w.schoolA.id}/sign-in` }),
    expect: expectation({ ...each(SCHOOL_A, 403), admin: 200, teacherB: 404, adminB: 404 }, 404),
  },
  {
    route: 'PUT /api/schools/{schoolId}/sign-in',
    request: async (w) => ({ path: `/api/schools/${w.schoolA.id}/sign-in`, body: { passwordSignIn: true, providers: [] } }),
    expect: expectation({ ...each(SCHOOL_A, 403), admin: 200, teacherB: 404, adminB: 404 }, 404),
  },
  {
    route: 'POST /api/users/{userId}/sso-link-codes',
    request: async (w) => ({ path: `/api/users/${w.pupil.id}/sso-link-codes`, body: { schoolId: w.schoolA.id } }),
    expect: expectation({ pupil: 403, admin: 201, adminB: 404, teacherB: 404 }, 404),
  },
  { route: 'POST /api/auth/logout', request: async () => ({ path: '/api/auth/logout', body: {} }), expect: expectation({ anonymous: 200 }, 200) },
  // Last, like the other sign-out: it ends the clients' sessions.
  { route: 'POST /api/sso/logout', request: async () => ({ path: '/api/sso/logout', body: {} }), expect: expectation({ anonymous: 200 }, 200) },
];

// --- Showcases (issue 12 §3) ---
/** A fresh showcase of the world's pupil holding the world's (private) artefact, written directly. */
async function matrixShowcase(app: TestApp, w: World, visibility: 'private' | 'guardians' | 'project' = 'private') {
  const db = showcasesDb(app.database.db);
  const s = await db
    .insertInto('showcases')
    .values({ ownerId: w.pupil.id, title: 'Parhaat', visibility, projectId: visibility === 'project' ? w.project.id : null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const item = await db
    .insertInto('showcaseItems')
    .values({ showcaseId: s.id, position: 0, artefactId: w.artefact.id })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: s.id, itemId: item.id };
}
async function matrixTemplate(app: TestApp, w: World): Promise<string> {
  const row = await showcasesDb(app.database.db)
    .insertInto('showcaseTemplates')
    .values({ projectId: w.project.id, createdBy: w.teacher.id, title: 'Kooste', slots: JSON.stringify([{ prompt: 'Paras työ', goalId: null }]) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
// --- end showcases ---
/** A browser's Web Push keys (a P-256 public key and a 16-byte auth secret). */
function matrixPushKeys() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') };
}

/** A Web Push subscription of the world's pupil (issue 12 §5); returns its endpoint. */
async function matrixPushSubscription(app: TestApp, w: World): Promise<string> {
  const endpoint = `https://fcm.googleapis.com/fcm/send/${unique()}`;
  const keys = matrixPushKeys();
  await app.database.db
    .withTables<{ pushSubscriptions: { userId: string; endpoint: string; p256dh: string; auth: string } }>()
    .insertInto('pushSubscriptions')
    .values({ userId: w.pupil.id, endpoint, ...keys })
    .execute();
  return endpoint;
}

/** A notification of the world's pupil: their teacher's feedback on their artefact (issue 12 §5), written as the feedback service writes it. */
async function matrixNotification(app: TestApp, w: World): Promise<string> {
  const feedback = await makeFeedback(app.database.db, w.artefact.id, w.teacher.id);
  await recordNotifications(app.database.db, [
    {
      recipientId: w.pupil.id,
      kind: 'feedback',
      data: { artefactId: w.artefact.id, feedbackId: feedback.id, pupilId: w.pupil.id, title: w.artefact.title, authorName: w.teacher.displayName },
    },
  ]);
  const row = await app.database.db
    .withTables<{ notifications: { id: string; recipientId: string; createdAt: Date } }>()
    .selectFrom('notifications')
    .select('id')
    .where('recipientId', '=', w.pupil.id)
    .orderBy('createdAt', 'desc')
    .executeTakeFirstOrThrow();
  return row.id;
}

// --- Guardian voice (issue 12 §2) ---
/** Fresh work of the pupil in the world's project, shared with guardians, at school A with guardian comments shown at once. */
async function voiceWork(w: World, app: TestApp) {
  await app.database.db
    .updateTable('schools')
    .set({ guardianComments: 'shown' } as never)
    .where('id', '=', w.schoolA.id)
    .execute();
  return makeArtefact(app.database.db, { ownerId: w.pupil.id, projectId: w.project.id, visibility: 'guardians' });
}
/** A shown comment by the pupil's guardian on fresh work. */
async function voiceComment(w: World, app: TestApp): Promise<string> {
  const work = await voiceWork(w, app);
  const row = await app.database.db
    .withTables<GuardianVoiceTables>()
    .insertInto('guardianComments')
    .values({ artefactId: work.id, showcaseId: null, pupilId: w.pupil.id, authorId: w.guardian.id, body: 'Hienoa!', state: 'shown' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
/** A fresh showcase of the pupil (shared with guardians unless said), under a school whose setting shows comments. */
async function voiceShowcase(w: World, app: TestApp, visibility: 'private' | 'guardians' | 'project' = 'guardians'): Promise<string> {
  await voiceWork(w, app);
  return (await matrixShowcase(app, w, visibility)).id;
}
/** A shown comment by the pupil's guardian on a fresh showcase shared with guardians. */
async function voiceShowcaseComment(w: World, app: TestApp): Promise<string> {
  const showcaseId = await voiceShowcase(w, app);
  const row = await app.database.db
    .withTables<GuardianVoiceTables>()
    .insertInto('guardianComments')
    // Written two days ago: outside the rate limit's windows, so the rows that post still may.
    .values({
      artefactId: null,
      showcaseId,
      pupilId: w.pupil.id,
      authorId: w.guardian.id,
      body: 'Hienoa!',
      state: 'shown',
      createdAt: new Date(Date.now() - 2 * 86_400_000),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
// --- end guardian voice ---

/** A secret link to the world's artefact made by its teacher, written directly (issue 12 §4). */
async function matrixShareLink(app: TestApp, w: World): Promise<string> {
  const row = await app.database.db
    .withTables<ShareLinkTables>()
    .insertInto('shareLinks')
    .values({
      tokenHash: randomBytes(32).toString('hex'),
      artefactId: w.artefact.id,
      ownerId: w.pupil.id,
      createdBy: w.teacher.id,
      expiresAt: new Date(Date.now() + 86_400_000),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * A shared artefact of the world's pupil waiting for approval (issue 12 §1): in a project of a school of its own that
 * asks for approval (the world's schools stay direct for the other rows), taught through the pupil's group.
 */
async function pendingArtefact(app: TestApp, w: World): Promise<string> {
  const db = app.database.db;
  const school = await makeSchool(db);
  await db
    .updateTable('schools')
    .set({ guardianSharing: 'approval' } as never)
    .where('id', '=', school.id)
    .execute();
  const project = await makeProject(db, { schoolId: school.id, groupIds: [w.group.id] });
  const artefact = await makeArtefact(db, { ownerId: w.pupil.id, projectId: project.id, visibility: 'guardians' });
  await db
    .withTables<{ guardianShares: { subjectType: string; subjectId: string; ownerId: string; state: string; requestedVersion: number; requestedAt: Date } }>()
    .insertInto('guardianShares')
    .values({ subjectType: 'artefact', subjectId: artefact.id, ownerId: w.pupil.id, state: 'pending', requestedVersion: 1, requestedAt: new Date() })
    .execute();
  return artefact.id;
}

/** A showcase of the pupil's shared with guardians in a school whose rule asks for approval: it waits (no decision yet). */
async function pendingShowcase(app: TestApp, w: World): Promise<{ id: string; fingerprint: string }> {
  const db = app.database.db;
  const school = await makeSchool(db);
  await db
    .updateTable('schools')
    .set({ guardianSharing: 'approval' } as never)
    .where('id', '=', school.id)
    .execute();
  const project = await makeProject(db, { schoolId: school.id, groupIds: [w.group.id] });
  const s = await showcasesDb(db)
    .insertInto('showcases')
    .values({ ownerId: w.pupil.id, title: 'Odottaa', visibility: 'guardians', projectId: project.id })
    .returning('id')
    .executeTakeFirstOrThrow();
  const { rows } = await sql<{ fingerprint: string }>`select ${showcaseFingerprintSql('s')} as fingerprint from showcases s where s.id = ${s.id}`.execute(db);
  return { id: s.id, fingerprint: rows[0]!.fingerprint };
}

/** An open guardian invitation written directly, with its code (issue 11). */
async function matrixInvitation(app: TestApp, schoolId: string, pupilId: string) {
  const code = newInvitationCode();
  const row = await app.database.db
    .insertInto('guardianInvitations')
    .values({ schoolId, pupilId, codeHash: invitationCodeHash(code), expiresAt: new Date(Date.now() + 3600_000) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, code };
}

let app: TestApp;
let world: World;
const clients = new Map<ActorName, TestClient>();

beforeAll(async () => {
  app = await startTestApp();
  const base = await makeTwoSchools(app.database.db);
  const key = MATRIX_IMAGE;
  await app.polku.blobs.putStream(key, Readable.from(await tinyPng()), { contentType: 'image/png' });
  const project = await makeProject(app.database.db, { schoolId: base.schoolA.id, teacherIds: [base.teacher.id], groupIds: [base.group.id] });
  const artefact = await makeArtefact(app.database.db, { ownerId: base.pupil.id, projectId: project.id, mediaKey: key });
  const adminAB = await makeUser(app.database.db, { role: 'admin', schoolId: base.schoolA.id });
  await app.database.db.insertInto('schoolRoles').values({ schoolId: base.schoolB.id, userId: adminAB.id, role: 'admin' }).execute();
  const { name, levels } = matrixScale();
  const scale = await app.database.db
    .insertInto('assessmentScales')
    .values({ schoolId: base.schoolA.id, name: JSON.stringify(name), levels: JSON.stringify(levels) })
    .returning('id')
    .executeTakeFirstOrThrow();
  const builtin = await app.database.db.selectFrom('assessmentScales').select('id').where('builtinKey', '=', 'growth4').executeTakeFirstOrThrow();
  world = { ...base, project, artefact: { ...artefact, mediaId: artefact.mediaId ?? '' }, adminAB, scaleId: scale.id, builtinScaleId: builtin.id };
  clients.set('anonymous', app.client());
  await Promise.all(
    SIGNED_IN.map(async (name) => {
      clients.set(name, await app.as(world[name].username));
    }),
  );
  // Eleven sign-ins, each a deliberately slow password check: more than the default minute on a busy machine.
}, 180_000);
afterAll(async () => app?.close());

describe('what each role sees', () => {
  it('a teacher sees the pupils of their own groups only', async () => {
    const res = await clients.get('teacher')!.get<{ groups: Array<{ id: string; pupils: Array<{ id: string }> }> }>('/api/me/groups');
    expect(res.body.groups.map((g) => g.id)).toEqual([world.group.id]);
    expect(res.body.groups[0]?.pupils.map((p) => p.id).sort()).toEqual(expect.arrayContaining([world.pupil.id, world.classmate.id]));
  });

  it('a pupil sees their group and its teachers, not the classmates list', async () => {
    const res = await clients.get('pupil')!.get<{ groups: Array<{ id: string; pupils: unknown[]; teachers: Array<{ id: string }> }> }>('/api/me/groups');
    expect(res.body.groups).toHaveLength(1);
    expect(res.body.groups[0]?.pupils).toEqual([]);
    expect(res.body.groups[0]?.teachers.map((t) => t.id)).toEqual([world.teacher.id]);
  });

  it('a guardian sees their own child and no other', async () => {
    const res = await clients.get('guardian')!.get<{ children: Array<{ id: string; groups: Array<{ id: string }> }> }>('/api/me/children');
    expect(res.body.children.map((c) => c.id)).toEqual([world.pupil.id]);
    expect(res.body.children[0]?.groups.map((g) => g.id)).toEqual([world.group.id]);
    const other = await clients.get('otherGuardian')!.get<{ children: Array<{ id: string }> }>('/api/me/children');
    expect(other.body.children.map((c) => c.id)).toEqual([world.classmate.id]);
  });

  it('a guardian sees only what the pupil shared, and another guardian nothing', async () => {
    const shared = await makeArtefact(app.database.db, { ownerId: world.pupil.id, visibility: 'guardians' });
    const page = await clients.get('guardian')!.get<{ items: Array<{ id: string }> }>(`/api/pupils/${world.pupil.id}/artefacts`);
    expect(page.body.items.map((i) => i.id)).toEqual([shared.id]);
    expect((await clients.get('guardian')!.get(`/api/artefacts/${shared.id}`)).status).toBe(200);
    expect((await clients.get('guardian')!.get(`/api/artefacts/${world.artefact.id}`)).status).toBe(404);
    expect((await clients.get('otherGuardian')!.get(`/api/artefacts/${shared.id}`)).status).toBe(404);
    expect((await clients.get('classmate')!.get(`/api/artefacts/${shared.id}`)).status).toBe(404);
  });

  it("an admin lists only their own school's users", async () => {
    const res = await clients.get('adminB')!.get<{ users: Array<{ id: string }> }>(`/api/schools/${world.schoolB.id}/users`);
    const ids = res.body.users.map((u) => u.id);
    expect(ids).toContain(world.teacherB.id);
    expect(ids).not.toContain(world.pupil.id);
  });
});

describe('an account two schools share', () => {
  it('cannot be taken over by the admin of a second school: not the password, not the active flag, not the name of the admin who created it', async () => {
    // The admin of school A creates school B (and so becomes its admin too), then makes a second admin for B.
    const creator = await makeUser(app.database.db, { role: 'admin' });
    const creatorClient = await app.as(creator.username);
    const schoolB = await creatorClient.post<{ id: string }>('/api/schools', { name: `Toinen koulu ${unique()}` });
    expect(schoolB.status).toBe(201);
    const attackerName = `admin.${unique()}`;
    const made = await creatorClient.post(`/api/schools/${schoolB.body.id}/users`, {
      username: attackerName,
      displayName: 'Toisen koulun rehtori',
      role: 'admin',
      password: 'hyökkääjän salasana',
    });
    expect(made.status).toBe(201);
    const attacker = await app.as(attackerName, 'hyökkääjän salasana');

    // B's admin sees the creator, who is also B's admin, but changes nothing about them.
    expect((await attacker.get(`/api/users/${creator.id}`)).status).toBe(200);
    for (const body of [
      { password: 'anastettu salasana' },
      { active: false },
      { displayName: 'Anastettu' },
      { password: 'anastettu salasana', displayName: 'X' },
    ]) {
      const res = await attacker.patch(`/api/users/${creator.id}`, body);
      expect(res.status, JSON.stringify(body)).toBe(403);
      expect(res.body).toMatchObject({ error: { code: 'forbidden' } });
    }
    // Nothing changed: the creator's session still works and the old password still signs in; the new one does not.
    expect((await creatorClient.get<{ user: { displayName: string } }>('/api/me')).body.user.displayName).toBe(creator.displayName);
    await expect(app.as(creator.username)).resolves.toBeDefined();
    await expect(app.as(creator.username, 'anastettu salasana')).rejects.toThrow(/401/);

    // The creator, admin of every school the attacker belongs to, still manages the attacker's account.
    const attackerId = (await attacker.get<{ user: { id: string } }>('/api/me')).body.user.id;
    expect((await creatorClient.patch(`/api/users/${attackerId}`, { active: false })).status).toBe(200);
  });
});

describe('access matrix', () => {
  it('has a row for every route the API declares, and no row for a route it does not', async () => {
    const doc = (await app.client().get<{ paths: Record<string, Record<string, unknown>> }>('/api/openapi.json')).body;
    const declared = Object.entries(doc.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect([...new Set(cases.map((c) => c.route))].sort()).toEqual(declared);
  });

  for (const c of cases) {
    it(`${c.route}${c.name ? ` (${c.name})` : ''}`, async () => {
      const [method = 'GET'] = c.route.split(' ');
      const mismatches: string[] = [];
      for (const actor of ACTORS) {
        const client = clients.get(actor);
        if (!client) throw new Error(`no client for ${actor}`);
        const { path, body } = await c.request(world, app);
        // Signing in replaces whatever session the client had, so it runs in a fresh client.
        const target = c.route === 'POST /api/auth/login' || c.route === 'POST /api/auth/card' ? app.client() : client;
        const res = await target.request(method, path, body);
        if (res.status !== c.expect[actor]) mismatches.push(`${actor}: expected ${c.expect[actor]}, got ${res.status} ${res.text.slice(0, 120)}`);
        if (res.status >= 400) expect(res.body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
      }
      expect(mismatches).toEqual([]);
    });
  }
});
