import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { Request, RequestHandler } from 'express';
import multer from 'multer';
import type { Actor } from '../auth/actor.ts';
import { BadRequest, HttpError, PayloadTooLarge, Unauthenticated } from '../http/errors.ts';
import { formatBytes, quoteName } from './sniff.ts';
import { tempName } from './temp-files.ts';

/** Room for the form's text fields and multipart boundaries beside the largest file. */
const FORM_OVERHEAD_BYTES = 1024 * 1024;

export interface UploadOptions {
  /** Where upload files land; created when missing. */
  tmpDir: string;
  /** The largest single file in bytes (the largest per-kind limit; the pipeline checks each kind). */
  maxFileBytes: number;
  maxFiles: number;
  /** Multipart field holding the files (default `files`). */
  fieldName?: string;
  /** The whole request body in bytes (default: the largest file plus 1 MB for the form around it). */
  maxRequestBytes?: number;
  /**
   * Runs before a single byte of the body is read, with the signed-in actor and the route's params:
   * throws (NotFound, Forbidden, ValidationFailed …) when this actor may not upload to this target.
   * Required, so that no upload route can forget to check who is sending before the body lands on disk.
   */
  authorize: (actor: Actor, req: Request) => Promise<void> | void;
  /**
   * When the target is named in the form itself (an import's `data`): runs with the text fields sent
   * so far when the first file part begins, before any of its bytes are written. Forms must therefore
   * send their fields before their files, as the client and every browser form do.
   */
  authorizeFields?: (actor: Actor, fields: Record<string, unknown>) => Promise<void> | void;
  /**
   * Text fields the form may carry before its files (default 100 of up to 1 MB each). A form whose target
   * is only checked at its first file (authorizeFields) should allow just what it needs, so that an
   * unauthorised sender cannot make the server read megabytes of fields first.
   */
  fieldLimits?: { fields: number; fieldSize: number };
}

/**
 * The first state of an upload, and the only way the server reads a multipart body. In this order:
 * the sender must be signed in (401) and allowed to upload to the target (`authorize`), and the
 * declared Content-Length must fit the request limit (413); only then is the body read, its bytes
 * counted against the same limit as they arrive (a chunked or lying request is cut off with 413).
 * Every refusal before the body closes the connection instead of reading the rest.
 *
 * Bytes stream to a temp file (never into memory) under a random name; other multipart text fields
 * land in `req.body` as usual, files in `req.files`.
 *
 * Upload files live as long as the request: they are removed when the response has been sent,
 * whatever the handler did, so a handler that throws cannot leak them. A handler that hands a file
 * to a background job must move it out of `tmpDir` (rename) first.
 */
export function uploadMiddleware(options: UploadOptions): RequestHandler {
  const tmpDir = path.resolve(options.tmpDir);
  const fieldName = options.fieldName ?? 'files';
  const maxRequestBytes = options.maxRequestBytes ?? options.maxFileBytes + FORM_OVERHEAD_BYTES;
  // Per request, every path multer was told to write, so partial files can be removed on error too.
  const written = new WeakMap<Request, string[]>();
  const fieldsChecked = new WeakSet<Request>();
  // Per request, how to answer at once when the body must not be read on (multer would drain it first).
  const stops = new WeakMap<object, (err: unknown) => void>();
  const storage = multer.diskStorage({
    destination: (_req, _file, cb) => {
      mkdir(tmpDir, { recursive: true }).then(
        () => cb(null, tmpDir),
        (err: Error) => cb(err, tmpDir),
      );
    },
    filename: (req, _file, cb) => {
      // Never the client's name: it can hold path separators, and it is only a label for us.
      const name = tempName('upload');
      written.get(req)?.push(path.join(tmpDir, name));
      cb(null, name);
    },
  });
  const multerOptions: multer.Options & { streamHandler: (req: Readable, busboy: Writable) => void } = {
    storage,
    // Without this multer decodes file names as Latin-1, and "Äänitys.m4a" would arrive garbled.
    defParamCharset: 'utf8',
    fileFilter: (req, _file, cb) => {
      const check = options.authorizeFields;
      const actor = req.actor;
      if (!check || !actor || fieldsChecked.has(req)) return cb(null, true);
      fieldsChecked.add(req);
      Promise.resolve()
        .then(() => check(actor, { ...(req.body as Record<string, unknown>) }))
        .then(
          () => cb(null, true),
          (err: Error) => {
            stops.get(req)?.(err);
            cb(err);
          },
        );
    },
    limits: {
      fileSize: options.maxFileBytes,
      files: options.maxFiles,
      fields: options.fieldLimits?.fields ?? 100,
      fieldSize: options.fieldLimits?.fieldSize ?? 1024 * 1024,
      parts: options.maxFiles + (options.fieldLimits?.fields ?? 100),
    },
    // multer 2 feeds busboy through this (its type definitions do not know it yet).
    streamHandler: (req, busboy) => countBytes(req, busboy, maxRequestBytes, (err) => stops.get(req)?.(err)),
  };
  const upload = multer(multerOptions).array(fieldName, options.maxFiles);

  return (req, res, next) => {
    const refuse = (err: unknown) => {
      // The body was not read (or not all of it) and will not be: close the connection rather than drain it.
      res.setHeader('Connection', 'close');
      next(err);
    };
    const actor = req.actor;
    if (!actor) return refuse(new Unauthenticated());
    Promise.resolve()
      .then(() => options.authorize(actor, req))
      .then(() => {
        const declared = Number(req.headers['content-length']);
        if (Number.isFinite(declared) && declared > maxRequestBytes) throw tooLarge(maxRequestBytes);
        const paths: string[] = [];
        written.set(req, paths);
        res.once('close', () => void removeFiles(paths));
        let settled = false;
        stops.set(req, (err) => {
          if (settled) return;
          settled = true;
          refuse(err);
        });
        upload(req, res, (err: unknown) => {
          if (settled) return;
          settled = true;
          if (!err) return next();
          // Multer removes what it wrote; this is the belt to its braces for partial files.
          void removeFiles(paths).then(() => next(toUploadError(err, options, fieldName)));
        });
      })
      .catch(refuse);
  };
}

function tooLarge(limit: number): PayloadTooLarge {
  return new PayloadTooLarge(`The upload is too large: at most ${formatBytes(limit)} can be sent at once.`);
}

/** Feeds the body to busboy, counting: past the limit the parser is stopped, which ends the upload with 413. */
function countBytes(req: Readable, busboy: Writable, limit: number, stop: (err: unknown) => void): void {
  let seen = 0;
  const onData = (chunk: Buffer) => {
    seen += chunk.length;
    if (seen <= limit) return;
    req.off('data', onData);
    req.unpipe(busboy);
    const err = tooLarge(limit);
    stop(err);
    busboy.destroy(err);
  };
  // Registered before the pipe, so a chunk over the limit is counted before busboy sees it.
  req.on('data', onData);
  req.pipe(busboy);
}

async function removeFiles(paths: readonly string[]): Promise<void> {
  await Promise.all(paths.map((p) => rm(p, { force: true }).catch(() => undefined)));
}

function toUploadError(err: unknown, options: UploadOptions, fieldName: string): unknown {
  if (err instanceof HttpError) return err;
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
