/**
 * The small template language the import's reasons and rejections are written in: i18next's own
 * (`{{name}}`, `{{name, format}}`, `_one`/`_other` plural keys, `_<context>` keys), so the English
 * tables in import-reasons.ts and import-rejections.ts are the same strings as the client's en.json,
 * and the server can word a message in English (CLI, logs, `reason`) without loading i18next.
 */

/** Values a message interpolates: names from the archive, counts, sizes in bytes. */
export type MessageParams = Readonly<Record<string, string | number>>;

const plural = new Intl.PluralRules('en');

/** English sizes; the client formats `{{x, size}}` in the reader's language. */
export function formatSize(bytes: number): string {
  const GB = 1024 ** 3;
  const MB = 1024 ** 2;
  if (bytes >= GB) return `${Math.round((bytes / GB) * 10) / 10} GB`;
  if (bytes >= MB) return `${Math.round((bytes / MB) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KB`;
  return `${bytes} bytes`;
}

function formatValue(value: string | number | undefined, format: string | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'number' && format === 'size') return formatSize(value);
  if (typeof value === 'number' && format === 'number') return value.toLocaleString('en');
  return String(value);
}

/**
 * Picks the key i18next would pick (`code_context_plural`, then without the plural, then without
 * the context) and fills in the params.
 */
export function formatMessage(templates: Readonly<Record<string, string>>, code: string, params: MessageParams = {}): string {
  const context = typeof params.context === 'string' ? params.context : undefined;
  const count = typeof params.count === 'number' ? params.count : undefined;
  const bases = context ? [`${code}_${context}`, code] : [code];
  for (const base of bases) {
    const keys = count === undefined ? [base] : [`${base}_${plural.select(count)}`, `${base}_other`, base];
    const template = keys.map((k) => templates[k]).find((t) => t !== undefined);
    if (template !== undefined)
      return template.replace(/\{\{\s*(\w+)\s*(?:,\s*(\w+)\s*)?\}\}/g, (_, name: string, format?: string) => formatValue(params[name], format));
  }
  return code;
}

/** Names from an archive are untrusted: control characters out and length capped before they reach a message. */
function cleanName(name: string): string {
  const clean = [...name].filter((c) => c >= ' ' && c !== '\u007f').join('');
  return clean.length > 80 ? `${clean.slice(0, 77)}…` : clean;
}

/** Params as they travel to the client: every string but the (code-chosen) context is a name from the archive, cleaned. */
export function cleanParams(params: object): MessageParams {
  const clean: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(params as Record<string, string | number>)) clean[k] = typeof v === 'string' && k !== 'context' ? cleanName(v) : v;
  return clean;
}
