import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Db } from '../../../db/database.ts';
import { importReason } from '../../../../shared/portability/import-reasons.ts';
import { type ForeignWork, planForeign, readDate } from './foreign-plan.ts';
import { isViewerAsset, note, readInBatches, readSmall } from './foreign-files.ts';
import type { ImportItem, ImportPlan } from './import-plan.ts';
import type { MediaFiles } from './import-media.ts';
import { parseOffThread } from './parse-pool.ts';
import type { SafeZip } from './safe-zip.ts';
import { SEESAW_CAPS, type SeesawPage } from './seesaw-page.ts';

/**
 * A Seesaw journal download ("Download journal" / "Download all posts"): a ZIP with an `index.html`
 * that names Seesaw, a page per month with the posts, and the posts' photos, videos, drawings and
 * files beside them. Each post becomes a piece of work (caption as its text, its date, its files as
 * media, its comments as feedback from name-only imported people). Files no post shows, and pages
 * that cannot be read, are reported a line each; the rest is imported.
 */

/** A month of a busy class journal is well under a megabyte of HTML. */
export const MAX_SEESAW_PAGE_BYTES = 8 * 1024 * 1024;
const PARSE_BUDGET = 32 * 1024 * 1024;
const SNIFF_BYTES = 64 * 1024;

/** The folder the download's index page is in ('' for the top), if this ZIP is a Seesaw download. */
export async function findSeesawRoot(zip: SafeZip): Promise<string | null> {
  const tops = new Set(zip.entries.map((e) => (e.name.includes('/') ? `${e.name.split('/')[0]}/` : '')));
  const candidates = zip.has('index.html') ? [''] : tops.size === 1 ? [...tops].filter((t) => zip.has(`${t}index.html`)) : [];
  for (const root of candidates) {
    const info = zip.info(`${root}index.html`);
    if (!info || info.size > MAX_SEESAW_PAGE_BYTES) continue;
    const bytes = await readSmall(zip, `${root}index.html`, MAX_SEESAW_PAGE_BYTES);
    if (bytes && /seesaw/i.test(bytes.subarray(0, SNIFF_BYTES).toString('latin1'))) return root;
  }
  return null;
}

export async function planSeesaw(o: { db: Db; zip: SafeZip; root: string; files: MediaFiles; pupilId: string | null }): Promise<ImportPlan> {
  const { zip, root } = o;
  const notes: ImportItem[] = [];
  const entries = zip.entries.filter((e) => !e.directory);
  const pageNames = entries.filter((e) => e.name.startsWith(root) && /\.html?$/i.test(e.name)).map((e) => e.name);
  const parsed = await readInBatches(
    pageNames.map((name) => ({ name })),
    (p) => readSmall(zip, p.name, MAX_SEESAW_PAGE_BYTES),
    PARSE_BUDGET,
    (batch) => parseOffThread({ kind: 'seesaw-pages', pages: batch.map((p) => p.bytes) }),
  );
  const pages: Array<{ name: string; page: SeesawPage }> = [];
  for (const [name, page] of parsed) {
    if (page) pages.push({ name, page });
    else notes.push(note(name, importReason('page-unreadable', { file: name })));
  }

  const works: ForeignWork[] = [];
  const shown = new Set<string>();
  let studentName: string | null = null;
  for (const { name, page } of pages) {
    studentName ??= page.studentName;
    if (page.truncated) notes.push(note(name, importReason('page-truncated', { file: name, max: SEESAW_CAPS.posts })));
    if (page.posts.length === 0) {
      notes.push(note(name, importReason('archive-viewer', { file: name })));
      continue;
    }
    page.posts.forEach((post, index) => {
      const files: string[] = [];
      for (const ref of post.files) {
        const entry = resolve(name, ref);
        if (entry && zip.has(entry)) {
          if (!files.includes(entry)) files.push(entry);
          shown.add(entry);
        } else notes.push(note(ref.slice(0, 200), importReason('media-missing', { file: ref }), 'media'));
      }
      const origin =
        post.id ??
        createHash('sha256')
          .update(`${name}\n${index}\n${post.date ?? ''}\n${post.caption}`)
          .digest('hex')
          .slice(0, 32);
      works.push({
        originId: origin,
        title: null,
        text: post.caption,
        links: post.links.map((url) => ({ url })),
        date: readDate(post.date),
        files,
        comments: post.comments.map((c) => ({ author: c.author, text: c.text, date: readDate(c.date) })),
      });
    });
  }
  const pageSet = new Set(pageNames);
  for (const e of entries) {
    if (shown.has(e.name) || pageSet.has(e.name)) continue;
    const reason = isViewerAsset(e.name) ? importReason('archive-viewer', { file: e.name }) : importReason('foreign-part-unknown', { file: e.name });
    notes.push(note(e.name, reason));
  }
  return planForeign({ db: o.db, files: o.files, pupilId: o.pupilId, format: 'seesaw', sourceVersion: 'journal', pupilName: studentName, works, notes });
}

/** A page's reference to a file of the download, as an entry name; null if it leads outside the download. */
function resolve(page: string, ref: string): string | null {
  let clean: string;
  try {
    clean = decodeURIComponent(ref.split(/[?#]/)[0] ?? '');
  } catch {
    return null;
  }
  if (!clean || clean.includes('\\') || clean.startsWith('/')) return null;
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(page), clean));
  return joined.startsWith('../') || joined === '..' ? null : joined.replace(/^\.\//, '');
}
