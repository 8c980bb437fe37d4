import { useTranslation } from 'react-i18next';
import { Link, NavLink, Outlet, useOutletContext, useParams } from 'react-router';
import type { School } from '../../../../../shared/api/org.ts';
import { Loading, pageErrorHeading, QueryError } from '../../../components/status.tsx';
import { useSchoolQuery } from '../queries.ts';
import { groupsPath, guardianLinksPath, rostersPath, schoolPath, signInSettingsPath, usersPath } from './paths.ts';

export interface SchoolOutletContext {
  school: School;
}

/** The school's pages read the school from here instead of fetching it again. */
export function useSchoolContext(): SchoolOutletContext {
  return useOutletContext<SchoolOutletContext>();
}

export function SchoolLayout() {
  const { t } = useTranslation();
  const { schoolId = '' } = useParams();
  const school = useSchoolQuery(schoolId);

  return (
    <>
      <p className="back-link">
        <Link to="/admin">{t('admin.school.backToSchools')}</Link>
      </p>
      <div className="page-header">
        {/* The h1 is there while loading, so that focus after navigation has somewhere to go. */}
        <h1>{school.data?.name ?? (school.isError ? pageErrorHeading(t, school.error) : t('common.loading'))}</h1>
      </div>
      {school.isPending && <Loading />}
      {school.isError && <QueryError error={school.error} onRetry={() => void school.refetch()} />}
      {school.isSuccess && (
        <>
          <nav className="tabs" aria-label={t('admin.school.subnav')}>
            <ul>
              <li>
                <NavLink to={schoolPath(schoolId)} end>
                  {t('admin.school.overview')}
                </NavLink>
              </li>
              <li>
                <NavLink to={groupsPath(schoolId)}>{t('admin.school.groups')}</NavLink>
              </li>
              <li>
                <NavLink to={usersPath(schoolId)}>{t('admin.school.users')}</NavLink>
              </li>
              <li>
                <NavLink to={guardianLinksPath(schoolId)}>{t('admin.school.links')}</NavLink>
              </li>
              <li>
                <NavLink to={signInSettingsPath(schoolId)}>{t('sso.settings.tab')}</NavLink>
                <NavLink to={rostersPath(schoolId)}>{t('rosters.nav')}</NavLink>
              </li>
            </ul>
          </nav>
          <Outlet context={{ school: school.data } satisfies SchoolOutletContext} />
        </>
      )}
    </>
  );
}
