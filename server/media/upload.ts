import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Request, RequestHandler } from 'express';
import multer from 'multer';
import { BadRequest, PayloadTooLarge } from '../http/errors.ts';
import { formatBytes, quoteName } from './sniff.ts';

export interface UploadOptions {
  /** Where upload files land; created when missing. */
  tmpDir: string;
  /** The largest single file in bytes (the largest per-kind limit; the pipeline checks each kind). */
  maxFileBytes: number;
  maxFiles: number;
  /** Multipart field holding the files (default `files`). */
  fieldName?: string;
}

/**
 * The first state of an upload: bytes stream to a temp file (never into memory) under a random name;
 * other multipart text fields land in `req.body` as usual, files in `req.files`.
 *
 * Upload files live as long as the request: they are removed when the response has been sent,
 * whatever the handler did, so a handler that throws cannot leak them. A handler that hands a file
 * to a background job must move it out of `tmpDir` (rename) first.
 */
export function uploadMiddleware(options: UploadOptions): RequestHandler {
  const tmpDir = path.resolve(options.tmpDir);
  const fieldName = options.fieldName ?? 'files';
  // Per request, every path multer was told to write, so partial files can be removed on error too.
  const written = new WeakMap<Request, string[]>();
  const storage = multer.diskStorage({
    destination: (_req, _file, cb) => {
      mkdir(tmpDir, { recursive: true }).then(
        () => cb(null, tmpDir),
        (err: Error) => cb(err, tmpDir),
      );
    },
    filename: (req, _file, cb) => {
      // Never the client's name: it can hold path separators, and it is only a label for us.
      const name = `upload-${randomUUID()}`;
      written.get(req)?.push(path.join(tmpDir, name));
      cb(null, name);
    },
  });
  const upload = multer({
    storage,
    // Without this multer decodes file names as Latin-1, and "Äänitys.m4a" would arrive garbled.
    defParamCharset: 'utf8',
    limits: { fileSize: options.maxFileBytes, files: options.maxFiles, fields: 100, parts: options.maxFiles + 100 },
  }).array(fieldName, options.maxFiles);

  return (req, res, next) => {
    const paths: string[] = [];
    written.set(req, paths);
    res.once('close', () => void removeFiles(paths));
    upload(req, res, (err: unknown) => {
      if (!err) return next();
      // Multer removes what it wrote; this is the belt to its braces for partial files.
      void removeFiles(paths).then(() => next(toUploadError(err, options, fieldName)));
    });
  };
}

async function removeFiles(paths: readonly string[]): Promise<void> {
  await Promise.all(paths.map((p) => rm(p, { force: true }).catch(() => undefined)));
}

function toUploadError(err: unknown, options: UploadOptions, fieldName: string): unknown {
  if (err instanceof multer.MulterError) {
    switch (err.code) {
      case 'LIMIT_FILE_SIZE': {
        const name = quoteName(fileNameOf(err));
        return new PayloadTooLarge(`This file${name ? ` (${name})` : ''} is too large: the limit is ${formatBytes(options.maxFileBytes)}.`);
      }
      case 'LIMIT_FILE_COUNT':
        return new BadRequest(`Too many files: at most ${options.maxFiles} can be uploaded at once.`);
      case 'LIMIT_UNEXPECTED_FILE':
        return err.field === fieldName
          ? new BadRequest(`Too many files: at most ${options.maxFiles} can be uploaded at once.`)
          : new BadRequest(`Files must be sent in the "${fieldName}" form field.`);
      case 'LIMIT_PART_COUNT':
      case 'LIMIT_FIELD_COUNT':
        return new BadRequest('The form has too many fields.');
      case 'LIMIT_FIELD_KEY':
      case 'LIMIT_FIELD_VALUE':
        return new BadRequest('A form field is too long.');
      default:
        return new BadRequest('The upload form is not valid.');
    }
  }
  // File-system errors (disk full …) carry a code and are ours: they stay 500s.
  if (err instanceof Error && 'code' in err) return err;
  // Everything else comes from parsing the body: a malformed or interrupted multipart request.
  return new BadRequest('The upload was interrupted or is not a valid multipart form.');
}

/** multer 2 adds the client's file name to size errors; its type definitions do not know yet. */
function fileNameOf(err: multer.MulterError): string {
  const { filename } = err as { filename?: unknown };
  return typeof filename === 'string' ? filename : '';
}
