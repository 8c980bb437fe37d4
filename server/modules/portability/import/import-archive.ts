import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../../../db/database.ts';
import type { MediaOptions } from '../../../media/pipeline.ts';
import type { BlobStore } from '../../../storage/blob-store.ts';
import { ARCHIVE_PATHS } from '../../../../shared/portability/portfolio-format.ts';
import { type ImportItem, type ImportPlan, type ImportProfileField, countItems } from './import-plan.ts';
import { MediaFiles } from './import-media.ts';
import { ImportRejected } from './import-rejected.ts';
import { type ImportTarget, type ResolvedTarget, resolveExisting, usernameFrom } from './import-target.ts';
import { type ImportProgress, writePlan } from './import-writer.ts';
import type { ImportFormat } from './foreign-plan.ts';
import { planLeap2a } from './leap2a-plan.ts';
import { planPolku, readDocument, verifyManifest } from './polku-archive.ts';
import { parseOffThread } from './parse-pool.ts';
import { SafeZip } from './safe-zip.ts';
import { findSeesawRoot, planSeesaw } from './seesaw-plan.ts';
import { isTakeout, planTakeout } from './takeout-plan.ts';

export { ImportRejected, type ImportRejectedCode } from './import-rejected.ts';
export type { ImportItem } from './import-plan.ts';
export type { ImportTarget } from './import-target.ts';
export type { ImportProgress } from './import-writer.ts';

export interface ImportLimits {
  maxArchiveBytes: number;
  maxEntries: number;
  maxTotalUncompressedBytes: number;
  maxCompressionRatio: number;
  maxXmlBytes: number;
}

const MiB = 1024 * 1024;
export const DEFAULT_IMPORT_LIMITS: ImportLimits = Object.freeze({
  maxArchiveBytes: 2048 * MiB,
  maxEntries: 20_000,
  maxTotalUncompressedBytes: 4096 * MiB,
  maxCompressionRatio: 100,
  maxXmlBytes: 64 * MiB,
});

export interface ImportPreview {
  format: ImportFormat;
  sourceVersion: string;
  pupilName: string;
  pupilNameCode?: ImportPlan['pupilNameCode'];
  items: ImportItem[];
  counts: { create: number; skip: number; unmapped: number };
  profile?: ImportProfileField[];
}

export interface ImportReport extends ImportPreview {
  pupilId: string;
  created: { projects: number; artefacts: number; media: number; feedback: number };
}

/** Where LEAP2A archives keep their feed (Mahara accepts all three names). */
const LEAP_FILES = [ARCHIVE_PATHS.leap2a, 'leap2.xml', 'leap.xml'];

/**
 * What importing `filePath` would do, without writing anything. Hostile or broken input throws
 * ImportRejected (with a message for a person) before anything is unpacked that should not be.
 * Access decisions (may this actor import into this pupil?) are the caller's, through policy.ts.
 */
export async function previewImport(o: { db: Db; filePath: string; fileName?: string; target: ImportTarget; limits?: ImportLimits }): Promise<ImportPreview> {
  return withPlan({ ...o, tmpRoot: os.tmpdir(), keepFiles: false }, async (plan) => present(plan));
}

/**
 * Imports `filePath`: the same plan as the preview, media stored first, then all rows in one
 * transaction; on failure or abort nothing stays behind (rows rolled back, stored blobs deleted).
 */
export async function applyImport(o: {
  db: Db;
  blobs: BlobStore;
  filePath: string;
  /** The name the person knows the file by (the upload's), for messages about a bare XML file. */
  fileName?: string;
  target: ImportTarget;
  actorId: string | null;
  limits?: ImportLimits;
  media: MediaOptions;
  onProgress?: (p: ImportProgress) => void;
  signal?: AbortSignal;
}): Promise<ImportReport> {
  return withPlan({ ...o, tmpRoot: o.media.tmpDir, keepFiles: true }, async (plan, files, target) => {
    const { pupilId, created } = await writePlan({
      deps: { db: o.db, blobs: o.blobs, media: o.media },
      plan,
      files,
      target,
      actorId: o.actorId,
      onProgress: o.onProgress,
      signal: o.signal,
    });
    return { ...present(plan), pupilId, created };
  });
}

function present(plan: ImportPlan): ImportPreview {
  return {
    format: plan.format,
    sourceVersion: plan.sourceVersion,
    pupilName: plan.pupilName,
    ...(plan.pupilNameCode ? { pupilNameCode: plan.pupilNameCode } : {}),
    items: plan.items,
    counts: countItems(plan.items),
    ...(plan.profile?.length ? { profile: plan.profile } : {}),
  };
}

async function withPlan<T>(
  o: {
    db: Db;
    filePath: string;
    fileName?: string | undefined;
    target: ImportTarget;
    limits?: ImportLimits | undefined;
    tmpRoot: string;
    keepFiles: boolean;
    onProgress?: ((p: ImportProgress) => void) | undefined;
    signal?: AbortSignal | undefined;
  },
  use: (plan: ImportPlan, files: MediaFiles, target: ResolvedTarget) => Promise<T>,
): Promise<T> {
  const limits = o.limits ?? DEFAULT_IMPORT_LIMITS;
  const existing = await resolveExisting(o.db, o.target);
  const kind = await sniffArchive(o.filePath);
  const zip = kind === 'zip' ? await SafeZip.open(o.filePath, limits) : null;
  try {
    const files = await MediaFiles.create(zip, o.tmpRoot, o.keepFiles);
    try {
      o.signal?.throwIfAborted();
      o.onProgress?.({ phase: 'reading', done: 0, total: 1 });
      const plan = await makePlan(o.db, o.filePath, path.basename(o.fileName ?? o.filePath), zip, files, limits, existing);
      checkMediaWork(plan, zip, limits);
      o.signal?.throwIfAborted();
      o.onProgress?.({ phase: 'reading', done: 1, total: 1 });
      const target: ResolvedTarget = existing
        ? { kind: 'existing', ...existing }
        : o.target.kind === 'new'
          ? {
              kind: 'new',
              schoolId: o.target.schoolId,
              username: usernameFrom(o.target.username ?? plan.pupil.username ?? undefined, plan.pupilName),
              displayName: o.target.displayName?.trim() || plan.pupil.displayName,
              groupId: o.target.groupId ?? null,
            }
          : unreachable();
      return await use(plan, files, target);
    } finally {
      await files.close();
    }
  } finally {
    zip?.close();
  }
}

/**
 * The media work a plan asks for, held to what the archive itself may hold. Every reference to a file
 * is processed and stored on its own (each artefact owns its copy), so one photo shown in thousands of
 * Seesaw posts, Takeout attachments, LEAP2A enclosures or Polku media rows would otherwise be
 * transcoded and stored thousands of times from a tiny archive. An honest archive refers to each
 * file about once, so counting references against the entry and size limits refuses none.
 */
function checkMediaWork(plan: ImportPlan, zip: SafeZip | null, limits: ImportLimits): void {
  const refs = plan.artefacts.flatMap((a) => a.media.flatMap((m) => [m.entry, ...Object.values(m.variants).flatMap((v) => (v ? [v.entry] : []))]));
  if (refs.length > limits.maxEntries) throw new ImportRejected('too-many-entries', { entries: refs.length, max: limits.maxEntries });
  const bytes = refs.reduce((sum, entry) => sum + (zip?.info(entry)?.size ?? 0), 0);
  if (bytes > limits.maxTotalUncompressedBytes) throw new ImportRejected('zip-bomb', { context: 'total', max: limits.maxTotalUncompressedBytes });
}

function unreachable(): never {
  throw new Error('import target neither existing nor new');
}

async function makePlan(
  db: Db,
  filePath: string,
  fileName: string,
  zip: SafeZip | null,
  files: MediaFiles,
  limits: ImportLimits,
  existing: { pupilId: string; schoolId: string } | null,
): Promise<ImportPlan> {
  const pupilId = existing?.pupilId ?? null;
  const schoolId = existing?.schoolId ?? null;
  if (!zip) {
    const bytes = await readSmallFile(filePath, fileName, limits.maxXmlBytes);
    const feed = await parseOffThread({ kind: 'leap2a', bytes, maxBytes: limits.maxXmlBytes, file: fileName });
    return planLeap2a({ db, feed, files, pupilId, schoolId });
  }
  if (zip.has(ARCHIVE_PATHS.document)) {
    const doc = await readDocument(zip, limits.maxXmlBytes);
    await verifyManifest(zip, doc);
    return planPolku(db, doc, files, pupilId);
  }
  const leapFile = LEAP_FILES.find((f) => zip.has(f));
  if (!leapFile) {
    // Downloads from the platforms schools used before (Google Takeout, Seesaw): see their planners.
    if (isTakeout(zip)) return planTakeout({ db, zip, files, pupilId });
    const seesawRoot = await findSeesawRoot(zip);
    if (seesawRoot !== null) return planSeesaw({ db, zip, root: seesawRoot, files, pupilId });
    throw new ImportRejected('unknown-format', { context: 'zip' });
  }
  const tooLarge = () => new ImportRejected('too-large', { context: 'file', file: leapFile, max: limits.maxXmlBytes });
  const bytes = await zip.readBuffer(leapFile, limits.maxXmlBytes, tooLarge);
  const feed = await parseOffThread({ kind: 'leap2a', bytes, maxBytes: limits.maxXmlBytes, file: leapFile });
  return planLeap2a({ db, feed, files, pupilId, schoolId });
}

/** ZIP or XML by the first bytes, never by the file name. */
async function sniffArchive(filePath: string): Promise<'zip' | 'xml'> {
  const handle = await open(filePath, 'r');
  try {
    const head = Buffer.alloc(64);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const start = head.subarray(0, bytesRead);
    // Local file header, or the end record of an empty archive.
    if (start.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04])) || start.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x05, 0x06]))) return 'zip';
    if (start.subarray(0, 2).equals(Buffer.from('PK'))) return 'zip';
    const text = start
      .toString('latin1')
      .replace(/^\xef\xbb\xbf/, '')
      .trimStart();
    if (text.startsWith('<')) return 'xml';
    // UTF-16 byte order marks: XML, but not in an encoding we read (the parser says so clearly).
    if (start[0] === 0xfe || start[0] === 0xff) return 'xml';
    throw new ImportRejected('unknown-format', {});
  } finally {
    await handle.close();
  }
}

async function readSmallFile(filePath: string, fileName: string, maxBytes: number): Promise<Buffer> {
  const handle = await open(filePath, 'r');
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) throw new ImportRejected('too-large', { context: 'file', file: fileName, max: maxBytes });
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
