import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { rosterMessage, type RosterMessageCode, type RosterMessageParams } from '../../../shared/api/rosters.ts';
import { DEFAULT_IMPORT_LIMITS, ImportRejected } from '../portability/engine.ts';
import { SafeZip, type ZipLimits } from '../portability/import/safe-zip.ts';

const MiB = 1024 * 1024;

export interface RosterLimits {
  zip: ZipLimits;
  /** One CSV file, decoded in memory before it is parsed row by row. */
  maxCsvBytes: number;
  /** Rows per CSV file: a bound on time and memory, with a message saying what to do. */
  maxRows: number;
}

/**
 * The largest roster upload. A roster is CSV text in a ZIP: 20,000 users with their classes and guardians
 * are a few MB compressed, so 200 MiB leaves room for a district's file without letting an upload fill the disk
 * (the portfolio import's limit, meant for media, is gigabytes).
 */
export const ROSTER_MAX_UPLOAD_BYTES = 200 * MiB;

/** CSV archive limits: a roster has about ten files, each read whole within maxCsvBytes. */
export const DEFAULT_ROSTER_LIMITS: RosterLimits = Object.freeze({
  zip: Object.freeze({
    maxArchiveBytes: ROSTER_MAX_UPLOAD_BYTES,
    maxEntries: 200,
    maxTotalUncompressedBytes: 1024 * MiB,
    maxCompressionRatio: DEFAULT_IMPORT_LIMITS.maxCompressionRatio,
  }),
  maxCsvBytes: 64 * MiB,
  maxRows: 50_000,
});

/** The roster limits of a deployment: its import limit (IMPORT_MAX_MB) lowers the roster's upload limit too, never raises it. */
export function rosterLimits(importMaxBytes: number): RosterLimits {
  const maxArchiveBytes = Math.min(importMaxBytes, ROSTER_MAX_UPLOAD_BYTES);
  return { ...DEFAULT_ROSTER_LIMITS, zip: { ...DEFAULT_ROSTER_LIMITS.zip, maxArchiveBytes } };
}

/** The roster refused as a whole: nothing is written. The code and params word it in any language. */
export class RosterRejected extends Error {
  constructor(
    readonly code: RosterMessageCode,
    readonly params: RosterMessageParams = {},
  ) {
    super(rosterMessage(code, params));
    this.name = 'RosterRejected';
  }
}

/** The CSV files of a roster ZIP, found by name at the root or in one folder (case-insensitive). */
export class RosterZip {
  private constructor(
    private readonly zip: SafeZip,
    private readonly byName: ReadonlyMap<string, string>,
    private readonly limits: RosterLimits,
  ) {}

  static async open(filePath: string, limits: RosterLimits): Promise<RosterZip> {
    const head = Buffer.alloc(4);
    const handle = await open(filePath, 'r');
    try {
      await handle.read(head, 0, 4, 0);
    } finally {
      await handle.close();
    }
    if (head.toString('latin1', 0, 2) !== 'PK') throw new RosterRejected('not_zip');
    let zip: SafeZip;
    try {
      zip = await SafeZip.open(filePath, limits.zip);
    } catch (err) {
      if (err instanceof ImportRejected) throw new RosterRejected('archive', { detail: err.message });
      throw err;
    }
    const byName = new Map<string, string>();
    for (const entry of zip.entries) {
      if (entry.directory || entry.name.startsWith('__MACOSX/')) continue;
      const parts = entry.name.split('/');
      if (parts.length > 2) continue;
      const base = parts[parts.length - 1]!.toLowerCase();
      if (base.endsWith('.csv') && !byName.has(base)) byName.set(base, entry.name);
    }
    return new RosterZip(zip, byName, limits);
  }

  has(file: string): boolean {
    return this.byName.has(file.toLowerCase());
  }

  close(): void {
    this.zip.close();
  }

  /**
   * Reads one CSV row by row: the header names columns (matched case-insensitively); `required` columns must
   * all be there. Each row reaches `onRow` as a record of the lower-cased column names, with its line number.
   */
  async rows(file: string, required: readonly string[], onRow: (row: CsvRow, line: number) => void): Promise<void> {
    const name = this.byName.get(file.toLowerCase());
    if (!name) throw new RosterRejected('missing_file', { file });
    const maxMb = Math.round(this.limits.maxCsvBytes / MiB);
    const bytes = await this.zip
      .readBuffer(name, this.limits.maxCsvBytes, () => new ImportRejected('too-large', { context: 'archive', size: 0, max: 0 }))
      .catch((err: unknown) => {
        if (err instanceof ImportRejected && err.code === 'too-large') throw new RosterRejected('file_too_large', { file, max: maxMb });
        if (err instanceof ImportRejected) throw new RosterRejected('archive', { detail: err.message });
        throw err;
      });
    await parseCsv(file, decodeText(file, bytes), required, this.limits.maxRows, onRow);
  }
}

export type CsvRow = Readonly<Record<string, string>>;

/**
 * Text of a CSV file: UTF-8 (with or without a BOM), UTF-16 with a BOM, or, failing UTF-8, Windows-1252
 * (what Excel on Windows writes: "Mäkelä" arrives as E4, not C3 A4). Control characters that no text has are refused.
 */
export function decodeText(file: string, bytes: Buffer): string {
  let text: string;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) text = utf8(bytes.subarray(3)) ?? '\u0000';
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) text = new TextDecoder('utf-16le').decode(bytes.subarray(2));
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) text = new TextDecoder('utf-16be').decode(bytes.subarray(2));
  else text = utf8(bytes) ?? new TextDecoder('windows-1252').decode(bytes);
  // NUL and the C0/C1 controls never belong in a roster; they mean a binary file or a wrong guess.
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u0080-\u009f]/.test(text)) throw new RosterRejected('bad_encoding', { file });
  return text;
}

function utf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

const CHUNK = 64 * 1024;

/** Streams the text through csv-parse (quoted commas and newlines, "" escapes); a semicolon header (Excel in Finland) switches the delimiter. */
async function parseCsv(file: string, text: string, required: readonly string[], maxRows: number, onRow: (row: CsvRow, line: number) => void): Promise<void> {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const delimiter = !firstLine.includes(',') && firstLine.includes(';') ? ';' : ',';
  const parser = parse({ delimiter, info: true, skip_empty_lines: true, trim: true, max_record_size: 64 * 1024, relax_quotes: false });
  const source = Readable.from(
    (function* () {
      for (let i = 0; i < text.length; i += CHUNK) yield text.slice(i, i + CHUNK);
    })(),
  );
  source.pipe(parser);
  let header: string[] | null = null;
  let rows = 0;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const { record, info } = item;
      if (!header) {
        header = record.map((h) => h.trim().toLowerCase());
        const missing = required.filter((c) => !header!.includes(c.toLowerCase()));
        if (missing.length > 0) throw new RosterRejected('missing_columns', { file, columns: missing.join(', ') });
        continue;
      }
      if (++rows > maxRows) throw new RosterRejected('too_many_rows', { file, max: maxRows });
      const row: Record<string, string> = {};
      header.forEach((h, i) => {
        if (h && !(h in row)) row[h] = record[i] ?? '';
      });
      onRow(row, info.lines);
    }
  } catch (err) {
    source.destroy();
    parser.destroy();
    if (err instanceof RosterRejected) throw err;
    const e = err as { code?: unknown; lines?: unknown; message?: unknown };
    if (typeof e.code === 'string' && e.code.startsWith('CSV_')) {
      throw new RosterRejected('bad_csv', { file, line: typeof e.lines === 'number' ? e.lines : 0, detail: csvDetail(e.code) });
    }
    throw err;
  }
  if (!header) throw new RosterRejected('missing_columns', { file, columns: required.join(', ') });
}

function csvDetail(code: string): string {
  switch (code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
    case 'CSV_RECORD_DONT_MATCH_COLUMNS_LENGTH':
      return 'a different number of columns than the header';
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quote that is never closed';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'text after a closing quote';
    case 'CSV_MAX_RECORD_SIZE':
      return 'a row longer than 64 kB';
    default:
      return code;
  }
}
