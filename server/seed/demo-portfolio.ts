import { seedDemoPeerFeedback } from '../modules/peer-feedback/peer-feedback.demo.ts';
import { makeTempDir } from '../media/temp-files.ts';
import { spawn } from 'node:child_process';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { drawPicture } from '../media/image.ts';
import type { Actor } from '../auth/actor.ts';
import type { Db } from '../db/database.ts';
import { sql } from 'kysely';
import type { ArtefactsService } from '../modules/artefacts/artefacts.service.ts';
import type { GoalAssessmentsService } from '../modules/assessment/goal-assessments.service.ts';
import type { FeedbackService } from '../modules/feedback/feedback.service.ts';
import type { ProjectsService } from '../modules/projects/projects.service.ts';

export const DEMO_PROJECT_TITLE = 'Lähiluonto muuttuu';

export interface DemoPortfolioDeps {
  db: Db;
  tmpDir: string;
  ffmpegPath: string;
  logger: Logger;
  loadActor(userId: string): Promise<Omit<Actor, 'sessionId'> | null>;
  projects: ProjectsService;
  artefacts: ArtefactsService;
  feedback: FeedbackService;
  assessments: GoalAssessmentsService;
}

/** A short tone standing in for a spoken reflection; null when ffmpeg cannot run. */
function voiceNote(ffmpegPath: string, file: string): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn(ffmpegPath, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=330:duration=3', '-c:a', 'aac', '-b:a', '64k', file], {
      stdio: 'ignore',
    });
    child.on('error', () => resolve(null));
    child.on('exit', (code) => resolve(code === 0 ? file : null));
  });
}

/**
 * Self-assessments over several weeks and a teacher's level, made through the service, so the goal
 * page shows growth. The service stamps each with now; the demo moves them back to the weeks they
 * stand for (only here: the app never rewrites an assessment's time).
 */
async function seedAssessments(deps: DemoPortfolioDeps, o: { pupil: Actor; teacher: Actor; goals: string[]; evidence: [string, string] }): Promise<void> {
  const [observe, chart] = o.goals;
  if (!observe || !chart) return;
  const [first, second] = o.evidence;
  const steps: Array<{ by: Actor; goalId: string; weeksAgo: number; level: number; reflection?: string; artefactIds: string[]; share?: boolean }> = [
    { by: o.pupil, goalId: observe, weeksAgo: 5, level: 0, reflection: 'En vielä tiedä, mitä metsässä pitäisi katsoa.', artefactIds: [] },
    { by: o.pupil, goalId: observe, weeksAgo: 3, level: 1, reflection: 'Huomasin, että koivun lehdet kellastuvat ensin.', artefactIds: [first], share: true },
    { by: o.teacher, goalId: observe, weeksAgo: 2, level: 2, artefactIds: [first] },
    { by: o.pupil, goalId: observe, weeksAgo: 1, level: 2, reflection: 'Osaan kertoa kolme muutosta ja kuvata ne.', artefactIds: [first, second], share: true },
    { by: o.pupil, goalId: chart, weeksAgo: 2, level: 0, reflection: 'Kaavion tekeminen on vielä vaikeaa.', artefactIds: [] },
    { by: o.pupil, goalId: chart, weeksAgo: 0, level: 2, reflection: 'Tein pylväskaavion opettajan palautteen jälkeen.', artefactIds: [second] },
  ];
  for (const step of steps) {
    const made = await deps.assessments.create(step.by, step.goalId, o.pupil.id, {
      level: step.level,
      ...(step.reflection ? { reflection: step.reflection } : {}),
      artefactIds: step.artefactIds,
      sharedWithGuardians: false,
    });
    if (step.share) await deps.assessments.share(o.pupil, made.id, true);
    const at = new Date(Date.now() - step.weeksAgo * 7 * 24 * 3600 * 1000);
    await sql`update goal_assessments set created_at = ${at} where id = ${made.id}`.execute(deps.db);
  }
}

async function asUpload(file: string) {
  return { path: file, originalname: path.basename(file), size: (await stat(file)).size };
}

/**
 * The demo school's living portfolio: an example project, and the demo pupil's artefacts with
 * photos, a voice note and feedback threads, made through the same services as real ones.
 * Runs once: it does nothing when the demo project exists.
 */
export async function seedDemoPortfolio(deps: DemoPortfolioDeps): Promise<boolean> {
  const { db } = deps;
  const exists = await db.selectFrom('projects').select('id').where('title', '=', DEMO_PROJECT_TITLE).executeTakeFirst();
  if (exists) return false;
  const users = await db
    .selectFrom('users')
    .select(['id', 'username'])
    .where('username', 'in', ['demo.teacher', 'demo.pupil', 'eetu.nieminen', 'mikko.korhonen'])
    .execute();
  const id = (username: string) => users.find((u) => u.username === username)?.id;
  const school = await db.selectFrom('schools').select('id').where('code', '=', '99901').executeTakeFirst();
  const groups = await db
    .selectFrom('groups')
    .select('id')
    .where('schoolId', '=', school?.id ?? '')
    .execute();
  const actorOf = async (username: string): Promise<Actor | null> => {
    const userId = id(username);
    const facts = userId ? await deps.loadActor(userId) : null;
    return facts ? { ...facts, sessionId: 'demo-seed' } : null;
  };
  const [teacher, pupil, eetu] = await Promise.all([actorOf('demo.teacher'), actorOf('demo.pupil'), actorOf('eetu.nieminen')]);
  if (!school || !teacher || !pupil || !eetu) return false;

  const project = await deps.projects.create(teacher, {
    schoolId: school.id,
    title: DEMO_PROJECT_TITLE,
    description: 'Monialainen oppimiskokonaisuus: seuraamme syksyn etenemistä koulun lähimetsässä, mittaamme, kuvaamme ja kerromme havainnoistamme.',
    schoolYear: '2026-2027',
    startsOn: '2026-09-01',
    endsOn: '2026-10-30',
    subjectCodes: ['YL', 'AI', 'KU', 'MA'],
    competenceIds: ['basic:L1', 'basic:L4', 'basic:L7'],
    phases: [{ title: 'Orientoituminen' }, { title: 'Tutkiminen' }, { title: 'Tuottaminen' }, { title: 'Jakaminen' }, { title: 'Reflektointi' }],
    goals: [
      {
        text: 'Osaan havainnoida ja kuvata muutoksia luonnossa',
        successCriteria: ['Kuvaan saman paikan eri viikkoina', 'Kerron kolme muutosta omin sanoin', 'Käytän havainnoissa oikeita nimiä'],
      },
      {
        text: 'Osaan esittää mittaustuloksia kaaviona',
        successCriteria: ['Mittaan tarkasti ja kirjaan yksiköt', 'Teen pylväskaavion, jossa on otsikko ja akselien nimet'],
      },
      { text: 'Osaan kertoa omasta oppimisestani' },
    ],
    teacherIds: [id('mikko.korhonen') ?? teacher.id],
    groupIds: groups.map((g) => g.id),
  });
  const phase = (i: number) => project.phases[i]?.id ?? null;

  await mkdir(deps.tmpDir, { recursive: true });
  const dir = await makeTempDir(deps.tmpDir, 'demo');
  try {
    const leaves = path.join(dir, 'ruska.jpg');
    const forest = path.join(dir, 'metsa.jpg');
    await drawPicture(leaves, '#9cc7e8', '#6b4f2a', ['#d8452b', '#f0a830', '#c2302a', '#e8c23a']);
    await drawPicture(forest, '#b8d3e6', '#3f6b3a', ['#2f5a2d', '#47813f', '#d98c2b']);

    const first = await deps.artefacts.create(
      pupil,
      {
        title: 'Ensimmäinen retki lähimetsään',
        bodyHtml: '<p>Metsässä oli vielä paljon vihreää, mutta koivun lehdet olivat jo vähän keltaisia.</p>',
        projectId: project.id,
        phaseId: phase(0),
        kind: undefined,
        links: [],
        subjectCodes: ['YL'],
        competenceIds: ['basic:L1'],
        goalIds: [project.goals[0]?.id ?? ''].filter(Boolean),
        tags: ['syksy', 'retki', 'koivu'],
        status: 'ready',
        visibility: 'guardians',
      },
      [await asUpload(forest)],
    );
    const teacherNote = await deps.feedback.create(teacher, first.id, {
      body: 'Hyvä havainto koivuista! Mitä arvelet, milloin lehdet putoavat?',
      parentId: null,
    });
    await deps.feedback.create(pupil, first.id, { body: 'Ehkä lokakuussa, kun tulee kylmempää.', parentId: teacherNote.id });
    // Anchored feedback (issue 10 §3): a region of the photo.
    const photo = first.media[0];
    if (photo)
      await deps.feedback.create(teacher, first.id, {
        body: 'Tässä kohdassa näkyy hyvin, miten lehdet alkavat kellastua. Mikä puu tämä on?',
        parentId: null,
        anchor: { kind: 'region', mediaId: photo.id, x: 0.55, y: 0.2, w: 0.3, h: 0.35 },
      });

    const second = await deps.artefacts.create(
      pupil,
      {
        title: 'Ruska on alkanut',
        bodyHtml:
          '<p>Vaahterat ovat nyt <strong>punaisia ja oransseja</strong>. Mittasin kolmen lehden pituuden.</p><ul><li>12 cm</li><li>9 cm</li><li>15 cm</li></ul>',
        projectId: project.id,
        phaseId: phase(1),
        kind: undefined,
        links: [],
        subjectCodes: ['YL', 'MA'],
        competenceIds: ['basic:L4'],
        goalIds: [],
        tags: ['syksy', 'mittaus'],
        status: 'ready',
        visibility: 'private',
      },
      [await asUpload(leaves)],
    );
    // The uptake loop (issue 10 §3–4): a request to revise, answered by a later version.
    const chartGoal = project.goals[1]?.id;
    const request = await deps.feedback.create(teacher, second.id, {
      body: 'Mittaukset ovat tarkkoja. Voisitko tehdä niistä pylväskaavion?',
      parentId: null,
      goalIds: chartGoal ? [chartGoal] : [],
      revise: true,
    });
    await deps.artefacts.update(pupil, second.id, {
      bodyHtml:
        '<p>Vaahterat ovat nyt <strong>punaisia ja oransseja</strong>. Mittasin kolmen lehden pituuden.</p><ul><li>12 cm</li><li>9 cm</li><li>15 cm</li></ul><p>Tein mittauksista pylväskaavion: pisin lehti oli 15 cm.</p>',
      goalIds: chartGoal ? [chartGoal] : [],
      answersFeedbackIds: [request.id],
    });
    await seedAssessments(deps, { pupil, teacher, goals: project.goals.map((g) => g.id), evidence: [first.id, second.id] });

    const audio = await voiceNote(deps.ffmpegPath, path.join(dir, 'pohdinta.m4a'));
    await deps.artefacts.create(
      pupil,
      {
        title: 'Mitä opin tällä viikolla',
        bodyHtml: '<p>Kerroin äänitteellä, mitä opin ruskasta.</p>',
        projectId: project.id,
        phaseId: phase(4),
        kind: undefined,
        links: [],
        subjectCodes: ['AI'],
        competenceIds: ['basic:L1'],
        goalIds: [],
        tags: ['pohdinta'],
        status: 'draft',
        visibility: 'private',
      },
      audio ? [await asUpload(audio)] : [],
    );
    // Voice feedback (issue 10 §3): the teacher answers the measurements aloud.
    if (audio)
      await deps.feedback.createVoice(
        teacher,
        second.id,
        JSON.stringify({ body: 'Kuuntele, mitä ajattelin kaaviostasi.', parentId: null }),
        await asUpload(audio),
      );
    const mushrooms = await deps.artefacts.create(
      eetu,
      {
        title: 'Sienilöytöjä',
        bodyHtml: '<p>Löysin kantarelleja ja yhden kärpässienen.</p>',
        projectId: project.id,
        phaseId: phase(1),
        kind: undefined,
        links: [{ url: 'https://www.luontoportti.com/', title: 'Luontoportti' }],
        subjectCodes: ['YL'],
        competenceIds: [],
        goalIds: [],
        tags: ['sienet'],
        status: 'ready',
        visibility: 'private',
      },
      [],
    );
    await seedDemoPeerFeedback(db, { projectId: project.id, pupilWorkId: first.id, classmateWorkId: mushrooms.id, classmateId: eetu.id });
    deps.logger.info('demo portfolio seeded');
    return true;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
