import { sql } from 'kysely';
import { guardianSeesFeedback, guardianSeesFile, guardianSeesVersion, type GuardianView } from '../../auth/policy.ts';
import type { Db } from '../../db/database.ts';
import type { ArtefactSnapshot, ArtefactLink } from '../../db/schema.ts';
import { guardianViewOf, guardianViewSql, type GuardianViewJson } from './guardian-sharing.sql.ts';

interface ArtefactLike {
  id: string;
  ownerId: string;
  visibility: 'private' | 'guardians';
  version: number;
  title: string;
  bodyHtml: string;
  links: ArtefactLink[];
  tags: string[];
  projectId: string | null;
  phaseId: string | null;
  goalIds: string[];
  subjectCodes: string[];
  competenceIds: string[];
}

/**
 * Issue 12 §1: a guardian's export (exportScope 'shared') holds what the guardian sees on the pages, by the same
 * policy rules: the approved version of each item (its content while a newer one waits), the versions and files
 * of their history scope, and the feedback since they first saw the item unless the pupil shared its history.
 */
export async function asGuardiansExport<
  A extends ArtefactLike,
  M extends { id: string; artefactId: string; removedAt: Date | null },
  V extends { artefactId: string; version: number; shared: boolean | null; snapshot: ArtefactSnapshot },
  F extends { artefactId: string; createdAt: Date },
>(db: Db, data: { artefacts: A[]; media: M[]; versions: V[]; feedback: F[] }) {
  const ids = data.artefacts.map((a) => a.id);
  const rows = ids.length
    ? await db
        .selectFrom('artefacts')
        .select(['artefacts.id', sql<GuardianViewJson>`${guardianViewSql('artefacts')}`.as('view')])
        .where('artefacts.id', 'in', ids)
        .execute()
    : [];
  const views = new Map<string, GuardianView>(rows.map((r) => [r.id, guardianViewOf(r.view)]));
  const byId = new Map(data.artefacts.map((a) => [a.id, a]));
  const resourceOf = (artefactId: string) => {
    const a = byId.get(artefactId);
    const guardianView = views.get(artefactId);
    if (!a || !guardianView) return null;
    return { type: 'artefact' as const, ownerId: a.ownerId, ownerGroupIds: [], projectTeacherIds: [], visibility: a.visibility, guardianView };
  };
  const seesVersion = (v: V) => {
    const r = resourceOf(v.artefactId);
    return r !== null && guardianSeesVersion(r, { version: v.version, shared: v.shared ?? false });
  };
  const versions = data.versions.filter(seesVersion);
  const media = data.media.filter((m) => {
    const r = resourceOf(m.artefactId);
    if (!r) return false;
    const naming = data.versions
      .filter((v) => v.artefactId === m.artefactId && v.snapshot.mediaIds.includes(m.id))
      .map((v) => ({ version: v.version, shared: v.shared ?? false }));
    return guardianSeesFile({ type: 'media', artefact: r, removed: m.removedAt !== null, versions: naming });
  });
  const feedback = data.feedback.filter((f) => {
    const r = resourceOf(f.artefactId);
    return r !== null && guardianSeesFeedback(r, f.createdAt);
  });
  // The content and placement guardians see: an item whose edit (or move) waits is exported as its approved version.
  const artefacts = data.artefacts.flatMap((a) => {
    const view = views.get(a.id);
    if (!view || view.version === null) return [];
    if (view.version === a.version) return [a];
    const snap = data.versions.find((v) => v.artefactId === a.id && v.version === view.version)?.snapshot;
    if (!snap) return [];
    return [
      {
        ...a,
        version: view.version,
        title: snap.title,
        bodyHtml: snap.bodyHtml,
        links: snap.links,
        tags: snap.tags ?? [],
        projectId: snap.projectId,
        phaseId: snap.phaseId,
        goalIds: snap.goalIds,
        subjectCodes: snap.subjectCodes,
        competenceIds: snap.competenceIds,
      },
    ];
  });
  return { artefacts, media, versions, feedback };
}
