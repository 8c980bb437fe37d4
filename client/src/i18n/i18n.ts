import i18next from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';
import { initReactI18next } from 'react-i18next';
import { DEFAULT_LOCALE, LOCALES, type Locale } from '../../../shared/roles.ts';
import { formatFileSize } from '../lib/format.ts';
import en from './en.json';
import fi from './fi.json';
import sv from './sv.json';

export const resources = { fi: { translation: fi }, sv: { translation: sv }, en: { translation: en } } as const;

/** Each language is named in itself, so that a reader finds their own language whatever is showing now. */
export const LANGUAGE_ENDONYMS: Record<Locale, string> = { fi: 'Suomi', sv: 'Svenska', en: 'English' };

export const LANGUAGE_STORAGE_KEY = 'polku.language';

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** The language in use, narrowed to one Polku supports. */
export function currentLocale(): Locale {
  const lng = i18next.resolvedLanguage ?? i18next.language;
  return isLocale(lng) ? lng : DEFAULT_LOCALE;
}

/** `{{bytes, size}}` in a translation: a file size in the reader's language (import limits and sizes). */
export function addFormatters(instance: typeof i18next): void {
  instance.services.formatter?.add('size', (value: unknown, lng) => (typeof value === 'number' ? formatFileSize(value, lng ?? DEFAULT_LOCALE) : String(value)));
}

export async function initI18n(): Promise<typeof i18next> {
  i18next.on('languageChanged', (lng) => {
    document.documentElement.lang = isLocale(lng) ? lng : DEFAULT_LOCALE;
  });
  await i18next
    .use(LanguageDetector)
    .use(initReactI18next)
    .init({
      resources,
      supportedLngs: [...LOCALES],
      fallbackLng: DEFAULT_LOCALE,
      load: 'languageOnly',
      interpolation: { escapeValue: false }, // React escapes
      detection: {
        order: ['localStorage', 'navigator'],
        lookupLocalStorage: LANGUAGE_STORAGE_KEY,
        caches: ['localStorage'],
        // "sv-FI" → "sv": we have one Swedish, one Finnish and one English.
        convertDetectedLanguage: (lng: string) => lng.split('-')[0]?.toLowerCase() ?? lng,
      },
    });
  addFormatters(i18next);
  document.documentElement.lang = currentLocale();
  return i18next;
}
