/**
 * Why an archive was refused as a whole. Every code comes with a message a person can act on; the
 * routes layer answers 422 with it. Nothing has been written when this is thrown.
 */
export type ImportRejectedCode =
  | 'too-large'
  | 'zip-bomb'
  | 'too-many-entries'
  | 'unsafe-path'
  | 'symlink'
  | 'duplicate-name'
  | 'unsupported-zip'
  | 'truncated'
  | 'xml-dtd'
  | 'xml-malformed'
  | 'invalid-utf8'
  | 'unknown-format'
  | 'invalid-document'
  | 'checksum-mismatch'
  | 'missing-file'
  | 'media-damaged'
  | 'target-invalid';

export class ImportRejected extends Error {
  constructor(
    readonly code: ImportRejectedCode,
    message: string,
  ) {
    super(message);
    this.name = 'ImportRejected';
  }
}

/** Names from an archive are untrusted: control characters out and length capped before they reach a message. */
export function quoteEntry(name: string): string {
  const clean = [...name].filter((c) => c >= ' ' && c !== '\u007f').join('');
  return `"${clean.length > 80 ? `${clean.slice(0, 77)}…` : clean}"`;
}

export function formatSize(bytes: number): string {
  const GB = 1024 ** 3;
  const MB = 1024 ** 2;
  if (bytes >= GB) return `${Math.round((bytes / GB) * 10) / 10} GB`;
  if (bytes >= MB) return `${Math.round((bytes / MB) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KB`;
  return `${bytes} bytes`;
}
