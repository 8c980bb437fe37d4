import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { Brand } from '../../../components/brand.tsx';
import { LanguageSwitcher } from '../../../components/language-switcher.tsx';
import { errorMessage } from '../../../lib/error-message.ts';
import { ApiError } from '../../../lib/http.ts';

/** The frame of the pages a person reaches before signing in (as the sign-in page's). */
export function PublicLayout({ heading, children }: { heading: string; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="auth-layout">
      <a className="skip-link" href="#main">
        {t('shell.skipToContent')}
      </a>
      <header className="auth-header">
        <Brand />
        <LanguageSwitcher />
      </header>
      <main id="main" tabIndex={-1} className="auth-main">
        <div className="card auth-card">
          <h1>{heading}</h1>
          {children}
        </div>
      </main>
    </div>
  );
}

const REASONS = ['invitation_invalid', 'invitation_expired', 'invitation_used', 'reset_invalid', 'mail_not_configured'] as const;

/** An error's sentence, with this feature's own reasons (a wrong, used or expired code or link) in the reader's language. */
export function invitationError(t: TFunction, error: unknown): string {
  if (error instanceof ApiError && error.reason && (REASONS as readonly string[]).includes(error.reason.code)) {
    return t(`invitations.reasons.${error.reason.code as (typeof REASONS)[number]}`);
  }
  return errorMessage(t, error);
}

/** A value from the page address's fragment (`#code=…`): never sent to the server in a request line or Referer. */
export function fragmentValue(name: string): string {
  return new URLSearchParams(window.location.hash.replace(/^#/, '')).get(name) ?? '';
}
