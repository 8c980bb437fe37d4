import { useTranslation } from 'react-i18next';
import { Navigate } from 'react-router';
import { EmptyState } from '../components/status.tsx';
import { homePath, rolesOf, useSession } from '../features/auth/session.ts';
import { usePageTitle } from '../lib/page-title.ts';

/** `/` leads to the first home page of admin > teacher > guardian > pupil; the menu leads to the others. */
export function RoleRedirect() {
  const me = useSession();
  const [first] = rolesOf(me);
  if (first) return <Navigate to={homePath(first)} replace />;
  return <NoRoles />;
}

function NoRoles() {
  const { t } = useTranslation();
  usePageTitle(t('shell.noRolesHeading'));
  return (
    <>
      <h1>{t('app.name')}</h1>
      <EmptyState heading={t('shell.noRolesHeading')}>
        <p>{t('shell.noRolesText')}</p>
      </EmptyState>
    </>
  );
}
