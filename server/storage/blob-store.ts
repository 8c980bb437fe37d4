import type { Readable } from 'node:stream';

/** Byte range, both ends inclusive, as in an HTTP `Range: bytes=start-end` header. */
export interface ByteRange {
  start: number;
  end?: number;
}

export interface BlobInfo {
  key: string;
  size: number;
  contentType: string;
  lastModified: Date;
}

export interface PutOptions {
  contentType: string;
  /** Known size in bytes, when the caller knows it (lets S3 skip multipart for small objects). */
  size?: number;
}

export interface SignedUrlOptions {
  expiresInSeconds: number;
  /** Forces download instead of inline display (files a browser could run). */
  downloadName?: string;
  contentType?: string;
  /**
   * An opaque reference the server checks again whenever the URL is used (local driver; an S3
   * presigned URL cannot be revoked and simply expires). Lets access that ends mid-validity end the URL too.
   */
  recheck?: string;
}

/**
 * Where media bytes live. Two drivers: a local folder (embedded default) and S3.
 * Keys are built by `blobKey()` only; drivers treat them as opaque, slash-separated names.
 */
export interface BlobStore {
  readonly kind: 'local' | 's3';
  /** Streams `body` into the store; never holds the whole object in memory. */
  putStream(key: string, body: Readable, options: PutOptions): Promise<BlobInfo>;
  /** Streams the object or a byte range of it. Throws BlobNotFoundError when missing. */
  getStream(key: string, range?: ByteRange): Promise<Readable>;
  /** Size, type and date, or null when the object does not exist. */
  head(key: string): Promise<BlobInfo | null>;
  /** Deletes the object; deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** A short-lived URL that opens this one object and nothing else. */
  signedUrl(key: string, options: SignedUrlOptions): Promise<string>;
  /** Answers when the store is reachable (for /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class BlobNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`No stored object ${key}`);
    this.name = 'BlobNotFoundError';
  }
}

/** The one place object keys are built: `<kind>/<aa>/<bb>/<id>[.<variant>]`. */
export function blobKey(kind: 'media' | 'export' | 'tmp', id: string, variant?: string): string {
  if (!/^[A-Za-z0-9_-]{4,128}$/.test(id)) throw new Error(`Invalid blob id ${id}`);
  if (variant !== undefined && !/^[a-z0-9-]{1,32}$/.test(variant)) throw new Error(`Invalid blob variant ${variant}`);
  return `${kind}/${id.slice(0, 2)}/${id.slice(2, 4)}/${id}${variant ? `.${variant}` : ''}`;
}
