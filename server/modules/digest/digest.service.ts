import { DEFAULT_TIME_ZONE } from '../../../shared/api/common.ts';
import type { Digest } from '../../../shared/api/digest.ts';
import { DEFAULT_LOCALE } from '../../../shared/roles.ts';
import type { Actor } from '../../auth/actor.ts';
import { authorize, can } from '../../auth/policy.ts';
import type { Db } from '../../db/database.ts';
import { BadRequest, HttpError } from '../../http/errors.ts';
import { artefactFactsMany } from '../artefacts/artefacts.repo.ts';
import type { GoalAssessmentsService } from '../assessment/goal-assessments.service.ts';
import type { FeedbackService } from '../feedback/feedback.service.ts';
import { assessedGoalCandidates, childNames, feedbackCandidates, guardianRecipient, sharedCandidates } from './digest.repo.ts';
import { runningWeek, shiftWeek, weekSpan, type SendTime } from './digest-week.ts';

export interface DigestDeps {
  db: Db;
  feedback: Pick<FeedbackService, 'thread'>;
  goalAssessments: Pick<GoalAssessmentsService, 'page'>;
  send: SendTime;
}

/** Bounds on one digest: a week of one family is far below them; they keep a runaway week cheap. */
const MAX_SHARED = 50;
const MAX_GOALS = 20;
const MAX_FEEDBACK_THREADS = 20;
const FEEDBACK_BODY_CHARS = 400;
/** How far back the page goes. */
export const DIGEST_WEEKS_BACK = 26;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** A read through another service that the policy refuses (404/403) leaves the item out; anything else is an error. */
async function orSkip<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof HttpError && (err.status === 404 || err.status === 403)) return null;
    throw err;
  }
}

/**
 * The weekly digest of one guardian (issue 12 §5): per child, what the child shared, the goals they worked on
 * with their latest shared self-assessment, and teachers' feedback on shared work. The database gives only
 * candidates (ids and times); every item is read through its own service or checked with the policy as the
 * guardian, so the digest shows nothing the guardian could not open in the app.
 */
export function digestService({ db, feedback, goalAssessments, send }: DigestDeps) {
  async function zoneOf(actor: Actor): Promise<string> {
    return (await guardianRecipient(db, actor.id))?.timeZone ?? DEFAULT_TIME_ZONE;
  }

  async function build(actor: Actor, week: string, timeZone: string, now: Date): Promise<Digest> {
    const span = weekSpan(week, timeZone, send);
    const to = span.to.getTime() > now.getTime() ? now : span.to;
    const { from } = span;
    const locale = actor.locale ?? DEFAULT_LOCALE;
    const children = await childNames(db, [...actor.childIds]);
    const ids = children.map((c) => c.id);
    const inSpan = (at: string) => at >= from.toISOString() && at < to.toISOString();

    const [sharedRows, assessed, commented] = await Promise.all([
      sharedCandidates(db, ids, from, to, MAX_SHARED),
      assessedGoalCandidates(db, ids, from, to, MAX_GOALS),
      feedbackCandidates(db, ids, from, to, MAX_FEEDBACK_THREADS),
    ]);
    const facts = await artefactFactsMany(db, [...sharedRows.map((r) => r.id), ...commented.map((r) => r.id)]);
    const reads = (id: string) => {
      const f = facts.get(id);
      return f !== undefined && !f.row.deletedAt && can(actor, 'artefact.read', f.resource);
    };
    const shared = sharedRows.filter((r) => reads(r.id));

    // Goals: those assessed this week and those the shared work is linked to; each read through the goal page.
    const goalKeys = new Map<string, { goalId: string; pupilId: string; linked: boolean }>();
    for (const r of shared) for (const goalId of r.goalIds) goalKeys.set(`${goalId}:${r.ownerId}`, { goalId, pupilId: r.ownerId, linked: true });
    for (const a of assessed) if (!goalKeys.has(`${a.goalId}:${a.pupilId}`)) goalKeys.set(`${a.goalId}:${a.pupilId}`, { ...a, linked: false });
    const goalPages = await Promise.all(
      [...goalKeys.values()].slice(0, MAX_GOALS).map(async (k) => ({ k, page: await orSkip(() => goalAssessments.page(actor, k.goalId, k.pupilId)) })),
    );
    const threads = await Promise.all(commented.filter((c) => reads(c.id)).map(async (c) => ({ c, thread: await orSkip(() => feedback.thread(actor, c.id)) })));

    const span$ = { from: from.toISOString(), to: to.toISOString() };
    const current = runningWeek(now, timeZone, send);
    return {
      week,
      ...span$,
      previousWeek: shiftWeek(week, -1),
      nextWeek: week >= current ? null : shiftWeek(week, 1),
      timeZone,
      children: children.map((child) => ({
        pupil: { id: child.id, displayName: child.displayName },
        shared: shared.filter((r) => r.ownerId === child.id).map((r) => ({ artefactId: r.id, title: r.title, kind: r.kind, at: r.at.toISOString() })),
        goals: goalPages.flatMap(({ k, page }) => {
          if (!page || k.pupilId !== child.id) return [];
          // The page holds only what the guardian may see: assessments the child shared.
          const selfs = page.assessments.filter((a) => a.kind === 'self');
          if (!k.linked && !selfs.some((a) => inSpan(a.createdAt))) return [];
          const latest = selfs.at(-1);
          return [
            {
              goalId: page.goal.id,
              text: page.goal.text,
              projectTitle: page.project.title,
              latestSelf: latest
                ? { level: latest.level, label: page.scale.levels[latest.level]?.labels[locale] ?? null, reflection: latest.reflection, at: latest.createdAt }
                : null,
            },
          ];
        }),
        feedback: threads.flatMap(({ c, thread }) =>
          !thread || c.ownerId !== child.id
            ? []
            : thread.items
                .filter((f) => f.author !== null && f.author.role !== 'pupil' && f.author.role !== 'guardian' && inSpan(f.createdAt))
                .map((f) => ({
                  artefactId: c.id,
                  artefactTitle: c.title,
                  feedbackId: f.id,
                  authorName: f.author?.displayName ?? '',
                  body: clip(f.body, FEEDBACK_BODY_CHARS),
                  at: f.createdAt,
                })),
        ),
      })),
    };
  }

  return {
    build,
    /** The digest page: the running week, or an earlier one. */
    async read(actor: Actor, week: string | undefined, now = new Date()): Promise<Digest> {
      authorize(actor, 'digest.read', { type: 'digest', guardianId: actor.id });
      const timeZone = await zoneOf(actor);
      const current = runningWeek(now, timeZone, send);
      const wanted = week ?? current;
      if (wanted > current || wanted < shiftWeek(current, -DIGEST_WEEKS_BACK))
        throw new BadRequest(`Choose a week from the last ${DIGEST_WEEKS_BACK} weeks.`, [{ path: 'query.week', message: 'out of range' }]);
      return build(actor, wanted, timeZone, now);
    },
  };
}
export type DigestService = ReturnType<typeof digestService>;

export const digestItemCount = (d: Digest) => d.children.reduce((n, c) => n + c.shared.length + c.goals.length + c.feedback.length, 0);
