import type { MediaVariant } from '../../../../shared/portfolio.ts';

/** One stored variant of a media item, as the archive names it. */
export interface ArchiveFile {
  /** `files/<sha256>.<ext>` */
  path: string;
  blobKey: string;
  sha256: string;
  size: number;
  mime: string;
}

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/avif': 'avif',
  'image/heic': 'heic',
  'image/svg+xml': 'svg',
  'audio/mp4': 'm4a',
  'audio/mpeg': 'mp3',
  'audio/webm': 'weba',
  'audio/ogg': 'ogg',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/flac': 'flac',
  'video/mp4': 'mp4',
  'video/webm': 'webm',
  'video/quicktime': 'mov',
  'video/ogg': 'ogv',
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/vnd.oasis.opendocument.presentation': 'odp',
  'application/vnd.oasis.opendocument.spreadsheet': 'ods',
  'application/rtf': 'rtf',
  'text/plain': 'txt',
};

/** The file extension the archive gives a media type; `bin` for anything unknown. */
function extensionFor(mime: string): string {
  // Parameters do not change the type: text is stored as `text/plain; charset=utf-8`.
  return EXTENSIONS[(mime.split(';')[0] ?? '').trim().toLowerCase()] ?? 'bin';
}

/**
 * The type of a stored variant. The pipeline writes display, thumb and poster as WebP; the original
 * keeps the item's type. (Rows written outside the pipeline may point a thumb at the original's
 * bytes: the archive then names that one file once, by the first variant that had it.)
 */
export function variantMime(variant: MediaVariant, itemMime: string): string {
  return variant === 'original' ? itemMime : 'image/webp';
}

export function archivePath(sha256: string, mime: string): string {
  return `files/${sha256}.${extensionFor(mime)}`;
}
