import { useTranslation } from 'react-i18next';
import { useRouteError } from 'react-router';
import { PageError } from '../components/status.tsx';
import { ApiError } from '../lib/http.ts';
import { usePageTitle } from '../lib/page-title.ts';

/**
 * A page that could not even start: most often its code could not be downloaded (offline, or a
 * new version was deployed meanwhile). Said in the reader's language, with a reload to try again,
 * instead of the router's developer screen.
 */
export function RouteError() {
  const { t } = useTranslation();
  const error = useRouteError();
  // A failed dynamic import is a TypeError from the browser: to the reader it is a connection problem.
  const shown = error instanceof TypeError ? new ApiError('network_error', 0, error.message) : error;
  usePageTitle(t('pageError.failed.heading'));
  return <PageError error={shown} onRetry={() => window.location.reload()} />;
}
