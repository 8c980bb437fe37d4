import { withoutHiddenCharacters } from '../../../shared/api/common.ts';
import type { ArtefactKind, ArtefactStatus, Visibility } from '../../../shared/portfolio.ts';
import { inBatches } from '../../db/batches.ts';
import type { Db } from '../../db/database.ts';
import type { ArtefactLink, ArtefactSnapshot, ImportOrigin, ImportedPerson } from '../../db/schema.ts';
import { claimStored, mediaItemRow, type StoredMedia } from './artefact-media.ts';

/**
 * The one write path for new artefacts, their media and their versions: the app's create and
 * addMedia and the importer both come through here (issue 8, I25), so a rule kept here holds for
 * both. Callers run it inside their transaction and pass that as `trx`.
 */

/** Who wrote a version: an account (the pupil), a name-only imported person, or nobody known. */
export interface VersionAuthor {
  authorId: string | null;
  importedAuthor: ImportedPerson | null;
}

/** A stored media item placed in an artefact (its blobs are written and noted in pending_blobs). */
export interface PlacedMedia {
  media: StoredMedia;
  artefactId: string;
  ownerId: string;
  position: number;
  /** An import keeps the archive's times; the app leaves them to the database. */
  createdAt?: Date | null;
  removedAt?: Date | null;
}

/** An earlier state an import brings along (the app writes only the current one). */
export interface EarlierVersion extends VersionAuthor {
  version: number;
  createdAt: Date | null;
  title: string;
  bodyHtml: string;
  status: ArtefactStatus;
  visibility: Visibility;
  mediaIds: string[];
}

export interface NewArtefact {
  id: string;
  ownerId: string;
  projectId: string | null;
  phaseId: string | null;
  kind: ArtefactKind;
  title: string;
  /** Already sanitised by the caller (the app at once, the importer off the event loop while planning). */
  bodyHtml: string;
  links: ArtefactLink[];
  subjectCodes: string[];
  competenceIds: string[];
  goalIds: string[];
  /** Free tags, already checked (the API's schema) or cleaned (an import); none when absent. */
  tags?: string[] | undefined;
  status: ArtefactStatus;
  readyAt: Date | null;
  visibility: Visibility;
  /** The current version number (1 for new work). */
  version: number;
  createdAt?: Date | null;
  updatedAt?: Date | null;
  origin?: ImportOrigin | null;
  /** The artefact's media, in order; `artefactId` and `ownerId` are this artefact's. */
  media: ReadonlyArray<Omit<PlacedMedia, 'artefactId' | 'ownerId'>>;
  /** Versions an archive brings; the current version is written from the row when they lack it. */
  history?: readonly EarlierVersion[];
  /** Who wrote the current state, if its version row comes from the row itself. */
  author: VersionAuthor;
}

/** A version's snapshot: the row's placement and tagging, with the state of that version. */
export function snapshotOf(
  row: Pick<
    NewArtefact,
    'title' | 'bodyHtml' | 'links' | 'status' | 'visibility' | 'projectId' | 'phaseId' | 'subjectCodes' | 'competenceIds' | 'goalIds' | 'tags'
  >,
  mediaIds: string[],
): ArtefactSnapshot {
  return {
    title: row.title,
    bodyHtml: row.bodyHtml,
    links: row.links,
    status: row.status,
    visibility: row.visibility,
    projectId: row.projectId,
    phaseId: row.phaseId,
    subjectCodes: row.subjectCodes,
    competenceIds: row.competenceIds,
    goalIds: row.goalIds,
    tags: row.tags ?? [],
    mediaIds,
  };
}

/**
 * Writes new artefacts with their media and versions. Every artefact gets a version row for its
 * current state, as the app always wrote one: its history is never empty, and a guardian of work
 * that is shared sees its current version (the `shared` column of migration 0010 follows the snapshot).
 */
export async function insertArtefacts(trx: Db, input: readonly NewArtefact[]): Promise<void> {
  // The API refuses hidden characters in names (nameText); what an archive brings loses them here, on the one way in.
  const artefacts = input.map((a) => ({
    ...a,
    title: withoutHiddenCharacters(a.title),
    ...(a.history ? { history: a.history.map((v) => ({ ...v, title: withoutHiddenCharacters(v.title) })) } : {}),
  }));
  await inBatches(artefacts, (rows) =>
    trx
      .insertInto('artefacts')
      .values(
        rows.map((a) => ({
          id: a.id,
          ownerId: a.ownerId,
          projectId: a.projectId,
          phaseId: a.phaseId,
          kind: a.kind,
          title: a.title,
          bodyHtml: a.bodyHtml,
          links: JSON.stringify(a.links),
          subjectCodes: a.subjectCodes,
          competenceIds: a.competenceIds,
          goalIds: a.goalIds,
          tags: a.tags ?? [],
          status: a.status,
          readyAt: a.readyAt,
          visibility: a.visibility,
          version: a.version,
          ...(a.createdAt ? { createdAt: a.createdAt } : {}),
          ...((a.updatedAt ?? a.createdAt) ? { updatedAt: a.updatedAt ?? a.createdAt ?? undefined } : {}),
          origin: a.origin ? JSON.stringify(a.origin) : null,
        })),
      )
      .execute(),
  );
  await attachMedia(
    trx,
    artefacts.flatMap((a) => a.media.map((m) => ({ ...m, artefactId: a.id, ownerId: a.ownerId }))),
  );
  await inBatches(
    artefacts.flatMap((a) => versionRows(a)),
    (rows) => trx.insertInto('artefactVersions').values(rows).execute(),
  );
}

function versionRows(a: NewArtefact) {
  const earlier = (a.history ?? []).map((v) => ({
    artefactId: a.id,
    version: v.version,
    authorId: v.authorId,
    importedAuthor: v.importedAuthor ? JSON.stringify(v.importedAuthor) : null,
    createdAt: v.createdAt ?? a.createdAt ?? new Date(),
    snapshot: JSON.stringify(snapshotOf({ ...a, title: v.title, bodyHtml: v.bodyHtml, status: v.status, visibility: v.visibility }, v.mediaIds)),
  }));
  if (a.history?.some((v) => v.version === a.version)) return earlier;
  const current = [...a.media].filter((m) => !m.removedAt).sort((x, y) => x.position - y.position);
  return [
    ...earlier,
    {
      artefactId: a.id,
      version: a.version,
      authorId: a.author.authorId,
      importedAuthor: a.author.importedAuthor ? JSON.stringify(a.author.importedAuthor) : null,
      ...((a.updatedAt ?? a.createdAt) ? { createdAt: a.updatedAt ?? a.createdAt ?? undefined } : {}),
      snapshot: JSON.stringify(
        snapshotOf(
          a,
          current.map((m) => m.media.id),
        ),
      ),
    },
  ];
}

/** Writes the rows of stored media into their artefacts, and clears the blobs' pending notes: they have owners now. */
export async function attachMedia(trx: Db, placed: readonly PlacedMedia[]): Promise<void> {
  await inBatches(placed, (rows) =>
    trx
      .insertInto('mediaItems')
      .values(
        rows.map((p) => ({
          ...mediaItemRow(p.media, { artefactId: p.artefactId, ownerId: p.ownerId, position: p.position }),
          ...(p.createdAt ? { createdAt: p.createdAt } : {}),
          removedAt: p.removedAt ?? null,
        })),
      )
      .execute(),
  );
  await inBatches(placed, (rows) =>
    claimStored(
      trx,
      rows.map((p) => p.media),
    ),
  );
}
