import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'react-router';
import { SSO_ERROR_CODES } from '../../../../../shared/api/sso.ts';
import { useSsoProvidersQuery } from '../queries.ts';
import { SsoStartForm } from './sso-start-form.tsx';

type SsoError = (typeof SSO_ERROR_CODES)[number];

/** The refusal the provider callback sent the browser back with (`?sso_error=`), if it is one we know. */
export function ssoErrorOf(search: string): SsoError | null {
  const code = new URLSearchParams(search).get('sso_error');
  return code && (SSO_ERROR_CODES as readonly string[]).includes(code) ? (code as SsoError) : null;
}

/** The provider's own sign-out, offered after signing out of Polku (passed by the app shell in `location.state`). */
function providerLogoutOf(state: unknown): { url: string; label: string } | null {
  if (typeof state !== 'object' || state === null) return null;
  const value = (state as Record<string, unknown>).providerLogout;
  if (typeof value !== 'object' || value === null) return null;
  const { url, label } = value as Record<string, unknown>;
  return typeof url === 'string' && /^https?:\/\//.test(url) && typeof label === 'string' ? { url, label } : null;
}

/**
 * School sign-in on the sign-in page: one button per configured provider (nothing at all when none is
 * configured), a one-time link code for a first sign-in, the reason a provider sign-in was refused, and
 * after sign-out a link to the provider's own sign-out.
 */
export function SsoSignIn() {
  const { t } = useTranslation();
  const location = useLocation();
  const providers = useSsoProvidersQuery();
  const [showCode, setShowCode] = useState(false);
  const [linkCode, setLinkCode] = useState('');
  const error = ssoErrorOf(location.search);
  const providerLogout = providerLogoutOf(location.state);
  const list = providers.data?.providers ?? [];

  return (
    <>
      {error && (
        <p className="notice notice--error" role="alert">
          {t(`sso.errors.${error}`)}
        </p>
      )}
      {providerLogout && (
        <p className="notice notice--info">
          <a href={providerLogout.url}>{t('sso.providerSignOut', { provider: providerLogout.label })}</a>
        </p>
      )}
      {list.length > 0 && (
        <section className="sso-sign-in" aria-labelledby="sso-heading">
          <h2 id="sso-heading" className="sso-sign-in__heading">
            {t('sso.heading')}
          </h2>
          <ul className="sso-sign-in__buttons">
            {list.map((p) => (
              <li key={p.id}>
                <SsoStartForm providerId={p.id} fields={{ link: linkCode.trim() }}>
                  {t('sso.signInWith', { provider: p.label })}
                </SsoStartForm>
              </li>
            ))}
          </ul>
          {showCode ? (
            <div className="field">
              <label htmlFor="sso-link-code">{t('sso.linkCode')}</label>
              <p className="field__hint" id="sso-link-code-hint">
                {t('sso.linkCodeHint')}
              </p>
              <input
                id="sso-link-code"
                name="linkCode"
                value={linkCode}
                onChange={(e) => setLinkCode(e.target.value)}
                autoComplete="off"
                spellCheck={false}
                maxLength={40}
                aria-describedby="sso-link-code-hint"
              />
            </div>
          ) : (
            <button type="button" className="button button--small button--secondary" onClick={() => setShowCode(true)}>
              {t('sso.haveLinkCode')}
            </button>
          )}
        </section>
      )}
    </>
  );
}
