import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, Outlet, useLocation } from 'react-router';
import { Loading, QueryError } from '../../../components/status.tsx';
import { currentLocale } from '../../../i18n/i18n.ts';
import { useRealtime } from '../../../lib/realtime.ts';
import { useMeQuery } from '../queries.ts';
import { SessionContext } from '../session.ts';

/** Lets only signed-in users through; everyone else goes to the sign-in page and comes back after. */
export function RequireSession() {
  const me = useMeQuery();
  const location = useLocation();
  const { i18n } = useTranslation();
  const savedLocale = me.data?.user.locale ?? null;

  useRealtime(me.data?.user.id ?? null);

  // The language saved in the profile wins over the browser's, on sign-in and when changed elsewhere.
  useEffect(() => {
    if (savedLocale && savedLocale !== currentLocale()) void i18n.changeLanguage(savedLocale);
  }, [savedLocale, i18n]);

  if (me.isPending) return <Loading />;
  if (me.isError) {
    return (
      <main id="main" className="auth-main">
        <QueryError error={me.error} onRetry={() => void me.refetch()} />
      </main>
    );
  }
  if (!me.data) {
    const from = location.pathname + location.search;
    return <Navigate to="/sign-in" replace state={from === '/' ? undefined : { from }} />;
  }
  return (
    <SessionContext value={me.data}>
      <Outlet />
    </SessionContext>
  );
}
