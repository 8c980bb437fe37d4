import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { guardianChildPath } from '../../artefacts/paths.ts';
import { EmptyState, Loading, QueryError } from '../../../components/status.tsx';
import { usePageTitle } from '../../../lib/page-title.ts';
import { useMyChildrenQuery } from '../queries.ts';

export function GuardianHome() {
  const { t, i18n } = useTranslation();
  usePageTitle(t('guardian.title'));
  const children = useMyChildrenQuery();
  const list = new Intl.ListFormat(i18n.language, { type: 'conjunction' });

  return (
    <>
      <div className="page-header">
        <h1>{t('guardian.heading')}</h1>
        <p className="lead">{t('guardian.intro')}</p>
      </div>
      {children.isPending && <Loading />}
      {children.isError && <QueryError error={children.error} onRetry={() => void children.refetch()} />}
      {children.isSuccess && children.data.children.length === 0 && (
        <EmptyState heading={t('guardian.emptyHeading')}>
          <p>{t('guardian.emptyText')}</p>
        </EmptyState>
      )}
      {children.isSuccess && children.data.children.length > 0 && (
        <ul className="card-grid" role="list">
          {children.data.children.map((child) => {
            const headingId = `child-${child.id}`;
            return (
              <li key={child.id}>
                <section className="card child-card" aria-labelledby={headingId}>
                  <div className="child-card__top">
                    <span className="avatar" aria-hidden="true">
                      {initials(child.displayName)}
                    </span>
                    <h2 id={headingId}>
                      <Link to={guardianChildPath(child.id)}>{child.displayName}</Link>
                    </h2>
                  </div>
                  {child.schools.length > 0 && <p>{t('guardian.school', { names: list.format(child.schools.map((s) => s.name)) })}</p>}
                  <p>{child.groups.length > 0 ? t('guardian.groups', { names: list.format(child.groups.map((g) => g.name)) }) : t('guardian.noGroups')}</p>
                  <p className="card__action">
                    <Link className="button button--secondary button--small" to={guardianChildPath(child.id)}>
                      {t('guardian.openShared')}
                      <span className="visually-hidden"> ({child.displayName})</span>
                    </Link>
                  </p>
                </section>
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}

function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase() ?? '')
    .join('');
}
