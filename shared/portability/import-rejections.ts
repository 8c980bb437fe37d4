/**
 * Why an archive was refused as a whole (HTTP 422 `import_rejected` with `reason` = the code and
 * `reasonParams`; a failed import job's `error`). The client words them with
 * `imports.rejected.<code>` (and `<code>_<context>` where the params name a context) in fi/sv/en;
 * the server's English message comes from the table below, which en.json repeats word for word.
 */
import { type MessageParams, cleanParams, formatMessage } from './import-messages.ts';

type NoParams = Record<never, never>;

/** The params of each code; `context` picks a more precise sentence (i18next's context). Sizes are bytes. */
export interface ImportRejectedParams {
  'too-large': { context: 'archive'; size: number; max: number } | { context: 'file'; file: string; max: number } | { context: 'media'; file: string };
  'zip-bomb':
    | { context: 'total'; max: number }
    | { context: 'ratio'; file: string; size: number; packed: number; ratio: number }
    | { context: 'overrun'; file: string; size: number };
  'too-many-entries': { entries: number; max: number };
  'unsafe-path': { context: 'empty' } | { context: 'backslash' | 'absolute' | 'outside' | 'control'; file: string };
  symlink: { file: string };
  'duplicate-name': { file: string };
  'unsupported-zip': { context: 'password' | 'compression'; file: string };
  truncated: NoParams | { context: 'entry'; file: string };
  'xml-dtd': { file: string };
  'xml-too-deep': { file: string; max: number };
  'xml-too-complex': { context: 'elements' | 'attributes'; file: string; max: number };
  'xml-malformed': { file: string } | { context: 'line'; file: string; line: number };
  'invalid-utf8': { file: string };
  'unknown-format': NoParams | { context: 'zip' } | { context: 'xml'; file: string };
  'invalid-document': NoParams | { context: 'version'; version: string; expected: number } | { context: 'schema'; field: string };
  'checksum-mismatch': { file: string };
  'missing-file': { file: string } | { context: 'manifest' } | { context: 'listed'; file: string };
  'media-damaged': { file: string };
  'target-invalid': NoParams | { context: 'school' } | { context: 'group' };
}
export type ImportRejectedCode = keyof ImportRejectedParams;

export const IMPORT_REJECTED_CODES = [
  'too-large',
  'zip-bomb',
  'too-many-entries',
  'unsafe-path',
  'symlink',
  'duplicate-name',
  'unsupported-zip',
  'truncated',
  'xml-dtd',
  'xml-too-deep',
  'xml-too-complex',
  'xml-malformed',
  'invalid-utf8',
  'unknown-format',
  'invalid-document',
  'checksum-mismatch',
  'missing-file',
  'media-damaged',
  'target-invalid',
] as const satisfies readonly ImportRejectedCode[];

const everyCodeListed: Exclude<ImportRejectedCode, (typeof IMPORT_REJECTED_CODES)[number]> extends never ? true : never = true;
void everyCodeListed;

export function isImportRejectedCode(value: unknown): value is ImportRejectedCode {
  return typeof value === 'string' && (IMPORT_REJECTED_CODES as readonly string[]).includes(value);
}

/** English, in i18next's syntax. Every code has a plain key, the fallback for a context without its own. */
export const IMPORT_REJECTIONS_EN = {
  'too-large': 'The file is too large to import.',
  'too-large_archive': 'The archive is {{size, size}}; at most {{max, size}} can be imported.',
  'too-large_file': '“{{file}}” is larger than {{max, size}}, more than Polku imports.',
  'too-large_media': 'The file “{{file}}” in the archive is too large to import.',
  'zip-bomb': 'The archive would unpack to far more than its size; it may be a ZIP bomb and is not imported.',
  'zip-bomb_total': 'The archive would unpack to more than {{max, size}}, which is more than Polku imports; it may be a ZIP bomb.',
  'zip-bomb_ratio':
    '“{{file}}” would unpack to {{size, size}} from {{packed, size}}, more than {{ratio}} times its packed size; the archive may be a ZIP bomb and is not imported.',
  'zip-bomb_overrun': '“{{file}}” unpacks to more bytes than its header declares ({{size, size}}); the archive may be a ZIP bomb and is not imported.',
  'too-many-entries': 'The archive contains {{entries, number}} or more files; at most {{max, number}} can be imported.',
  'unsafe-path': 'The archive contains a file name that is not allowed; such archives cannot be imported.',
  'unsafe-path_empty': 'The archive contains a file with an empty name; such archives cannot be imported.',
  'unsafe-path_backslash': 'The archive contains a file named “{{file}}”, which uses backslashes as folder separators; such archives cannot be imported.',
  'unsafe-path_absolute': 'The archive contains a file named “{{file}}”, which is an absolute path; such archives cannot be imported.',
  'unsafe-path_outside': 'The archive contains a file named “{{file}}”, which points outside the archive with ".."; such archives cannot be imported.',
  'unsafe-path_control': 'The archive contains a file named “{{file}}”, which contains control characters; such archives cannot be imported.',
  symlink: 'The archive contains a symbolic link (“{{file}}”); archives with links cannot be imported.',
  'duplicate-name':
    'The archive contains “{{file}}” more than once (names differing only in upper and lower case count as the same); it cannot be imported safely.',
  'unsupported-zip': 'The archive uses a ZIP feature Polku cannot read; save it again as an ordinary ZIP file.',
  'unsupported-zip_password': 'The archive is password-protected (“{{file}}”); export it again without a password.',
  'unsupported-zip_compression': 'The archive uses a compression method Polku cannot read (“{{file}}”); save it again as an ordinary ZIP file.',
  truncated: 'The archive is damaged or incomplete: its table of contents cannot be read. Download or copy the file again.',
  truncated_entry: 'The archive is damaged or incomplete: “{{file}}” cannot be read. Download or copy the file again.',
  'xml-dtd':
    '“{{file}}” contains a document type declaration (DOCTYPE). Polku does not read DTDs or entities in imported files, for safety; export the file again without one.',
  'xml-too-deep': '“{{file}}” nests its elements more than {{max, number}} levels deep, more than Polku reads; it is not imported.',
  'xml-too-complex': '“{{file}}” has more elements or attributes than Polku reads; it is not imported.',
  'xml-too-complex_elements': '“{{file}}” has more than {{max, number}} elements, more than Polku reads; it is not imported.',
  'xml-too-complex_attributes': '“{{file}}” has an element with more than {{max, number}} attributes, more than Polku reads; it is not imported.',
  'xml-malformed': '“{{file}}” is not well-formed XML.',
  'xml-malformed_line': '“{{file}}” is not well-formed XML (the error is on line {{line}}).',
  'invalid-utf8': '“{{file}}” is not valid UTF-8 text. Polku imports text in UTF-8 only; the file may be damaged or saved in another encoding.',
  'unknown-format': 'The file is neither a ZIP archive nor an XML file. Polku imports its own export archives and LEAP2A files (for example from Mahara).',
  'unknown-format_zip':
    'The ZIP file is neither a Polku export nor a LEAP2A archive: it has no portfolio.json or leap2a.xml at its top level. Google Takeout downloads (a Takeout folder) and Seesaw journal downloads (with their index.html) are imported too.',
  'unknown-format_xml':
    '“{{file}}” is not a LEAP2A feed: it is XML, but not an Atom feed. Polku imports its own ZIP archives and LEAP2A (for example from Mahara).',
  'invalid-document': 'portfolio.json is not valid JSON; the archive may be damaged.',
  'invalid-document_version': 'The archive uses version {{version}} of the Polku portfolio format; this Polku reads version {{expected}}.',
  'invalid-document_schema': 'portfolio.json is not a valid Polku portfolio: the field {{field}} is wrong.',
  'checksum-mismatch': 'The file “{{file}}” does not match its checksum: the archive was changed or damaged after it was made.',
  'missing-file': 'The archive has no file “{{file}}”.',
  'missing-file_manifest': 'The archive has no SHA256SUMS file, so its content cannot be checked.',
  'missing-file_listed': 'SHA256SUMS lists “{{file}}”, but the archive does not contain it.',
  'media-damaged': 'The file “{{file}}” in the archive cannot be imported: it is damaged or not what it claims to be.',
  'target-invalid': 'The pupil to import into was not found, or the account is not a pupil’s.',
  'target-invalid_school': 'The school to create the new account in was not found.',
  'target-invalid_group': 'The group to place the new account in is not a group of its school.',
} as const;

/** Params as they travel (names from the archive cleaned), and the English message. */
export function rejectionMessage(code: ImportRejectedCode, params: ImportRejectedParams[ImportRejectedCode]): { params: MessageParams; message: string } {
  const clean = cleanParams(params);
  return { params: clean, message: formatMessage(IMPORT_REJECTIONS_EN, code, clean) };
}
