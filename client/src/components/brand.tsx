import { useTranslation } from 'react-i18next';

/** The Polku mark (a winding path) and name. */
export function Brand() {
  const { t } = useTranslation();
  return (
    <span className="brand">
      <svg className="brand__mark" viewBox="0 0 32 32" width="32" height="32" aria-hidden="true" focusable="false">
        <rect width="32" height="32" rx="9" fill="#0b6e4f" />
        <path d="M9 26c0-5 13-4 13-9s-12-3-9-8c1-1.5 2.5-2.5 4-3" fill="none" stroke="#fff" strokeWidth="3" strokeLinecap="round" />
        <circle cx="23" cy="7" r="2.6" fill="#ffd166" />
      </svg>
      <span className="brand__name">{t('app.name')}</span>
    </span>
  );
}
