import type { Media } from '../../../shared/api/artefacts.ts';
import type { ShowcaseApproval } from '../../../shared/api/guardian-sharing.ts';
import type { Showcase, ShowcaseItem, ShowcaseSummary, ShowcaseTemplate } from '../../../shared/api/showcases.ts';
import { MEDIA_VARIANTS } from '../../../shared/portfolio.ts';
import type { Db } from '../../db/database.ts';
import { showcasesDb, type ShowcaseTemplateSlot } from './showcase-tables.ts';
import type { ShowcaseFacts, ShowcaseItemRow } from './showcases.repo.ts';

const iso = (d: Date | string) => (typeof d === 'string' ? new Date(d) : d).toISOString();

/** The path that serves an item's file after the showcase's own check (not the artefact's: a viewer may not read that). */
export const showcaseMediaPath = (showcaseId: string, itemId: string, mediaId: string, variant: string) =>
  `/api/showcases/${showcaseId}/items/${itemId}/media/${mediaId}/${variant}`;

export function presentSummary(f: ShowcaseFacts, itemCount: number): ShowcaseSummary {
  return {
    id: f.row.id,
    ownerId: f.row.ownerId,
    title: f.row.title,
    visibility: f.row.visibility,
    projectId: f.row.projectId,
    templateId: f.row.templateId,
    itemCount,
    updatedAt: iso(f.row.updatedAt),
  };
}

/** The prompts of a showcase's template by slot, while the template exists. */
export async function templatePrompts(db: Db, templateId: string | null): Promise<Map<number, string>> {
  if (!templateId) return new Map();
  const row = await showcasesDb(db).selectFrom('showcaseTemplates').select('slots').where('id', '=', templateId).executeTakeFirst();
  return new Map((row?.slots ?? []).map((s, i) => [i, s.prompt]));
}

/** Where a viewer's client fetches an item's file: by default the signed-in route; a secret-link page passes its own. */
export type MediaPathOf = (itemId: string, mediaId: string, variant: string) => string;

function presentItem(showcaseId: string, r: ShowcaseItemRow, prompts: Map<number, string>, mediaPath: MediaPathOf | undefined): ShowcaseItem {
  const a = r.artefact;
  return {
    id: r.id,
    position: r.position,
    kind: a ? 'artefact' : r.templateSlot !== null ? 'slot' : 'text',
    heading: r.heading,
    bodyHtml: r.bodyHtml,
    templateSlot: r.templateSlot,
    prompt: r.templateSlot !== null ? (prompts.get(r.templateSlot) ?? null) : null,
    artefact: a
      ? {
          id: a.id,
          kind: a.kind,
          title: a.title,
          bodyHtml: a.bodyHtml,
          links: a.links.map((l) => (l.title === undefined ? { url: l.url } : { url: l.url, title: l.title })),
          media: a.media.map((m): Media => ({
            id: m.id,
            kind: m.kind,
            mime: m.mime,
            size: Number(m.size),
            originalName: m.originalName,
            width: m.width,
            height: m.height,
            durationMs: m.durationMs,
            urls: Object.fromEntries(
              MEDIA_VARIANTS.filter((v) => m.variants[v]).map((v) => [v, mediaPath ? mediaPath(r.id, m.id, v) : showcaseMediaPath(showcaseId, r.id, m.id, v)]),
            ),
          })),
          projectId: a.projectId,
          createdAt: iso(a.createdAt),
        }
      : null,
  };
}

/**
 * A showcase as one viewer sees it. Its editor sees every item, empty template slots too; a reader sees the works
 * and the text, not the slots still waiting to be filled. Nothing here names anyone but the owner.
 */
export function presentShowcase(
  f: ShowcaseFacts,
  rows: ShowcaseItemRow[],
  prompts: Map<number, string>,
  opts: { canEdit: boolean; mediaPath?: MediaPathOf; guardianApproval?: ShowcaseApproval | null },
): Showcase {
  const items = rows.map((r) => presentItem(f.row.id, r, prompts, opts.mediaPath)).filter((i) => opts.canEdit || i.kind !== 'slot' || i.bodyHtml !== '');
  return {
    ...presentSummary(f, items.length),
    ownerName: f.row.ownerName,
    introHtml: f.row.introHtml,
    createdAt: iso(f.row.createdAt),
    canEdit: opts.canEdit,
    items,
    guardianApproval: opts.guardianApproval ?? null,
  };
}

export function presentTemplate(r: {
  id: string;
  projectId: string;
  title: string;
  intro: string;
  slots: ShowcaseTemplateSlot[];
  updatedAt: Date;
}): ShowcaseTemplate {
  return {
    id: r.id,
    projectId: r.projectId,
    title: r.title,
    intro: r.intro,
    slots: r.slots.map((s) => ({ prompt: s.prompt, goalId: s.goalId })),
    updatedAt: iso(r.updatedAt),
  };
}
