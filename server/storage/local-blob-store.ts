import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobInfo, BlobStore, ByteRange, PutOptions, SignedUrlOptions } from './blob-store.ts';
import { BlobNotFoundError } from './blob-store.ts';

export interface LocalBlobStoreOptions {
  /** Folder that holds the objects; created by `openBlobStore`. */
  root: string;
  /** Signs download tokens; a purpose-specific key is derived from it. */
  secret: string;
  /** Where `createLocalBlobRouter` is mounted. */
  urlPrefix?: string;
}

/** What a verified download token grants: one key, until `expiresAt`. */
export interface BlobGrant {
  key: string;
  expiresAt: Date;
  downloadName?: string;
  contentType?: string;
  /** See SignedUrlOptions.recheck. */
  recheck?: string;
}

interface Sidecar {
  contentType: string;
}

const META_SUFFIX = '.meta.json';
const DEFAULT_TYPE = 'application/octet-stream';
// Leading dot is reserved for temp files, so no key can name one.
const KEY_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const MAX_TOKEN_LENGTH = 4096;

/** Objects as files under one folder, with the content type in a sidecar file next to each. */
export class LocalBlobStore implements BlobStore {
  readonly kind = 'local' as const;
  readonly root: string;
  private readonly signingKey: Buffer;
  private readonly urlPrefix: string;

  constructor(options: LocalBlobStoreOptions) {
    if (options.secret.length < 16) throw new Error('LocalBlobStore needs a secret of at least 16 characters');
    this.root = path.resolve(options.root);
    // Derived so the session secret is never used directly as a MAC key for another purpose.
    this.signingKey = createHmac('sha256', options.secret).update('polku/local-blob-url/v1').digest();
    this.urlPrefix = (options.urlPrefix ?? '/api/blobs').replace(/\/+$/, '');
  }

  async putStream(key: string, body: Readable, options: PutOptions): Promise<BlobInfo> {
    const file = this.fileFor(key);
    const dir = path.dirname(file);
    // Temp files live beside the target so the final rename stays on one file system (atomic).
    const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
    const tmpMeta = `${tmp}${META_SUFFIX}`;
    try {
      await mkdir(dir, { recursive: true });
      await pipeline(body, createWriteStream(tmp, { flags: 'wx' }));
      // Flushed before the rename, so a crash cannot leave a renamed but empty file.
      await syncFile(tmp);
      const { size } = await stat(tmp);
      if (options.size !== undefined && size !== options.size) {
        throw new Error(`Expected ${options.size} bytes for ${key}, received ${size}`);
      }
      const sidecar: Sidecar = { contentType: options.contentType };
      await writeFile(tmpMeta, JSON.stringify(sidecar));
      // Sidecar first: an object is visible only once its data file exists, and then it has its type.
      await rename(tmpMeta, `${file}${META_SUFFIX}`);
      await rename(tmp, file);
    } catch (err) {
      // The body is ours once handed over: release its source on failure, as S3 does.
      body.destroy();
      await Promise.all([rm(tmp, { force: true }), rm(tmpMeta, { force: true })]);
      throw err;
    }
    const info = await this.head(key);
    if (!info) throw new BlobNotFoundError(key);
    return info;
  }

  async getStream(key: string, range?: ByteRange): Promise<Readable> {
    checkRange(range);
    const file = this.fileFor(key);
    // Opening first turns a missing file into a rejected promise instead of a stream error later.
    const handle = await open(file, 'r').catch((err: unknown) => {
      throw isMissing(err) ? new BlobNotFoundError(key) : err;
    });
    return handle.createReadStream({ start: range?.start, end: range?.end });
  }

  async head(key: string): Promise<BlobInfo | null> {
    const file = this.fileFor(key);
    try {
      const stats = await stat(file);
      if (!stats.isFile()) return null;
      return { key, size: stats.size, contentType: await this.readType(file), lastModified: stats.mtime };
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  /** Also removes partial temp files of the key, which a writer that crashed mid-put left behind. */
  async delete(key: string): Promise<void> {
    const file = this.fileFor(key);
    await rm(file, { force: true });
    await rm(`${file}${META_SUFFIX}`, { force: true });
    const partial = `.${path.basename(file)}.`;
    const names = await readdir(path.dirname(file)).catch((err: unknown) => {
      if (isMissing(err)) return [];
      throw err;
    });
    for (const name of names) if (name.startsWith(partial) && name.includes('.tmp')) await rm(path.join(path.dirname(file), name), { force: true });
  }

  async signedUrl(key: string, options: SignedUrlOptions): Promise<string> {
    assertValidKey(key);
    checkExpiry(options.expiresInSeconds);
    const payload: TokenPayload = {
      k: key,
      // Rounded up: the URL is valid for at least the requested time.
      e: Math.ceil(Date.now() / 1000) + options.expiresInSeconds,
      ...(options.downloadName ? { d: options.downloadName } : {}),
      ...(options.contentType ? { t: options.contentType } : {}),
      ...(options.recheck ? { r: options.recheck } : {}),
    };
    const encoded = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${this.urlPrefix}/${encoded}.${this.mac(encoded).toString('base64url')}`;
  }

  /** The grant in a token from `signedUrl`, or null when it is malformed, tampered with or expired. */
  verifyToken(token: string, now = new Date()): BlobGrant | null {
    if (token.length > MAX_TOKEN_LENGTH) return null;
    const [encoded, signature, ...rest] = token.split('.');
    if (!encoded || !signature || rest.length > 0) return null;
    // Compared as text: base64url decoding ignores trailing bits, so decoded bytes would accept look-alike tokens.
    const given = Buffer.from(signature);
    const expected = Buffer.from(this.mac(encoded).toString('base64url'));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const payload = parsePayload(Buffer.from(encoded, 'base64url').toString('utf8'));
    if (!payload || payload.e * 1000 <= now.getTime() || !isValidKey(payload.k)) return null;
    return {
      key: payload.k,
      expiresAt: new Date(payload.e * 1000),
      ...(payload.d !== undefined ? { downloadName: payload.d } : {}),
      ...(payload.t !== undefined ? { contentType: payload.t } : {}),
      ...(payload.r !== undefined ? { recheck: payload.r } : {}),
    };
  }

  /** Writes and removes a probe file: a folder that exists but cannot take files is not ready. */
  async ping(): Promise<void> {
    const probe = path.join(this.root, `.ping-${process.pid}-${Date.now()}`);
    await writeFile(probe, '');
    await rm(probe, { force: true });
  }

  async close(): Promise<void> {
    // Nothing to release: files are opened per call and closed by their streams.
  }

  private mac(encodedPayload: string): Buffer {
    return createHmac('sha256', this.signingKey).update(encodedPayload).digest();
  }

  private async readType(file: string): Promise<string> {
    try {
      const parsed: unknown = JSON.parse(await readFile(`${file}${META_SUFFIX}`, 'utf8'));
      if (typeof parsed === 'object' && parsed !== null && 'contentType' in parsed && typeof parsed.contentType === 'string') {
        return parsed.contentType;
      }
      return DEFAULT_TYPE;
    } catch (err) {
      if (isMissing(err)) return DEFAULT_TYPE;
      throw err;
    }
  }

  private fileFor(key: string): string {
    assertValidKey(key);
    return path.join(this.root, ...key.split('/'));
  }
}

/** Short field names keep the URL short. */
interface TokenPayload {
  k: string;
  e: number;
  d?: string;
  t?: string;
  r?: string;
}

function parsePayload(json: string): TokenPayload | null {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { k, e, d, t, r } = value as Record<string, unknown>;
  if (typeof k !== 'string' || typeof e !== 'number' || !Number.isFinite(e)) return null;
  if ((d !== undefined && typeof d !== 'string') || (t !== undefined && typeof t !== 'string') || (r !== undefined && typeof r !== 'string')) return null;
  return { k, e, ...(d !== undefined ? { d } : {}), ...(t !== undefined ? { t } : {}), ...(r !== undefined ? { r } : {}) };
}

/** Relative, slash-separated, no `..`, no backslashes, no hidden (temp) files, no sidecar names. */
export function isValidKey(key: string): boolean {
  if (key.length === 0 || key.length > 512 || key.endsWith(META_SUFFIX)) return false;
  return key.split('/').every((segment) => KEY_SEGMENT.test(segment) && segment !== '..');
}

/** Both drivers refuse the same keys, so a key that works in development works on S3 and back. */
export function assertValidKey(key: string): void {
  if (!isValidKey(key)) throw new Error(`Invalid blob key ${JSON.stringify(key)}`);
}

export function checkRange(range: ByteRange | undefined): void {
  if (!range) return;
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0 || (end !== undefined && (!Number.isSafeInteger(end) || end < start))) {
    throw new RangeError(`Invalid byte range ${start}-${end ?? ''}`);
  }
}

export function checkExpiry(seconds: number): void {
  // S3 presigned URLs allow at most 7 days; the local driver keeps the same limit so the drivers agree.
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 604_800) {
    throw new RangeError(`expiresInSeconds must be an integer from 1 to 604800, got ${seconds}`);
  }
}

async function syncFile(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

function isMissing(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && (err.code === 'ENOENT' || err.code === 'ENOTDIR');
}
