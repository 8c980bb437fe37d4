import { makeTempDir } from '../media/temp-files.ts';
import { spawn } from 'node:child_process';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { drawPicture } from '../media/image.ts';
import type { Actor } from '../auth/actor.ts';
import type { Db } from '../db/database.ts';
import type { ArtefactsService } from '../modules/artefacts/artefacts.service.ts';
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
      { text: 'Osaan havainnoida ja kuvata muutoksia luonnossa' },
      { text: 'Osaan esittää mittaustuloksia kaaviona' },
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
    await deps.feedback.create(teacher, second.id, { body: 'Mittaukset ovat tarkkoja. Voisitko tehdä niistä pylväskaavion?', parentId: null });

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
    await deps.artefacts.create(
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
    deps.logger.info('demo portfolio seeded');
    return true;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
