import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { Brand } from '../../../components/brand.tsx';
import { FormError, TextField } from '../../../components/form-fields.tsx';
import { LanguageSwitcher } from '../../../components/language-switcher.tsx';
import { Loading } from '../../../components/status.tsx';
import { errorMessage } from '../../../lib/error-message.ts';
import { focusFirstInvalid, type FieldErrors } from '../../../lib/form-errors.ts';
import { usePageTitle } from '../../../lib/page-title.ts';
import { useLoginMutation, useMeQuery } from '../queries.ts';
import { SsoSignIn } from '../../sso/components/sso-sign-in.tsx';

/** What other pages may pass to the sign-in page in `location.state`. */
export interface SignInState {
  from?: string;
  notice?: 'signedOut' | 'sessionEnded';
}

function readState(state: unknown): SignInState {
  if (typeof state !== 'object' || state === null) return {};
  const { from, notice } = state as Record<string, unknown>;
  return {
    ...(typeof from === 'string' && from.startsWith('/') && !from.startsWith('//') ? { from } : {}),
    ...(notice === 'signedOut' || notice === 'sessionEnded' ? { notice } : {}),
  };
}

export function SignInPage() {
  const { t } = useTranslation();
  usePageTitle(t('auth.title'));
  const location = useLocation();
  const navigate = useNavigate();
  const { from, notice } = readState(location.state);
  const me = useMeQuery();
  const login = useLoginMutation();

  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  // Message keys and the error itself, not translations: a language switch re-translates them.
  const [missing, setMissing] = useState<{ username?: boolean; password?: boolean }>({});
  const [formError, setFormError] = useState<{ error: unknown; seq: number } | null>(null);
  const fieldErrors: FieldErrors = {
    ...(missing.username ? { username: t('auth.usernameRequired') } : {}),
    ...(missing.password ? { password: t('auth.passwordRequired') } : {}),
  };
  const formRef = useRef<HTMLFormElement>(null);
  const errorRef = useRef<HTMLParagraphElement>(null);

  // Focus moves to the error so that it is read out and the user is where the problem is.
  useEffect(() => {
    if (formError) errorRef.current?.focus();
  }, [formError]);

  if (me.isPending) return <Loading />;
  if (me.data && !login.isPending) return <Navigate to={from ?? '/'} replace />;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const errors = { ...(!username.trim() ? { username: true } : {}), ...(!password ? { password: true } : {}) };
    setMissing(errors);
    if (Object.keys(errors).length > 0) {
      setFormError(null);
      queueMicrotask(() => focusFirstInvalid(formRef.current));
      return;
    }
    setFormError(null);
    login.mutate(
      { username: username.trim(), password },
      {
        onSuccess: () => navigate(from ?? '/', { replace: true }),
        onError: (error) => {
          setPassword('');
          setFormError({ error, seq: Date.now() });
        },
      },
    );
  };

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
          <h1>{t('auth.heading')}</h1>
          <p className="lead">{t('auth.intro')}</p>
          {notice && !formError && (
            <p className="notice notice--info" role="status">
              {t(`auth.${notice}`)}
            </p>
          )}
          <form ref={formRef} onSubmit={submit} noValidate className="form">
            <FormError key={formError?.seq} ref={errorRef} message={formError ? errorMessage(t, formError.error) : null} />
            <TextField
              name="username"
              label={t('auth.username')}
              value={username}
              onChange={setUsername}
              autoComplete="username"
              spellCheck={false}
              required
              error={fieldErrors.username}
            />
            <TextField
              name="password"
              type="password"
              label={t('auth.password')}
              value={password}
              onChange={setPassword}
              autoComplete="current-password"
              required
              error={fieldErrors.password}
            />
            <button type="submit" className="button button--primary button--wide" disabled={login.isPending}>
              {login.isPending ? t('auth.submitting') : t('auth.submit')}
            </button>
          </form>
          <p className="sign-in-help">
            <Link to="/forgot-password">{t('invitations.forgotLink')}</Link>
          </p>
          <SsoSignIn />
        </div>
      </main>
    </div>
  );
}
