import path from 'node:path';
import type { Db } from '../../../db/database.ts';
import { importReason } from '../../../../shared/portability/import-reasons.ts';
import type { ClassroomAttachment, ClassroomPost, DriveSidecar } from '../../../../shared/portability/takeout-format.ts';
import { type DateReading, type ForeignWork, planForeign, readDate } from './foreign-plan.ts';
import { isViewerAsset, note, readInBatches, readSmall } from './foreign-files.ts';
import type { ImportItem, ImportPlan } from './import-plan.ts';
import type { MediaFiles } from './import-media.ts';
import { parseOffThread } from './parse-pool.ts';
import type { SafeZip } from './safe-zip.ts';
import type { TakeoutJson } from './takeout-json.ts';

/**
 * Google Takeout (takeout.google.com) of a pupil's Drive and Classroom: a ZIP whose entries all sit
 * under `Takeout/<product>/`. Drive: each file is one piece of work, dated and described by its JSON
 * sidecar when there is one (`<file>.json`, or Photos' `<file>.supplemental-metadata.json`).
 * Classroom: each JSON under `Takeout/Classroom/<class>/` is a post or submission, with the files it
 * attaches (named by title, found beside it) as its media and its comments as imported feedback.
 * Other products (Mail, Calendar …) and unreadable JSON are reported, a line each.
 */

const ROOT = 'Takeout/';
/** Google's sidecars are a few hundred bytes; a Classroom post with a long text a few kilobytes. */
export const MAX_TAKEOUT_JSON_BYTES = 256 * 1024;
const PARSE_BUDGET = 16 * 1024 * 1024;
const SIDECAR_SUFFIXES = ['.supplemental-metadata.json', '.json'];

export function isTakeout(zip: SafeZip): boolean {
  return zip.entries.some((e) => e.name.startsWith(ROOT) && e.name.length > ROOT.length);
}

export async function planTakeout(o: { db: Db; zip: SafeZip; files: MediaFiles; pupilId: string | null }): Promise<ImportPlan> {
  const { zip } = o;
  const notes: ImportItem[] = [];
  const unknown = new Set<string>();
  const drive: string[] = [];
  const classroom: string[] = [];
  for (const e of zip.entries) {
    if (e.directory) continue;
    if (!e.name.startsWith(ROOT)) {
      unknown.add(e.name.includes('/') ? `${e.name.split('/')[0]}/` : e.name);
      continue;
    }
    const parts = e.name.slice(ROOT.length).split('/');
    const product = parts[0] ?? '';
    if (parts.length === 1) {
      if (/^archive_browser\.html$/i.test(product) || isViewerAsset(product)) notes.push(note(e.name, importReason('archive-viewer', { file: e.name })));
      else unknown.add(e.name);
    } else if (product === 'Drive') drive.push(e.name);
    else if (product === 'Classroom') classroom.push(e.name);
    else unknown.add(`${ROOT}${product}/`);
  }
  for (const part of unknown) notes.push(note(part, importReason('foreign-part-unknown', { file: part })));

  // Sidecars are the JSON files named after a file beside them; other JSON under Classroom are posts.
  const all = new Set([...drive, ...classroom]);
  const sidecarOf = new Map<string, string>();
  for (const name of all) {
    for (const suffix of SIDECAR_SUFFIXES) {
      if (!name.endsWith(suffix)) continue;
      const file = name.slice(0, -suffix.length);
      if (all.has(file) && !file.endsWith('.json')) {
        sidecarOf.set(file, name);
        break;
      }
    }
  }
  const sidecars = new Set(sidecarOf.values());
  const posts = classroom.filter((n) => n.toLowerCase().endsWith('.json') && !sidecars.has(n));
  const json = await readJson(zip, [
    ...[...sidecars].map((n) => ({ name: n, as: 'sidecar' as const })),
    ...posts.map((n) => ({ name: n, as: 'post' as const })),
  ]);

  const sidecarData = (file: string): DriveSidecar | null => {
    const name = sidecarOf.get(file);
    const read = name ? json.get(name) : undefined;
    if (!name || !read) return null;
    if (read.kind === 'sidecar') return read.value;
    notes.push(note(name, importReason('sidecar-unreadable', { file: name })));
    return null;
  };

  const works: ForeignWork[] = [];
  const postSet = new Set(posts);
  const byTitle = titleIndex(classroom);
  const claimed = new Set<string>();
  for (const name of posts) {
    const read = json.get(name);
    if (read?.kind === 'post') works.push(postWork(name, read.value, byTitle, claimed, notes));
    else if (read?.kind === 'other') notes.push(note(name, importReason('foreign-part-unknown', { file: name })));
    else notes.push(note(name, importReason('sidecar-unreadable', { file: name })));
  }
  for (const name of [...drive, ...classroom]) {
    if (sidecars.has(name) || claimed.has(name) || postSet.has(name)) continue;
    works.push(fileWork(name, sidecarData(name)));
  }
  const found = [drive.length ? 'Drive' : '', classroom.length ? 'Classroom' : ''].filter(Boolean).join(' + ');
  return planForeign({ db: o.db, files: o.files, pupilId: o.pupilId, format: 'takeout', sourceVersion: found, pupilName: null, works, notes });
}

async function readJson(zip: SafeZip, list: Array<{ name: string; as: 'sidecar' | 'post' }>): Promise<Map<string, TakeoutJson>> {
  const read = await readInBatches(
    list,
    (f) => readSmall(zip, f.name, MAX_TAKEOUT_JSON_BYTES),
    PARSE_BUDGET,
    (batch) => parseOffThread({ kind: 'takeout-json', inputs: batch.map((f) => ({ bytes: f.bytes, as: f.as })) }),
  );
  // Too large to read is as unreadable as broken.
  return new Map([...read].map(([name, json]) => [name, json ?? { kind: 'bad' }]));
}

function withoutExtension(name: string): string {
  const ext = path.posix.extname(name);
  return ext ? name.slice(0, -ext.length) : name;
}

function sidecarDate(s: DriveSidecar | null): DateReading {
  if (!s) return { date: null, problem: null };
  const value = s.createdTime ?? stamp(s.photoTakenTime) ?? stamp(s.creationTime) ?? s.modifiedTime;
  return readDate(value);
}

function stamp(value: DriveSidecar['creationTime']): string | undefined {
  return typeof value === 'string' ? value : value?.timestamp;
}

function fileWork(name: string, sidecar: DriveSidecar | null): ForeignWork {
  const base = path.posix.basename(name);
  return {
    originId: name,
    // Drive's title is the file's own name, extension and all, for uploads; a Doc's has none.
    title: sidecar?.title && sidecar.title !== base ? sidecar.title : withoutExtension(base),
    text: sidecar?.description ?? '',
    links: [],
    date: sidecarDate(sidecar),
    files: [name],
    comments: [],
  };
}

function attachmentTitle(a: ClassroomAttachment): string | undefined {
  return a.driveFile?.driveFile?.title ?? a.driveFile?.title ?? a.title;
}

function personName(p: { displayName?: string | undefined; name?: string | { fullName?: string | undefined } | undefined } | undefined): string | null {
  if (!p) return null;
  return p.displayName ?? (typeof p.name === 'string' ? p.name : (p.name?.fullName ?? null));
}

/**
 * Classroom's files by the titles an attachment may name them by (the file name, or without the
 * extension Drive added on export), within their folder and within their class: one lookup per
 * attachment, however many files and posts a download has.
 */
function titleIndex(classroom: readonly string[]): Map<string, string> {
  const index = new Map<string, string>();
  for (const n of classroom) {
    if (n.toLowerCase().endsWith('.json')) continue;
    const base = path.posix.basename(n);
    const classDir = n.split('/').slice(0, 3).join('/');
    for (const key of [
      `${path.posix.dirname(n)}\n${base}`,
      `${path.posix.dirname(n)}\n${withoutExtension(base)}`,
      `${classDir}\n${base}`,
      `${classDir}\n${withoutExtension(base)}`,
    ])
      if (!index.has(key)) index.set(key, n);
  }
  return index;
}

/** A Classroom post or submission: its attachments found by title beside it (or elsewhere in its class). */
function postWork(name: string, post: ClassroomPost, byTitle: ReadonlyMap<string, string>, claimed: Set<string>, notes: ImportItem[]): ForeignWork {
  const dir = path.posix.dirname(name);
  const classDir = name.split('/').slice(0, 3).join('/');
  const attachments = [...(post.materials ?? []), ...(post.attachments ?? []), ...(post.assignmentSubmission?.attachments ?? [])];
  const files: string[] = [];
  const links: ForeignWork['links'] = [];
  for (const a of attachments) {
    const url = a.link?.url ?? a.youtubeVideo?.alternateLink;
    if (url) {
      const title = a.link?.title ?? a.youtubeVideo?.title;
      links.push({ url, ...(title ? { title } : {}) });
      continue;
    }
    const title = attachmentTitle(a);
    if (!title) continue;
    const file = byTitle.get(`${dir}\n${title}`) ?? byTitle.get(`${classDir}\n${title}`);
    if (!file) {
      notes.push(note(title, importReason('media-missing', { file: title }), 'media'));
      continue;
    }
    if (!files.includes(file)) files.push(file);
    claimed.add(file);
  }
  const text = [post.description, post.text, post.shortAnswerSubmission?.answer].filter(Boolean).join('\n\n');
  return {
    originId: name,
    title: post.title ?? null,
    text,
    links,
    date: readDate(stamp(post.creationTime) ?? stamp(post.updateTime)),
    files,
    comments: [...(post.comments ?? []), ...(post.privateComments ?? [])].map((c) => ({
      author: personName(c.creator ?? c.author),
      text: c.text ?? c.body ?? '',
      date: readDate(stamp(c.creationTime)),
    })),
  };
}
