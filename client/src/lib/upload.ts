import type { ZodType } from 'zod';
import { errorResponseSchema } from '../../../shared/api/errors.ts';
import { ApiError, apiErrorFrom } from './http.ts';

export interface UploadProgress {
  /** Bytes of the request body sent so far. */
  loaded: number;
  /** Bytes of the whole request body (multipart framing included). */
  total: number;
}

interface MultipartOptions {
  onProgress?: (progress: UploadProgress) => void;
  /** All bytes are sent; the server is still processing (resizing images, for instance). */
  onSent?: () => void;
  signal?: AbortSignal;
}

/**
 * POSTs a multipart form with XMLHttpRequest rather than fetch: only XHR reports upload
 * progress in today's browsers. Errors are the same typed ApiErrors as `http`'s.
 */
export function postMultipart<T>(path: string, form: FormData, schema: ZodType<T>, options: MultipartOptions = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) options.onProgress?.({ loaded: event.loaded, total: event.total });
    };
    xhr.upload.onload = () => options.onSent?.();
    xhr.onerror = () => reject(new ApiError('network_error', 0, 'Network error during upload'));
    xhr.onabort = () => reject(new DOMException('The upload was cancelled', 'AbortError'));
    xhr.onload = () => {
      let payload: unknown;
      try {
        payload = JSON.parse(xhr.responseText);
      } catch {
        payload = undefined;
      }
      if (xhr.status < 200 || xhr.status >= 300) {
        const parsed = errorResponseSchema.safeParse(payload);
        if (parsed.success) {
          reject(apiErrorFrom(xhr.status, parsed.data.error));
          return;
        }
        // A proxy in front of the server may answer 413 itself, without our JSON shape.
        if (xhr.status === 413) reject(new ApiError('payload_too_large', 413, 'Payload too large'));
        else reject(new ApiError(xhr.status >= 500 ? 'internal_error' : 'unexpected_response', xhr.status, `HTTP ${xhr.status}`));
        return;
      }
      const parsed = schema.safeParse(payload);
      if (!parsed.success) {
        console.error(`Unexpected answer from POST ${path}`, parsed.error.issues);
        reject(new ApiError('unexpected_response', xhr.status, `Unexpected answer from POST ${path}`));
        return;
      }
      resolve(parsed.data);
    };
    options.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(form);
  });
}

/**
 * Progress of each file (0…1) within one multipart body. The parts go over the wire in order,
 * so the bytes sent so far cover the leading fields, then file 1, file 2 …; the multipart
 * framing (a few hundred bytes per part) is spread proportionally.
 */
export function perFileProgress(progress: UploadProgress, leadingBytes: number, fileSizes: readonly number[]): number[] {
  const payload = leadingBytes + fileSizes.reduce((a, b) => a + b, 0);
  const sent = progress.total > 0 ? (progress.loaded / progress.total) * payload : 0;
  let offset = leadingBytes;
  return fileSizes.map((size) => {
    const start = offset;
    offset += size;
    if (size === 0) return sent >= start ? 1 : 0;
    return Math.min(1, Math.max(0, (sent - start) / size));
  });
}
