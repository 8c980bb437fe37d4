import type { Locale } from '../../../../shared/roles.ts';
import { storedUntitled } from '../../../../shared/portability/import-titles.ts';
import type { Db } from '../../../db/database.ts';
import type { LeapEntry } from './leap2a-feed.ts';
import { escapeText } from './safe-xml.ts';

// Pure helpers for the shapes Mahara writes (leap2a-plan.ts maps them): pages, plans with tasks,
// embedded images, export names. Sources cited are in MaharaProject/mahara.

/**
 * Mahara prefixes every exported file: 18.04 `files/<n>-<title>` (n counts the attachments,
 * htdocs/export/leap/lib.php add_attachment), 22.10+ `export_info/files/<artefact id>-<title>`
 * (htdocs/artefact/file/export/leap/lib.php add_attachments). The name the pupil knew is the rest.
 */
export function stripExportPrefix(name: string): string {
  return name.replace(/^\d+-(?=.)/, '');
}

/**
 * Links Mahara leaves to its own file downloads (`…/artefact/file/download.php?file=N`: the exporter
 * rewrites them to portfolio:artefactN only when the file is in the export, LeapExportOutputFilter)
 * as the entry id they would have had.
 */
export function maharaDownloadRefs(html: string): string {
  return html.replace(
    /(\s(?:href|src)\s*=\s*)(["'])[^"']*?artefact\/file\/download\.php\?file=(\d+)[^"']*\2/gi,
    (_whole, pre: string, quote: string, id: string) => `${pre}${quote}portfolio:artefact${id}${quote}`,
  );
}

// Tags of bounded length only: the attribute patterns below cost the square of a tag's length, and
// a real <img> is far shorter (a longer one is left for the sanitiser, which drops every <img>).
// Never across a '<': "<img<img<img…" would otherwise cost 2,000 steps a character, on the event loop.
const IMG = /<img\b[^<>]{0,2000}>/gi;
const ATTR = (name: string) => new RegExp(`\\s${name}\\s*=\\s*(["'])(.*?)\\1`, 'i');

/** The entries an entry's HTML embeds as images: Mahara writes `<img rel="leap2:has_part" href="portfolio:artefactN">`. */
export function embeddedRefs(html: string): string[] {
  const out: string[] = [];
  for (const m of maharaDownloadRefs(html).matchAll(IMG)) {
    const ref = ATTR('href').exec(m[0])?.[2] ?? ATTR('src').exec(m[0])?.[2];
    if (ref) out.push(ref.replaceAll('&amp;', '&'));
  }
  return out;
}

/**
 * Embedded images pointed at the imported media: rich text keeps no <img> (sanitize.ts), so each
 * becomes a link to the stored image, named by its alt text or file name. Images of files not
 * imported are left for the sanitiser to drop.
 */
export function rewriteEmbedded(html: string, mediaFor: (ref: string) => { url: string; name: string } | undefined): string {
  return maharaDownloadRefs(html).replace(IMG, (tag) => {
    const ref = (ATTR('href').exec(tag)?.[2] ?? ATTR('src').exec(tag)?.[2])?.replaceAll('&amp;', '&');
    const media = ref ? mediaFor(ref) : undefined;
    if (!media) return tag;
    const alt = ATTR('alt').exec(tag)?.[2]?.trim();
    return `<a href="${media.url}">${alt || escapeText(media.name)}</a>`;
  });
}

/**
 * A Mahara plan with its tasks as one text: the plan's description, then a checklist of the tasks
 * (☑ done, ☐ not done, the target date as YYYY-MM-DD, the task's description), in their order.
 * Tasks are `leap2:plan` entries with `mahara:artefactplugin mahara:type="task"`, completion as
 * `leap2:status leap2:stage` and the date as `leap2:date leap2:point="target"`
 * (htdocs/artefact/plans/export/leap/lib.php, templates/export/leap/plan.tpl).
 */
export function checklistBody(plan: LeapEntry, tasks: readonly LeapEntry[], untitled: string): string {
  const items = tasks.map((t) => {
    const mark = t.task.done ? '☑' : '☐';
    const due = t.task.due ? ` (${t.task.due})` : '';
    return `<li>${mark} <strong>${escapeText(t.title || untitled)}</strong>${due}${t.html ? `<br>${t.html}` : ''}</li>`;
  });
  return [plan.html, items.length ? `<ul>${items.join('')}</ul>` : ''].filter(Boolean).join('\n');
}

/** Whether a comment's author is Mahara's placeholder: its exporter never names the commenter (htdocs/artefact/comment/export/leap/lib.php get_entry_author). */
export function isPlaceholderAuthor(name: string | null): boolean {
  return !name || /^imported feedback$/i.test(name.trim());
}

/** What an untitled entry is called once stored: in the pupil's language, else Finnish. */
export async function untitledFor(db: Db, pupilId: string | null): Promise<string> {
  const row = pupilId ? await db.selectFrom('users').select('locale').where('id', '=', pupilId).executeTakeFirst() : undefined;
  const locale: Locale = row?.locale ?? 'fi';
  return storedUntitled(locale);
}
