import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { EmptyState, Loading, QueryError } from '../../../components/status.tsx';
import { usePageTitle } from '../../../lib/page-title.ts';
import { useSession } from '../../auth/session.ts';
import { PathIllustration } from '../../home/components/path-illustration.tsx';
import { useMyChildrenQuery, useMyGroupsQuery } from '../../home/queries.ts';
import { groupOverviewPath } from '../../overview/paths.ts';
import { ExportPanel } from '../../portability/components/export-panel.tsx';
import { PupilInvitationsPanel } from '../../invitations/components/pupil-invitations-panel.tsx';
import { ProjectList } from '../../projects/components/project-list.tsx';
import { useProjectsQuery } from '../../projects/queries.ts';
import { newArtefactPath } from '../paths.ts';
import { Timeline } from './timeline.tsx';
import { PupilShowcasesPanel } from '../../showcases/components/pupil-showcases-panel.tsx';

/** The pupil's own portfolio: their projects and everything they have collected, newest first. */
export function PupilPortfolioPage() {
  const { t } = useTranslation();
  usePageTitle(t('pupil.title'));
  const me = useSession();
  const projects = useProjectsQuery();

  return (
    <>
      <div className="page-header page-header--with-action">
        <div>
          <h1>{t('pupil.heading')}</h1>
          <p className="lead">{t('pupil.greeting', { name: me.user.displayName })}</p>
        </div>
        <Link className="button button--primary" to={newArtefactPath()}>
          {t('pupil.add')}
        </Link>
      </div>
      <div className="stack">
        <section aria-labelledby="projects-heading" className="stack">
          <h2 id="projects-heading">{t('pupil.projectsHeading')}</h2>
          {projects.isPending && <Loading />}
          {projects.isError && <QueryError error={projects.error} onRetry={() => void projects.refetch()} />}
          {projects.isSuccess &&
            (projects.data.projects.length === 0 ? <p className="muted">{t('pupil.noProjects')}</p> : <ProjectList projects={projects.data.projects} />)}
        </section>
        <section aria-labelledby="timeline-heading" className="stack">
          <h2 id="timeline-heading">{t('pupil.timelineHeading')}</h2>
          <Timeline
            pupilId={me.user.id}
            headingId="timeline-heading"
            empty={
              <EmptyState heading={t('pupil.emptyHeading')} headingLevel={3} illustration={<PathIllustration />}>
                <p>{t('pupil.emptyText')}</p>
                <p>
                  <Link className="button button--primary" to={newArtefactPath()}>
                    {t('pupil.addFirst')}
                  </Link>
                </p>
              </EmptyState>
            }
          />
        </section>
        <ExportPanel pupilId={me.user.id} />
      </div>
    </>
  );
}

/** A teacher looks at one pupil's portfolio (all of it for the pupil's group teachers). */
export function TeacherPupilPage() {
  const { t } = useTranslation();
  const { pupilId = '' } = useParams();
  const groups = useMyGroupsQuery();
  const pupil = groups.data?.groups.flatMap((g) => g.pupils).find((p) => p.id === pupilId);
  const name = pupil?.displayName ?? t('pupilPortfolio.unknownPupil');
  usePageTitle(t('pupilPortfolio.title', { name }));
  const group = groups.data?.groups.find((g) => g.pupils.some((p) => p.id === pupilId));

  return (
    <>
      {group && (
        <p className="back-link">
          <Link to={groupOverviewPath(group.id)}>{t('pupilPortfolio.backToGroup', { group: group.name })}</Link>
        </p>
      )}
      <div className="page-header">
        <h1>{groups.isPending ? t('common.loading') : name}</h1>
        <p className="lead">{t('pupilPortfolio.teacherIntro')}</p>
      </div>
      {groups.isError && <QueryError error={groups.error} onRetry={() => void groups.refetch()} />}
      <section aria-labelledby="timeline-heading" className="stack">
        <h2 id="timeline-heading">{t('pupilPortfolio.timelineHeading')}</h2>
        <Timeline pupilId={pupilId} headingId="timeline-heading" empty={<EmptyState heading={t('pupilPortfolio.empty')} headingLevel={3} />} />
      </section>
      {/* Issue 12 §3: the pupil's showcases (all of them for their teachers). */}
      <div className="section-gap">
        <PupilShowcasesPanel pupilId={pupilId} />
      </div>
      <div className="section-gap">
        <ExportPanel pupilId={pupilId} />
      </div>
      {/* Only the teachers of the pupil's groups invite guardians (guardianInvitation.manage), not a project's. */}
      {group && (
        <div className="section-gap">
          <PupilInvitationsPanel pupilId={pupilId} pupilName={name} />
        </div>
      )}
    </>
  );
}

/** A guardian looks at what one child has shared with them, and the feedback on it. */
export function GuardianChildPage() {
  const { t } = useTranslation();
  const { childId = '' } = useParams();
  const children = useMyChildrenQuery();
  const child = children.data?.children.find((c) => c.id === childId);
  const name = child?.displayName ?? t('pupilPortfolio.unknownPupil');
  usePageTitle(t('pupilPortfolio.title', { name }));

  return (
    <>
      <p className="back-link">
        <Link to="/guardian">{t('pupilPortfolio.backToChildren')}</Link>
      </p>
      <div className="page-header">
        <h1>{children.isPending ? t('common.loading') : name}</h1>
        <p className="lead">{t('pupilPortfolio.guardianIntro')}</p>
      </div>
      {children.isError && <QueryError error={children.error} onRetry={() => void children.refetch()} />}
      {children.isSuccess && !child ? (
        <EmptyState heading={t('pupilPortfolio.notYourChild')} />
      ) : (
        <section aria-labelledby="timeline-heading" className="stack">
          <h2 id="timeline-heading">{t('pupilPortfolio.sharedHeading')}</h2>
          <Timeline
            pupilId={childId}
            headingId="timeline-heading"
            showFilters={false}
            empty={
              <EmptyState heading={t('pupilPortfolio.nothingShared')} headingLevel={3}>
                <p>{t('pupilPortfolio.nothingSharedText')}</p>
              </EmptyState>
            }
          />
        </section>
      )}
      {/* Issue 12 §3: the child's showcases shared with their guardians. */}
      {child && (
        <div className="section-gap">
          <PupilShowcasesPanel pupilId={childId} />
        </div>
      )}
      {child && (
        <div className="section-gap">
          <ExportPanel pupilId={childId} shared />
        </div>
      )}
    </>
  );
}
