import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { EmptyState, Loading, QueryError } from '../../../components/status.tsx';
import { groupOverviewPath } from '../../overview/paths.ts';
import { ProjectList } from '../../projects/components/project-list.tsx';
import { newProjectPath } from '../../projects/paths.ts';
import { useProjectsQuery } from '../../projects/queries.ts';
import { usePageTitle } from '../../../lib/page-title.ts';
import { useSession } from '../../auth/session.ts';
import { useMyGroupsQuery } from '../queries.ts';
import { ApprovalQueue } from '../../guardian-sharing/components/approval-queue.tsx';

export function TeacherHome() {
  const { t, i18n } = useTranslation();
  usePageTitle(t('teacher.title'));
  const me = useSession();
  const groups = useMyGroupsQuery();
  const list = new Intl.ListFormat(i18n.language, { type: 'conjunction' });

  const taught = groups.data?.groups.filter((g) => g.role === 'teacher') ?? [];
  return (
    <>
      <div className="page-header">
        <h1>{t('teacher.heading')}</h1>
        <p className="lead">{t('teacher.intro')}</p>
      </div>
      {groups.isPending && <Loading />}
      {groups.isError && <QueryError error={groups.error} onRetry={() => void groups.refetch()} />}
      {groups.isSuccess && taught.length === 0 && (
        <EmptyState heading={t('teacher.emptyHeading')}>
          <p>{t('teacher.emptyText')}</p>
        </EmptyState>
      )}
      {taught.length > 0 && (
        <ul className="card-grid" role="list">
          {taught.map((group) => {
            const headingId = `group-${group.id}`;
            const colleagues = group.teachers.filter((teacher) => teacher.id !== me.user.id);
            return (
              <li key={group.id}>
                <section className="card group-card" aria-labelledby={headingId}>
                  <h2 id={headingId}>
                    <Link to={groupOverviewPath(group.id)}>{group.name}</Link>
                  </h2>
                  <p className="muted">
                    {[group.school.name, group.schoolYear ? t('teacher.schoolYear', { year: group.schoolYear }) : null].filter(Boolean).join(' · ')}
                  </p>
                  {colleagues.length > 0 && <p className="muted">{t('teacher.teachers', { names: list.format(group.teachers.map((x) => x.displayName)) })}</p>}
                  <h3>
                    {t('teacher.pupilsHeading')} <span className="count">({t('teacher.pupilCount', { count: group.pupils.length })})</span>
                  </h3>
                  {group.pupils.length === 0 ? (
                    <p>{t('teacher.noPupils')}</p>
                  ) : (
                    <ul className="name-list">
                      {group.pupils.map((pupil) => (
                        <li key={pupil.id}>{pupil.displayName}</li>
                      ))}
                    </ul>
                  )}
                  <p className="card__action">
                    <Link className="button button--secondary button--small" to={groupOverviewPath(group.id)}>
                      {t('teacher.openOverview')}
                      <span className="visually-hidden"> {group.name}</span>
                    </Link>{' '}
                    <Link className="button button--secondary button--small" to={`/groups/${encodeURIComponent(group.id)}/cards`}>
                      {t('signInCards.group.link')}
                      <span className="visually-hidden"> {group.name}</span>
                    </Link>
                  </p>
                </section>
              </li>
            );
          })}
        </ul>
      )}
      {/* Issue 12 §1: every pupil's work waiting for this teacher's approval (project teachers have no group page). */}
      <ApprovalQueue hideWhenEmpty />
      <TeacherProjects />
    </>
  );
}

function TeacherProjects() {
  const { t } = useTranslation();
  const projects = useProjectsQuery();
  return (
    <section aria-labelledby="projects-heading" className="stack section-gap">
      <div className="section-header">
        <h2 id="projects-heading">{t('teacher.projectsHeading')}</h2>
        <Link className="button button--primary" to={newProjectPath()}>
          {t('teacher.newProject')}
        </Link>
      </div>
      {projects.isPending && <Loading />}
      {projects.isError && <QueryError error={projects.error} onRetry={() => void projects.refetch()} />}
      {projects.isSuccess &&
        (projects.data.projects.length === 0 ? <p className="muted">{t('teacher.noProjects')}</p> : <ProjectList projects={projects.data.projects} />)}
    </section>
  );
}
