import { Router } from 'express';
import rangeParser from 'range-parser';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { NotFound } from '../http/errors.ts';
import type { ByteRange } from './blob-store.ts';
import { BlobNotFoundError } from './blob-store.ts';
import type { LocalBlobStore } from './local-blob-store.ts';

/**
 * Serves the local driver's signed URLs: `GET /api/blobs/<token>`. The token is the only
 * credential, so the route needs no session and works for `<img src>` and downloads alike.
 * A token that carries a `recheck` reference is served only while `recheck` still allows it.
 */
export function createLocalBlobRouter(store: LocalBlobStore, recheck: (reference: string) => Promise<boolean> = async () => true): Router {
  const router = Router();
  router.get('/:token', async (req, res) => {
    const grant = store.verifyToken(req.params.token);
    // One answer for expired, tampered, missing and no longer allowed, so a token reveals nothing about other objects.
    if (!grant || (grant.recheck !== undefined && !(await recheck(grant.recheck)))) throw new NotFound('The file');
    const info = await store.head(grant.key);
    if (!info) throw new NotFound('The file');

    const range = pickRange(req.headers.range, info.size);
    if (range === 'unsatisfiable') {
      res.status(416).setHeader('Content-Range', `bytes */${info.size}`).end();
      return;
    }
    let body: Readable | null = null;
    if (req.method !== 'HEAD') {
      // Opened before any header is set, so a just-deleted object still gets a clean 404.
      body = await store.getStream(grant.key, range ?? undefined).catch((err: unknown) => {
        throw err instanceof BlobNotFoundError ? new NotFound('The file') : err;
      });
    }

    const contentType = grant.contentType ?? info.contentType;
    const maxAge = Math.max(0, Math.floor((grant.expiresAt.getTime() - Date.now()) / 1000));
    res.setHeader('Content-Type', contentType);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Accept-Ranges', 'bytes');
    // Never cached longer than the URL itself is valid.
    res.setHeader('Cache-Control', `private, max-age=${maxAge}`);
    const disposition = dispositionFor(contentType, grant.downloadName);
    if (disposition) res.setHeader('Content-Disposition', disposition);
    if (range) {
      const end = range.end ?? info.size - 1;
      res.status(206);
      res.setHeader('Content-Range', `bytes ${range.start}-${end}/${info.size}`);
      res.setHeader('Content-Length', String(end - range.start + 1));
    } else {
      res.setHeader('Content-Length', String(info.size));
    }
    if (!body) {
      res.end();
      return;
    }
    try {
      await pipeline(body, res);
    } catch (err) {
      // A client that goes away mid-download is normal, not a server error.
      if (isPrematureClose(err)) return;
      throw err;
    }
  });
  return router;
}

/**
 * One satisfiable range, or null to send the whole object: no header, a malformed one,
 * a unit other than bytes, and several ranges (no multipart/byteranges) all get a 200.
 */
export function pickRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  if (!header) return null;
  const parsed = rangeParser(size, header, { combine: true });
  if (parsed === -1) return 'unsatisfiable';
  if (parsed === -2 || parsed.type !== 'bytes' || parsed.length !== 1) return null;
  const [only] = parsed;
  return only ? { start: only.start, end: only.end } : null;
}

// Allowlist rather than denylist: anything a browser might render as a document or run
// (HTML, SVG, XML, scripts, and types we have not thought of) is downloaded instead.
const INLINE_SAFE = /^(?:image\/(?:png|jpeg|gif|webp|avif)|audio\/[a-z0-9.+-]+|video\/[a-z0-9.+-]+|application\/pdf|text\/plain)$/;

/** Whether a browser may show this type inline; parameters such as `; charset=` are ignored. */
export function isInlineSafe(contentType: string): boolean {
  const mediaType = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return INLINE_SAFE.test(mediaType);
}

/** `Content-Disposition` for a response, or null to let the browser show it inline. */
export function dispositionFor(contentType: string, downloadName?: string): string | null {
  if (downloadName) return attachmentDisposition(downloadName);
  return isInlineSafe(contentType) ? null : 'attachment';
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 6266 / RFC 8187). */
export function attachmentDisposition(downloadName?: string): string {
  if (!downloadName) return 'attachment';
  // A lone surrogate would make encodeURIComponent throw.
  const name = downloadName.replace(LONE_SURROGATE, '\uFFFD');
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  // encodeURIComponent leaves '()* and ! unescaped; RFC 8187 attr-char allows only !, so escape the rest.
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

function isPrematureClose(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 'ERR_STREAM_PREMATURE_CLOSE';
}
