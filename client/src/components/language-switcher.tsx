import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { LOCALES, type Locale } from '../../../shared/roles.ts';
import { useMeQuery, useUpdateLocaleMutation } from '../features/auth/queries.ts';
import { currentLocale, isLocale, LANGUAGE_ENDONYMS } from '../i18n/i18n.ts';

/** Native select: keyboard and screen-reader support come with it. Signed in, the choice is saved to the profile. */
export function LanguageSwitcher() {
  const { t, i18n } = useTranslation();
  const id = useId();
  const me = useMeQuery().data;
  const saveLocale = useUpdateLocaleMutation();

  const choose = (value: string) => {
    if (!isLocale(value)) return;
    void i18n.changeLanguage(value);
    if (me && me.user.locale !== value) saveLocale.mutate(value satisfies Locale);
  };

  return (
    <div className="language-switcher">
      <label htmlFor={id}>{t('language.label')}</label>
      <select id={id} value={currentLocale()} onChange={(e) => choose(e.target.value)}>
        {LOCALES.map((lng) => (
          <option key={lng} value={lng} lang={lng}>
            {LANGUAGE_ENDONYMS[lng]}
          </option>
        ))}
      </select>
    </div>
  );
}
