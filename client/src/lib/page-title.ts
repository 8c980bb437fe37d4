import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';

/** Sets `<title>` for the current page, "Page – Polku", in the current language. */
export function usePageTitle(title: string | undefined): void {
  const { t } = useTranslation();
  const suffix = t('app.titleSuffix');
  useEffect(() => {
    document.title = title ? `${title} – ${suffix}` : suffix;
  }, [title, suffix]);
}
