import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { IMPORT_REASON_CODES, IMPORT_REASONS_EN, importReason } from '../../../shared/portability/import-reasons.ts';
import { IMPORT_REJECTED_CODES, IMPORT_REJECTIONS_EN } from '../../../shared/portability/import-rejections.ts';
import { formatMessage } from '../../../shared/portability/import-messages.ts';
import { IMPORT_TITLE_CODES, IMPORT_TITLES_EN, importTitle } from '../../../shared/portability/import-titles.ts';
import { reasonText, rejectionText, titleText } from '../features/portability/import-messages.ts';
import en from './en.json' with { type: 'json' };
import fi from './fi.json' with { type: 'json' };
import sv from './sv.json' with { type: 'json' };
import { addFormatters, resources } from './i18n.ts';

const languages = { fi, sv, en } as const;

async function translator(lng: 'fi' | 'sv' | 'en') {
  const instance = i18next.createInstance();
  await instance.init({ lng, resources, interpolation: { escapeValue: false } });
  addFormatters(instance);
  return instance.t;
}

/** A key's own code, context and plural form, as i18next reads `code_context_plural`. */
function split(key: string): { code: string; context?: string; plural?: string } {
  const [code = key, ...rest] = key.split('_');
  const plural = rest.at(-1) === 'one' || rest.at(-1) === 'other' ? rest.pop() : undefined;
  return { code, ...(rest[0] ? { context: rest[0] } : {}), ...(plural ? { plural } : {}) };
}

/** Params that fill every placeholder of a template; sizes chosen to read the same in both formatters. */
function sampleParams(template: string, key: string): Record<string, string | number> {
  const { context, plural } = split(key);
  const params: Record<string, string | number> = context ? { context } : {};
  for (const [, name = '', format] of template.matchAll(/\{\{\s*(\w+)\s*(?:,\s*(\w+)\s*)?\}\}/g)) {
    params[name] =
      format === 'size'
        ? 3 * 1024 * 1024
        : format === 'number'
          ? 20_000
          : name === 'count' || name === 'line' || name === 'ratio' || name === 'expected'
            ? 7
            : `${name}-x`;
  }
  if (plural) params.count = plural === 'one' ? 1 : 7;
  return params;
}

describe('import reasons and rejections in the three languages', () => {
  it.each(['fi', 'sv', 'en'] as const)('%s words every reason code and every rejection code', (lng) => {
    const reasons: Record<string, string> = languages[lng].imports.reason;
    const rejected: Record<string, string> = languages[lng].imports.rejected;
    const missingReasons = IMPORT_REASON_CODES.filter((c) => !reasons[c] && !(reasons[`${c}_one`] && reasons[`${c}_other`]));
    // Every rejection code needs its plain key: the fallback when a context has no sentence of its own.
    const missingRejections = IMPORT_REJECTED_CODES.filter((c) => !rejected[c]);
    expect(missingReasons).toEqual([]);
    expect(missingRejections).toEqual([]);
    expect(
      Object.keys(reasons)
        .map((k) => split(k).code)
        .filter((c) => !(IMPORT_REASON_CODES as readonly string[]).includes(c)),
      'keys of no code',
    ).toEqual([]);
    expect(
      Object.keys(rejected)
        .map((k) => split(k).code)
        .filter((c) => !(IMPORT_REJECTED_CODES as readonly string[]).includes(c)),
      'keys of no code',
    ).toEqual([]);
    const titles: Record<string, string> = languages[lng].imports.itemTitle;
    expect(IMPORT_TITLE_CODES.filter((c) => !titles[c])).toEqual([]);
    expect(
      Object.keys(titles).filter((c) => !(IMPORT_TITLE_CODES as readonly string[]).includes(c)),
      'keys of no code',
    ).toEqual([]);
  });

  it('en.json says exactly what the server says in English (one table, no drift)', () => {
    expect(en.imports.reason).toEqual(IMPORT_REASONS_EN);
    expect(en.imports.rejected).toEqual(IMPORT_REJECTIONS_EN);
    expect(en.imports.itemTitle).toEqual(IMPORT_TITLES_EN);
  });

  it('the server fills a template as i18next does: plurals, contexts, formats', async () => {
    const t = await translator('en');
    for (const [table, prefix] of [
      [IMPORT_REASONS_EN, 'imports.reason'],
      [IMPORT_REJECTIONS_EN, 'imports.rejected'],
      [IMPORT_TITLES_EN, 'imports.itemTitle'],
    ] as const) {
      for (const [key, template] of Object.entries(table)) {
        const params = sampleParams(template, key);
        const { code } = split(key);
        expect(formatMessage(table, code, params), key).toBe(t(`${prefix}.${code}` as 'imports.title', params));
      }
    }
  });

  it('shows a reason and a refusal in Finnish and Swedish, with plural forms, sizes and names', async () => {
    const fiT = await translator('fi');
    expect(reasonText(fiT, { reasonCode: 'project-created', reasonParams: { count: 1 } })).toBe('Projekti, jossa on 1 työ.');
    expect(reasonText(fiT, { reasonCode: 'project-created', reasonParams: { count: 3 } })).toBe('Projekti, jossa on 3 työtä.');
    expect(reasonText(fiT, { reasonCode: 'media-missing', reasonParams: { file: 'kuva.jpg' } })).toBe('Tiedostoa ”kuva.jpg” ei löydy arkistosta.');
    expect(reasonText(fiT, { reasonCode: 'feedback-imported', reasonParams: { author: 'Maija' } })).toBe('Palaute, jonka antoi Maija. Se merkitään tuoduksi.');
    expect(rejectionText(fiT, 'too-large', { context: 'archive', size: 1.5 * 1024 ** 3, max: 1024 ** 3 })).toBe(
      'Tiedoston koko on 1,5 GB. Enintään 1 GB voi tuoda.',
    );
    expect(rejectionText(fiT, 'too-many-entries', { entries: 20001, max: 20000 })).toMatch(
      /^Arkistossa on 20\s001 tiedostoa tai enemmän\. Enintään 20\s000 voi tuoda\.$/,
    );
    // A context without a sentence of its own falls back to the code's plain one.
    expect(rejectionText(fiT, 'target-invalid', { context: 'somethingNew' })).toBe(fi.imports.rejected['target-invalid']);
    const svT = await translator('sv');
    expect(reasonText(svT, { reasonCode: 'no-usable-file', reasonParams: { count: 2 } })).toBe('Ingen av dess 2 filer kan importeras (se nedan).');
    expect(rejectionText(svT, 'xml-malformed', { context: 'line', file: 'leap2a.xml', line: 4 })).toBe(
      '”leap2a.xml” är inte korrekt XML (felet finns på rad 4).',
    );
  });

  it('words a title the importer made up in Finnish and Swedish; keeps the English for the CLI', async () => {
    const version = { sourceId: 'a#2', ...importTitle('version', { title: 'Jää sulaa', version: 2 }) };
    expect(version.title).toBe('Jää sulaa (version 2)');
    expect(titleText(await translator('fi'), version)).toBe('Jää sulaa (versio 2)');
    expect(titleText(await translator('fi'), importTitle('untitled'))).toBe('Nimetön');
    expect(titleText(await translator('sv'), importTitle('unknown-learner'))).toBe('Okänd');
    expect(importTitle('untitled').title).toBe('Untitled');
    // An archive's own title is shown as it is; an empty one as the generic "untitled".
    expect(titleText(await translator('fi'), { title: 'Kevät' })).toBe('Kevät');
    expect(titleText(await translator('fi'), { title: '' })).toBe(fi.imports.untitled);
    expect(reasonText(await translator('fi'), importReason('web-link-added', { context: 'untitled' }))).toBe(
      'Nimettömän työn verkkolinkki. Se lisätään työn linkkeihin.',
    );
    expect(importReason('web-link-added', { context: 'untitled' }).reason).toBe('A web link of an untitled entry: added to its links.');
  });

  it('leaves an unknown code to the generic sentence, and an item without a code to its English reason', async () => {
    const t = await translator('fi');
    expect(rejectionText(t, 'from-a-newer-server', {})).toBeNull();
    expect(rejectionText(t, undefined, undefined)).toBeNull();
    expect(reasonText(t, { reason: 'Old English reason.' })).toBe('Old English reason.');
    expect(reasonText(t, {})).toBe('');
  });
});
