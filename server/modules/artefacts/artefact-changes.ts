import type { ArtefactStatus, Visibility } from '../../../shared/portfolio.ts';
import type { Db } from '../../db/database.ts';
import type { ArtefactLink } from '../../db/schema.ts';

/**
 * What a save changed (issue 10 §4): content (title, text, links, tags, media) and placement (project,
 * phase, goals, subjects, competences) make a new version; state (ready, shared) is only logged as events.
 * Placement is versioned since issue 12 §1: under the approval rule guardians see the last approved version,
 * and where the work sits (which project, which goals it is evidence of) is part of what a teacher approves.
 * A move is also logged as an event, and answering feedback still needs a change of content (save()).
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

/** Project, phase, goals, subjects or competences changed (sets compared regardless of order). */
type Placement = Pick<ArtefactState, 'projectId' | 'phaseId' | 'goalIds' | 'subjectCodes' | 'competenceIds'>;
export function placementChanged(before: Placement, after: Placement): boolean {
  return (
    before.projectId !== after.projectId ||
    before.phaseId !== after.phaseId ||
    !sameSet(before.goalIds, after.goalIds) ||
    !sameSet(before.subjectCodes, after.subjectCodes) ||
    !sameSet(before.competenceIds, after.competenceIds)
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
  if (placementChanged(before, after)) events.push({ kind: 'placement', details: {} });
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
