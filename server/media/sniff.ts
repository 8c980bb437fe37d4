import { fileTypeFromFile } from 'file-type';
import { ACCEPTED_SUMMARY } from '../../shared/media-types.ts';
import { HttpError, PayloadTooLarge } from '../http/errors.ts';

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'avif';

/** What an upload was recognised as. For audio and video the kind is provisional until ffprobe has seen the streams. */
export type AcceptedType =
  { kind: 'image'; mime: string; format: ImageFormat } | { kind: 'audio' | 'video'; mime: string; ext: string } | { kind: 'file'; mime: string; ext: string };

/**
 * The allow-list, keyed by file-type's `ext`. Keyed by ext rather than MIME because file-type reports
 * every unrecognised ISO-BMFF brand as `video/mp4` but with its own ext (m4p, f4v …), which we refuse.
 * Left out on purpose: SVG and HTML (scripts), HEIC (sharp's prebuilt libvips cannot decode HEVC),
 * plain ZIP and legacy CFB office files (any content, incl. installers), TIFF, Ogg video, Matroska.
 * `ext` is the container the ffmpeg remux writes, which picks the muxer.
 */
export const ALLOWED: Readonly<Record<string, AcceptedType>> = {
  jpg: { kind: 'image', mime: 'image/jpeg', format: 'jpeg' },
  png: { kind: 'image', mime: 'image/png', format: 'png' },
  webp: { kind: 'image', mime: 'image/webp', format: 'webp' },
  gif: { kind: 'image', mime: 'image/gif', format: 'gif' },
  avif: { kind: 'image', mime: 'image/avif', format: 'avif' },
  mp3: { kind: 'audio', mime: 'audio/mpeg', ext: 'mp3' },
  // audio/x-m4a is what file-type says; audio/mp4 is the registered name browsers expect.
  m4a: { kind: 'audio', mime: 'audio/mp4', ext: 'm4a' },
  aac: { kind: 'audio', mime: 'audio/aac', ext: 'aac' },
  ogg: { kind: 'audio', mime: 'audio/ogg', ext: 'ogg' },
  oga: { kind: 'audio', mime: 'audio/ogg', ext: 'ogg' },
  opus: { kind: 'audio', mime: 'audio/ogg', ext: 'opus' },
  wav: { kind: 'audio', mime: 'audio/wav', ext: 'wav' },
  // file-type calls every WebM and MP4 video; ffprobe decides (audio-only ones become audio/webm, audio/mp4).
  webm: { kind: 'video', mime: 'video/webm', ext: 'webm' },
  mp4: { kind: 'video', mime: 'video/mp4', ext: 'mp4' },
  m4v: { kind: 'video', mime: 'video/mp4', ext: 'mp4' },
  mov: { kind: 'video', mime: 'video/quicktime', ext: 'mov' },
  pdf: { kind: 'file', mime: 'application/pdf', ext: 'pdf' },
  docx: { kind: 'file', mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', ext: 'docx' },
  xlsx: { kind: 'file', mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', ext: 'xlsx' },
  pptx: { kind: 'file', mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', ext: 'pptx' },
  odt: { kind: 'file', mime: 'application/vnd.oasis.opendocument.text', ext: 'odt' },
  ods: { kind: 'file', mime: 'application/vnd.oasis.opendocument.spreadsheet', ext: 'ods' },
  odp: { kind: 'file', mime: 'application/vnd.oasis.opendocument.presentation', ext: 'odp' },
};

export class UnsupportedMediaType extends HttpError {
  constructor(message: string) {
    super(415, 'unsupported_media_type', message);
  }
}

/** Recognises a file by its bytes only; the name and the browser's claimed type are never consulted. */
export async function sniff(filePath: string, originalName: string): Promise<AcceptedType> {
  const detected = await fileTypeFromFile(filePath);
  const accepted = detected ? ALLOWED[detected.ext] : undefined;
  if (accepted) return accepted;
  const what = detected ? `${detected.mime} (.${detected.ext})` : 'an unknown type';
  throw new UnsupportedMediaType(`Cannot upload ${quoteName(originalName) ?? 'this file'}: its content is ${what}. ${ACCEPTED_SUMMARY}`);
}

const NOUNS = { image: 'image', audio: 'audio file', video: 'video', file: 'file' } as const;

export function checkSize(kind: keyof typeof NOUNS, size: number, limit: number, originalName: string): void {
  if (size <= limit) return;
  const name = quoteName(originalName);
  throw new PayloadTooLarge(`The ${NOUNS[kind]}${name ? ` ${name}` : ''} is too large: the limit is ${formatBytes(limit)}.`);
}

/** Limits are configured in MB (MiB); tiny limits (tests, strict setups) still read sensibly. */
export function formatBytes(bytes: number): string {
  const MB = 1024 * 1024;
  if (bytes >= MB) return `${trim(bytes / MB)} MB`;
  if (bytes >= 1024) return `${trim(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

function trim(n: number): string {
  return String(Math.round(n * 10) / 10);
}

/**
 * Bidirectional controls (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI, LRM, RLM, ALM): with them
 * "kuvaU+202Egpj.exe" displays as "kuvaexe.jpg", a name posing as another type.
 */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;

/** A file name as we keep and show it: no control or bidirectional control characters. */
export function safeFileName(name: string): string {
  return [...name.replace(BIDI_CONTROLS, '')]
    .filter((c) => c >= ' ' && c !== '\u007f')
    .join('')
    .trim();
}

/** Names are user input of any length: shortened so an error message stays readable. */
export function quoteName(name: string): string | null {
  // Control characters would let a name forge lines in logs or the UI.
  const clean = safeFileName(name);
  if (!clean) return null;
  return clean.length > 80 ? `"${clean.slice(0, 77)}…"` : `"${clean}"`;
}
