import { lazy, Suspense, useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { cardCodeFrom } from '../../../../../shared/api/sign-in-cards.ts';
import { Brand } from '../../../components/brand.tsx';
import { FormError, TextField } from '../../../components/form-fields.tsx';
import { LanguageSwitcher } from '../../../components/language-switcher.tsx';
import { Loading } from '../../../components/status.tsx';
import { errorMessage } from '../../../lib/error-message.ts';
import { isApiError } from '../../../lib/http.ts';
import { usePageTitle } from '../../../lib/page-title.ts';
import { useCardSignInMutation } from '../queries.ts';

// The camera and the QR decoder are a chunk of their own, loaded only when someone chooses the camera.
const CameraScanner = lazy(() => import('./camera-scanner.tsx'));

/**
 * "Scan my card": a card's QR code opens this page with the code in the URL's fragment (which no server
 * sees), and it signs in at once; otherwise the camera reads the card, or the code is typed.
 */
export function CardSignInPage() {
  const { t } = useTranslation();
  usePageTitle(t('signInCards.scan.title'));
  const navigate = useNavigate();
  const signIn = useCardSignInMutation();
  const [code, setCode] = useState('');
  const [camera, setCamera] = useState(false);
  const [failure, setFailure] = useState<{ error: unknown; seq: number } | null>(null);
  const errorRef = useRef<HTMLParagraphElement>(null);
  const { mutate } = signIn;

  const attempt = useCallback(
    (raw: string) => {
      setFailure(null);
      setCamera(false);
      mutate(cardCodeFrom(raw), {
        onSuccess: () => navigate('/', { replace: true }),
        onError: (error) => setFailure({ error, seq: Date.now() }),
      });
    },
    [mutate, navigate],
  );

  // A card's QR code opened this page: sign in with the code from the fragment, once (StrictMode runs effects twice).
  const started = useRef(false);
  useEffect(() => {
    const fragment = window.location.hash.slice(1);
    if (started.current || !fragment) return;
    started.current = true;
    // The code leaves the address bar (and the browser history) before anything else happens.
    window.history.replaceState(window.history.state, '', window.location.pathname);
    mutate(cardCodeFrom(fragment), {
      onSuccess: () => navigate('/', { replace: true }),
      onError: (error) => setFailure({ error, seq: Date.now() }),
    });
  }, [mutate, navigate]);

  useEffect(() => {
    if (failure) errorRef.current?.focus();
  }, [failure]);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!code.trim()) {
      setFailure({ error: new Error(t('signInCards.scan.codeRequired')), seq: Date.now() });
      return;
    }
    attempt(code);
  };

  const message = failure
    ? isApiError(failure.error, 'invalid_credentials') || isApiError(failure.error, 'validation_failed')
      ? t('signInCards.scan.refused')
      : failure.error instanceof Error && !isApiError(failure.error)
        ? failure.error.message
        : errorMessage(t, failure.error)
    : null;

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
        <div className="card auth-card stack">
          <h1>{t('signInCards.scan.heading')}</h1>
          <p className="lead">{t('signInCards.scan.intro')}</p>
          <FormError key={failure?.seq} ref={errorRef} message={message} />
          {signIn.isPending && <Loading />}
          {camera ? (
            <>
              <Suspense fallback={<Loading />}>
                <CameraScanner onCode={attempt} />
              </Suspense>
              <button type="button" className="button" onClick={() => setCamera(false)}>
                {t('signInCards.scan.stopCamera')}
              </button>
            </>
          ) : (
            <button type="button" className="button button--primary button--wide" onClick={() => setCamera(true)} disabled={signIn.isPending}>
              {t('signInCards.scan.useCamera')}
            </button>
          )}
          <form onSubmit={submit} noValidate className="form">
            <TextField
              name="card-code"
              label={t('signInCards.scan.codeLabel')}
              hint={t('signInCards.scan.codeHint')}
              value={code}
              onChange={setCode}
              autoComplete="off"
              spellCheck={false}
            />
            <button type="submit" className="button button--wide" disabled={signIn.isPending}>
              {t('signInCards.scan.submit')}
            </button>
          </form>
          <p>
            <Link to="/sign-in">{t('signInCards.scan.passwordInstead')}</Link>
          </p>
        </div>
      </main>
    </div>
  );
}
