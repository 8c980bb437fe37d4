import type { ArtefactStatus, Visibility } from '../../../shared/portfolio.ts';
import type { Db } from '../../db/database.ts';
import type { ArtefactLink } from '../../db/schema.ts';

/**
 * What a save changed (issue 10 §4): only content (title, text, links, tags, media) makes a new
 * version; state (ready, shared) and placement (project, phase, goals, subjects, competences) are
 * logged as events, so the history shows what the pupil actually reworked.
 */
export interface ArtefactState {
  title: string;
  bodyHtml: string;
  links: ArtefactLink[];
  tags: string[];
  status: ArtefactStatus;
  visibility: Visibility;
  projectId: string | null;
  phaseId: string | null;
  goalIds: string[];
  subjectCodes: string[];
  competenceIds: string[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const sameSet = (a: readonly string[], b: readonly string[]) => same([...a].sort(), [...b].sort());

export function contentChanged(before: ArtefactState, after: ArtefactState, mediaChanged: boolean): boolean {
  return (
    mediaChanged ||
    before.title !== after.title ||
    before.bodyHtml !== after.bodyHtml ||
    !same(
      before.links.map((l) => [l.url, l.title ?? null]),
      after.links.map((l) => [l.url, l.title ?? null]),
    ) ||
    !same(before.tags, after.tags)
  );
}

export type ArtefactEventKind = 'status' | 'visibility' | 'placement';
export interface StateEvent {
  kind: ArtefactEventKind;
  details: Record<string, unknown>;
}

export function stateEvents(before: ArtefactState, after: ArtefactState): StateEvent[] {
  const events: StateEvent[] = [];
  if (before.status !== after.status) events.push({ kind: 'status', details: { from: before.status, to: after.status } });
  if (before.visibility !== after.visibility) events.push({ kind: 'visibility', details: { from: before.visibility, to: after.visibility } });
  if (
    before.projectId !== after.projectId ||
    before.phaseId !== after.phaseId ||
    !sameSet(before.goalIds, after.goalIds) ||
    !sameSet(before.subjectCodes, after.subjectCodes) ||
    !sameSet(before.competenceIds, after.competenceIds)
  )
    events.push({ kind: 'placement', details: {} });
  return events;
}

/** Writes the events of one save; `shared` is the visibility after it (what a guardian may see of the log). */
export async function recordEvents(trx: Db, artefactId: string, actorId: string, events: readonly StateEvent[], visibility: Visibility): Promise<void> {
  if (events.length === 0) return;
  await trx
    .insertInto('artefactEvents')
    .values(events.map((e) => ({ artefactId, actorId, kind: e.kind, details: JSON.stringify(e.details), shared: visibility === 'guardians' })))
    .execute();
}

/**
 * Shared without a change of content: the current version is now current while shared, which is
 * what a guardian's history shows (migration 0010's `shared` follows the snapshot's visibility).
 */
export async function markCurrentVersionShared(trx: Db, artefactId: string, version: number): Promise<void> {
  await trx
    .updateTable('artefactVersions')
    .set((eb) => ({ snapshot: eb.fn<string>('jsonb_set', ['snapshot', eb.val('{visibility}'), eb.val('"guardians"')]) }))
    .where('artefactId', '=', artefactId)
    .where('version', '=', version)
    .execute();
}
