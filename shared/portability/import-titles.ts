/**
 * Names the importer has to make up for a preview or report (an entry with no title, one version of
 * an artefact, a learner the feed does not name). Like the reasons (import-reasons.ts): a code and
 * params the client words with `imports.itemTitle.<code>` in fi/sv/en, and the English `title` for
 * the CLI and logs from the table below, which en.json repeats word for word
 * (client/src/i18n/import-messages.test.ts keeps the two equal).
 */
import type { Locale } from '../roles.ts';
import { type MessageParams, formatMessage } from './import-messages.ts';

type NoParams = Record<never, never>;

export interface ImportTitleParams {
  untitled: NoParams;
  version: { title: string; version: number };
  'unknown-learner': NoParams;
}
export type ImportTitleCode = keyof ImportTitleParams;

/** English, in i18next's syntax. */
export const IMPORT_TITLES_EN = {
  untitled: 'Untitled',
  version: '{{title}} (version {{version}})',
  'unknown-learner': 'Unknown',
} as const satisfies Record<ImportTitleCode, string>;

export const IMPORT_TITLE_CODES = ['untitled', 'version', 'unknown-learner'] as const satisfies readonly ImportTitleCode[];

// A code added to the interface but not to the list is a compile error here.
const everyCodeListed: Exclude<ImportTitleCode, (typeof IMPORT_TITLE_CODES)[number]> extends never ? true : never = true;
void everyCodeListed;

/** A made-up title: the code and params for the client, the English for the CLI. */
export interface ImportTitle {
  title: string;
  titleCode: ImportTitleCode;
  titleParams?: MessageParams;
}

type ParamsArg<C extends ImportTitleCode> = keyof ImportTitleParams[C] extends never ? [] : [params: ImportTitleParams[C]];

/** The title fields of an item. Names stay whole, as the other items' titles do (the client shows them as text). */
export function importTitle<C extends ImportTitleCode>(code: C, ...[params]: ParamsArg<C>): ImportTitle {
  const values: MessageParams = { ...params };
  const hasParams = Object.keys(values).length > 0;
  return { title: formatMessage(IMPORT_TITLES_EN, code, values), titleCode: code, ...(hasParams ? { titleParams: values } : {}) };
}

/**
 * The title stored for an untitled entry, in the pupil's language (a stored title is data, not UI
 * text, so it cannot follow the reader). The same words as `imports.itemTitle.untitled` in the
 * client's fi/sv/en.json.
 */
const STORED_UNTITLED: Record<Locale, string> = { fi: 'Nimetön', sv: 'Utan rubrik', en: IMPORT_TITLES_EN.untitled };

export function storedUntitled(locale: Locale): string {
  return STORED_UNTITLED[locale];
}
