import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Readable } from 'node:stream';
import type { BlobInfo, BlobStore, ByteRange, PutOptions, SignedUrlOptions } from './blob-store.ts';
import { BlobNotFoundError } from './blob-store.ts';
import { dispositionFor } from './local-blob-route.ts';
import { assertValidKey, checkExpiry, checkRange } from './local-blob-store.ts';

/** Same shape as `Config['storage']` with kind 's3'. */
export interface S3BlobStoreOptions {
  endpoint?: string;
  bucket: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
  /** The endpoint browsers reach, when it differs from the server's (e.g. MinIO inside docker compose). */
  publicEndpoint?: string | undefined;
}

const PART_SIZE = 8 * 1024 * 1024;
// Two parts in flight plus the one being filled: an upload holds a few parts (tens of MiB), whatever its size.
const QUEUE_SIZE = 2;

export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const;
  private readonly client: S3Client;
  /** Signs URLs for browsers; the same client unless a public endpoint is configured. */
  private readonly signer: S3Client;
  private readonly bucket: string;

  constructor(options: S3BlobStoreOptions) {
    this.bucket = options.bucket;
    this.client = S3BlobStore.clientFor(options, options.endpoint);
    this.signer = options.publicEndpoint ? S3BlobStore.clientFor(options, options.publicEndpoint) : this.client;
  }

  private static clientFor(options: S3BlobStoreOptions, endpoint: string | undefined): S3Client {
    return new S3Client({
      region: options.region,
      endpoint,
      forcePathStyle: options.forcePathStyle,
      // Without explicit keys the SDK's default chain (env, instance role …) applies.
      credentials: options.accessKeyId && options.secretAccessKey ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } : undefined,
      // Many S3-compatible servers reject or mis-store the SDK's default aws-chunked checksum trailers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async putStream(key: string, body: Readable, options: PutOptions): Promise<BlobInfo> {
    try {
      assertValidKey(key);
    } catch (err) {
      body.destroy();
      throw err;
    }
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: body, ContentType: options.contentType },
      partSize: PART_SIZE,
      queueSize: QUEUE_SIZE,
      // We abort ourselves (below), so that a failing abort cannot hide why the upload failed.
      leavePartsOnError: true,
    });
    try {
      await upload.done();
    } catch (err) {
      // Upload stops reading on failure; release the source so the caller's pipeline does not hang.
      body.destroy();
      if (upload.uploadId) await this.abortParts(key, upload.uploadId, err);
      throw err;
    }
    const info = await this.head(key);
    if (!info) throw new BlobNotFoundError(key);
    if (options.size !== undefined && info.size !== options.size) {
      await this.delete(key);
      throw new Error(`Expected ${options.size} bytes for ${key}, stored ${info.size}`);
    }
    return info;
  }

  /** Parts of a failed multipart upload are deleted, so nothing half-written stays in the bucket (or on the bill). */
  private async abortParts(key: string, uploadId: string, cause: unknown): Promise<void> {
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }));
    } catch (abortError) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new AggregateError([cause, abortError], `Upload of ${key} failed (${reason}), and aborting its parts failed too`);
    }
  }

  async getStream(key: string, range?: ByteRange): Promise<Readable> {
    assertValidKey(key);
    checkRange(range);
    try {
      const result = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Range: range ? `bytes=${range.start}-${range.end ?? ''}` : undefined,
        }),
      );
      // In Node the SDK's body is an IncomingMessage; anything else means a browser runtime.
      if (!(result.Body instanceof Readable)) throw new Error('S3 returned a body that is not a Node stream');
      return result.Body;
    } catch (err) {
      if (isNotFound(err)) throw new BlobNotFoundError(key);
      throw err;
    }
  }

  async head(key: string): Promise<BlobInfo | null> {
    assertValidKey(key);
    try {
      const result = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        key,
        size: result.ContentLength ?? 0,
        contentType: result.ContentType ?? 'application/octet-stream',
        lastModified: result.LastModified ?? new Date(0),
      };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async signedUrl(key: string, options: SignedUrlOptions): Promise<string> {
    assertValidKey(key);
    checkExpiry(options.expiresInSeconds);
    // S3 cannot send nosniff, so active types (HTML, SVG …) are at least never shown inline.
    const disposition =
      options.contentType || options.downloadName ? dispositionFor(options.contentType ?? 'application/octet-stream', options.downloadName) : null;
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ResponseContentType: options.contentType,
      ResponseContentDisposition: disposition ?? undefined,
    });
    return getSignedUrl(this.signer, command, { expiresIn: options.expiresInSeconds });
  }

  async ping(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }

  async close(): Promise<void> {
    this.client.destroy();
    if (this.signer !== this.client) this.signer.destroy();
  }
}

/** GetObject answers NoSuchKey; HeadObject has no body, so only its 404 tells. */
function isNotFound(err: unknown): boolean {
  if (!(err instanceof S3ServiceException) || err.name === 'NoSuchBucket') return false;
  return err.name === 'NoSuchKey' || err.name === 'NotFound' || err.$metadata.httpStatusCode === 404;
}
