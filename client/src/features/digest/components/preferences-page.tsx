import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { DigestFrequency, PreferencesView } from '../../../../../shared/api/digest.ts';
import { Loading, QueryError } from '../../../components/status.tsx';
import { usePageTitle } from '../../../lib/page-title.ts';
import { currentSubscription, pushSupported, subscribeThisBrowser, unsubscribeThisBrowser } from '../push.ts';
import { usePreferencesQuery, useSavePreferencesMutation } from '../queries.ts';

/** Issue 12 §5: how the user hears of new things outside the app; for a guardian, the weekly digest. */
export function PreferencesPage() {
  const { t } = useTranslation();
  usePageTitle(t('digest.preferences.title'));
  const prefs = usePreferencesQuery();
  return (
    <>
      <div className="page-header">
        <p>
          <Link to="/notifications">{t('digest.preferences.back')}</Link>
        </p>
        <h1>{t('digest.preferences.heading')}</h1>
        <p className="lead">{t('digest.preferences.intro')}</p>
      </div>
      {prefs.isPending && <Loading />}
      {prefs.isError && <QueryError error={prefs.error} onRetry={() => void prefs.refetch()} />}
      {prefs.isSuccess && <PreferencesForm view={prefs.data} />}
    </>
  );
}

function PreferencesForm({ view }: { view: PreferencesView }) {
  const { t } = useTranslation();
  const save = useSavePreferencesMutation();
  const [frequency, setFrequency] = useState<DigestFrequency>(view.frequency);
  const [email, setEmail] = useState(view.email);
  const [push, setPush] = useState(view.push);
  const options: DigestFrequency[] = view.weeklyAllowed ? ['weekly', 'every', 'never'] : ['every', 'never'];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ frequency, email, push });
  };
  return (
    <div className="stack">
      <form className="stack" onSubmit={submit}>
        <fieldset>
          <legend>{t('digest.preferences.frequency')}</legend>
          {options.map((f) => (
            <p key={f}>
              <label>
                <input type="radio" name="frequency" value={f} checked={frequency === f} onChange={() => setFrequency(f)} /> {t(`digest.preferences.${f}`)}
              </label>
            </p>
          ))}
        </fieldset>
        <fieldset>
          <legend>{t('digest.preferences.channels')}</legend>
          <p>
            <label>
              <input type="checkbox" checked={email} onChange={(e) => setEmail(e.target.checked)} /> {t('digest.preferences.email')}
            </label>
          </p>
          {!view.emailAvailable && <p className="hint">{t('digest.preferences.emailUnavailable')}</p>}
          <p>
            <label>
              <input type="checkbox" checked={push} onChange={(e) => setPush(e.target.checked)} /> {t('digest.preferences.push')}
            </label>
          </p>
          <p className="hint">{t('digest.preferences.pushCount', { count: view.pushSubscriptions })}</p>
        </fieldset>
        <p>
          <button type="submit" className="button button--primary" disabled={save.isPending}>
            {t('digest.preferences.save')}
          </button>
        </p>
        {save.isError && <QueryError error={save.error} />}
        <p role="status">{save.isSuccess ? t('digest.preferences.saved') : ''}</p>
      </form>
      {view.pushAvailable && <ThisBrowser />}
    </div>
  );
}

/** Subscribing this browser to Web Push (asks the browser's permission first). */
function ThisBrowser() {
  const { t } = useTranslation();
  const [state, setState] = useState<'unknown' | 'on' | 'off' | 'denied' | 'unsupported' | 'failed'>(() => (pushSupported() ? 'unknown' : 'unsupported'));
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!pushSupported()) return;
    void currentSubscription().then(
      (s) => setState(s ? 'on' : 'off'),
      () => setState('off'),
    );
  }, []);
  const toggle = async () => {
    setBusy(true);
    try {
      if (state === 'on') {
        await unsubscribeThisBrowser();
        setState('off');
      } else {
        const result = await subscribeThisBrowser();
        setState(result === 'subscribed' ? 'on' : result === 'denied' ? 'denied' : 'unsupported');
      }
    } catch {
      setState('failed');
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="stack" aria-labelledby="push-browser-heading">
      <h2 id="push-browser-heading">{t('digest.push.heading')}</h2>
      <p role="status">{state === 'unknown' ? '' : t(`digest.push.${state}`)}</p>
      {state !== 'unsupported' && state !== 'unknown' && (
        <p>
          <button type="button" className="button button--secondary" onClick={() => void toggle()} disabled={busy}>
            {state === 'on' ? t('digest.push.turnOff') : t('digest.push.turnOn')}
          </button>
        </p>
      )}
    </section>
  );
}
