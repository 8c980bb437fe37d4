import { createReadStream } from 'node:fs';
import path from 'node:path';
import { fileTypeFromFile } from 'file-type';
import { ACCEPTED_SUMMARY } from '../../shared/media-types.ts';
import { HttpError, PayloadTooLarge } from '../http/errors.ts';

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'avif';

/** What an upload was recognised as. For audio and video the kind is provisional until ffprobe has seen the streams. */
export type AcceptedType =
  | { kind: 'image'; mime: string; format: ImageFormat }
  | { kind: 'audio' | 'video'; mime: string; ext: string }
  | { kind: 'file'; mime: string; ext: string; text?: TextEncoding };

/** Plain text as found: UTF-8 is stored as it is, Windows-1252 (old Windows and Mahara exports) converted to UTF-8. */
export type TextEncoding = 'utf-8' | 'windows-1252';

/** Plain text is stored and served as this, never as anything a browser would render as a document. */
export const TEXT_MIME = 'text/plain; charset=utf-8';

/**
 * The allow-list, keyed by file-type's `ext`. Keyed by ext rather than MIME because file-type reports
 * every unrecognised ISO-BMFF brand as `video/mp4` but with its own ext (m4p, f4v …), which we refuse.
 * Left out on purpose: SVG and HTML (scripts), plain ZIP and legacy CFB office files (any content,
 * incl. installers), TIFF. HEIC is refused by name (UNREADABLE below). `ext` is the container ffmpeg
 * reads it as; 3GP, Matroska, AMR, Ogg video and FLAC are always transcoded (pipeline.ts), the others
 * only when their codecs do not play in browsers. Plain text has no signature: see sniffText.
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
  '3gp': { kind: 'video', mime: 'video/3gpp', ext: '3gp' },
  '3g2': { kind: 'video', mime: 'video/3gpp2', ext: '3gp' },
  mkv: { kind: 'video', mime: 'video/x-matroska', ext: 'mkv' },
  ogv: { kind: 'video', mime: 'video/ogg', ext: 'ogv' },
  amr: { kind: 'audio', mime: 'audio/amr', ext: 'amr' },
  flac: { kind: 'audio', mime: 'audio/flac', ext: 'flac' },
  rtf: { kind: 'file', mime: 'application/rtf', ext: 'rtf' },
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

/**
 * Formats people do send but this server cannot decode: refused by name, so that the pupil knows what
 * to change. HEIC (iPhone photos): the prebuilt libvips in sharp decodes only AV1 HEIF (AVIF), and
 * ffmpeg 5 has no HEIF reader.
 */
const UNREADABLE: Readonly<Record<string, { format: string; advice: string }>> = {
  heic: {
    format: 'HEIC',
    advice: 'Save the photo as JPEG and upload it again (on an iPhone: Settings → Camera → Formats → Most Compatible).',
  },
};

/** A file that would be accepted if the server could decode its format; 415 with the format's name. */
export class UnreadableFormat extends UnsupportedMediaType {
  constructor(
    readonly format: string,
    originalName: string,
    advice: string,
  ) {
    super(`Cannot upload ${quoteName(originalName) ?? 'this file'}: ${format} files cannot be read on this server. ${advice}`);
    this.reason = 'media_format_unreadable';
    this.reasonParams = { format };
  }
}

/**
 * Recognises a file by its bytes; the browser's claimed type is never consulted. The name matters
 * only for plain text, which has no signature: a `.txt`, `.csv` or `.md` is text when its bytes are.
 */
export async function sniff(filePath: string, originalName: string): Promise<AcceptedType> {
  const detected = await fileTypeFromFile(filePath);
  const accepted = detected ? ALLOWED[detected.ext] : undefined;
  if (accepted) return accepted;
  const unreadable = detected ? UNREADABLE[detected.ext] : undefined;
  if (unreadable) throw new UnreadableFormat(unreadable.format, originalName, unreadable.advice);
  // file-type calls text beginning with "<?xml" XML; as plain text it is served inert all the same.
  if ((!detected || detected.ext === 'xml') && TEXT_EXTENSIONS.has(path.extname(originalName).toLowerCase())) {
    const text = await sniffText(filePath);
    if (text) return { kind: 'file', mime: TEXT_MIME, ext: 'txt', text };
  }
  const what = detected ? `${detected.mime} (.${detected.ext})` : 'an unknown type';
  throw new UnsupportedMediaType(`Cannot upload ${quoteName(originalName) ?? 'this file'}: its content is ${what}. ${ACCEPTED_SUMMARY}`);
}

export const TEXT_EXTENSIONS: ReadonlySet<string> = new Set(['.txt', '.csv', '.md']);

/**
 * Whether every byte is text: valid UTF-8, or else single-byte text (Windows-1252). A NUL, or any
 * C0 control other than tab, line feed, form feed, carriage return and escape, means binary.
 * Streamed, so a large file is never held in memory; the caller's size limit bounds the reading.
 */
async function sniffText(filePath: string): Promise<TextEncoding | null> {
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let validUtf8 = true;
  for await (const chunk of createReadStream(filePath)) {
    const bytes = chunk as Buffer;
    for (const byte of bytes) if (byte < 0x20 && !TEXT_CONTROLS.has(byte)) return null;
    if (!validUtf8) continue;
    try {
      utf8.decode(bytes, { stream: true });
    } catch {
      validUtf8 = false;
    }
  }
  if (validUtf8) {
    try {
      utf8.decode();
    } catch {
      validUtf8 = false;
    }
  }
  return validUtf8 ? 'utf-8' : 'windows-1252';
}

const TEXT_CONTROLS = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1b]);

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
