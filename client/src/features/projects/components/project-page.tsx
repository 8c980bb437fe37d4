import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import type { Project } from '../../../../../shared/api/projects.ts';
import { EmptyState, Loading, PageError, pageErrorHeading } from '../../../components/status.tsx';
import { useFormat } from '../../../lib/format.ts';
import { isApiError } from '../../../lib/http.ts';
import { usePageTitle } from '../../../lib/page-title.ts';
import { Timeline } from '../../artefacts/components/timeline.tsx';
import { newArtefactPath } from '../../artefacts/paths.ts';
import { rolesOf, useSession } from '../../auth/session.ts';
import { ReferenceFacts } from '../../reference/components/reference-facts.tsx';
import { goalPath } from '../../goals/paths.ts';
import { editProjectPath } from '../paths.ts';
import { useProjectQuery } from '../queries.ts';
import { useScaleLabel } from './assessment-fields.tsx';
import { heatmapPath } from '../../insight/paths.ts';
import { ProjectPeerPanel } from '../../peer-feedback/components/project-peer-panel.tsx';
import { ProjectShowcasesPanel } from '../../showcases/components/project-showcases-panel.tsx';

export function ProjectPage() {
  const { t } = useTranslation();
  const { projectId = '' } = useParams();
  const project = useProjectQuery(projectId);
  const heading = project.isError ? (isApiError(project.error, 'not_found') ? t('projects.notFound') : pageErrorHeading(t, project.error)) : undefined;
  usePageTitle(project.data?.title ?? heading ?? t('common.loading'));

  if (project.isError) return <PageError error={project.error} heading={heading} onRetry={() => void project.refetch()} />;
  if (!project.data) {
    return (
      <>
        <h1>{t('common.loading')}</h1>
        <Loading />
      </>
    );
  }
  return <ProjectView project={project.data} />;
}

/** May this user edit the project? The server decides; this only hides a button that would fail. */
function useCanEdit(project: Project): boolean {
  const me = useSession();
  return project.teachers.some((x) => x.id === me.user.id) || me.roles.some((r) => r.role === 'admin' && r.schoolId === project.schoolId);
}

function ProjectView({ project }: { project: Project }) {
  const { t } = useTranslation();
  const me = useSession();
  const format = useFormat();
  const scaleLabel = useScaleLabel();
  const canEdit = useCanEdit(project);
  const isPupil = rolesOf(me).includes('pupil');

  return (
    <div className="stack project-page">
      <div className="page-header page-header--with-action">
        <div>
          <h1>{project.title}</h1>
          <p className="muted">
            {[
              project.schoolYear ? t('projects.schoolYear', { year: project.schoolYear }) : null,
              project.startsOn || project.endsOn
                ? t('projects.span', {
                    start: project.startsOn ? format.date(project.startsOn) : '…',
                    end: project.endsOn ? format.date(project.endsOn) : '…',
                  })
                : null,
            ]
              .filter(Boolean)
              .join(' · ')}
          </p>
        </div>
        <div className="button-row button-row--start">
          {isPupil && (
            <Link className="button button--primary" to={newArtefactPath(project.id)}>
              {t('projects.addArtefact')}
            </Link>
          )}
          {/* Issue 10 §6: the project's teachers and its groups' teachers (the server decides). */}
          {me.roles.some((r) => r.role === 'teacher' && r.schoolId === project.schoolId) && (
            <Link className="button button--secondary" to={heatmapPath(project.id)}>
              {t('groupInsight.heatmapButton')}
            </Link>
          )}
          {canEdit && (
            <Link className="button button--secondary" to={editProjectPath(project.id)}>
              {t('projects.edit')}
            </Link>
          )}
        </div>
      </div>
      {project.description && <p className="project-description">{project.description}</p>}
      <div className="project-columns">
        {project.phases.length > 0 && (
          <section className="card" aria-labelledby="phases-heading">
            <h2 id="phases-heading">{t('projects.phases')}</h2>
            <ol className="phase-list">
              {project.phases.map((phase) => (
                <li key={phase.id}>{phase.title}</li>
              ))}
            </ol>
          </section>
        )}
        {project.goals.length > 0 && (
          <section className="card" aria-labelledby="goals-heading">
            <h2 id="goals-heading">{t('projects.goals')}</h2>
            <ul className="goal-list">
              {project.goals.map((goal) => (
                <li key={goal.id}>
                  {isPupil ? <Link to={goalPath(goal.id, me.user.id)}>{goal.text}</Link> : goal.text}
                  {goal.successCriteria.length > 0 && (
                    <ul className="criteria-list" aria-label={t('projects.criteriaOf', { goal: goal.text })}>
                      {goal.successCriteria.map((c, i) => (
                        <li key={i}>{c}</li>
                      ))}
                    </ul>
                  )}
                </li>
              ))}
            </ul>
          </section>
        )}
        <section className="card" aria-labelledby="about-heading">
          <h2 id="about-heading">{t('projects.about')}</h2>
          <dl className="facts facts--single">
            <div>
              <dt>{t('projects.teachers')}</dt>
              <dd>{project.teachers.map((x) => x.displayName).join(', ') || t('common.notSet')}</dd>
            </div>
            <div>
              <dt>{t('projects.groups')}</dt>
              <dd>{project.groups.map((g) => g.name).join(', ') || t('common.notSet')}</dd>
            </div>
            <div>
              <dt>{t('projects.scale')}</dt>
              <dd>{scaleLabel(project.scale)}</dd>
            </div>
            <ReferenceFacts
              subjectCodes={project.subjectCodes}
              competenceIds={project.competenceIds}
              subjectsTerm={t('projects.subjects')}
              competencesTerm={t('projects.competences')}
            />
          </dl>
        </section>
      </div>
      {/* Issue 10 §5: peer feedback setting, moderation and the classmates' work list. */}
      <ProjectPeerPanel projectId={project.id} />
      {/* Issue 12 §3: showcase templates (its teachers keep them, its pupils start from them) and showcases shared with it. */}
      <ProjectShowcasesPanel projectId={project.id} goals={project.goals} />
      {isPupil && (
        <section aria-labelledby="my-work-heading" className="stack">
          <h2 id="my-work-heading">{t('projects.myWork')}</h2>
          <Timeline
            pupilId={me.user.id}
            headingId="my-work-heading"
            fixed={{ projectId: project.id }}
            empty={<EmptyState heading={t('projects.noWorkYet')} headingLevel={3} />}
          />
        </section>
      )}
    </div>
  );
}
