import { useTranslation } from 'react-i18next';

/** The Polku mark (a winding path) and name. */
export function Brand() {
  const { t } = useTranslation();
  return (
    <span className="brand">
      <svg className="brand__mark" viewBox="0 0 32 32" width="32" height="32" aria-hidden="true" focusable="false">
        <rect width="32" height="32" rx="9" fill="#0b6e4f" />
        <path d="M9 25c0-6 14-5 14-11S13 9 16 6" fill="none" stroke="#fff" strokeWidth="3" strokeLinecap="round" />
        <circle cx="16" cy="6" r="2.2" fill="#ffd166" />
      </svg>
      <span className="brand__name">{t('app.name')}</span>
    </span>
  );
}
