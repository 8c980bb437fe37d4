import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import type { GoalPage as GoalPageData } from '../../../../../shared/api/goal-assessments.ts';
import { EmptyState, Loading, PageError, pageErrorHeading } from '../../../components/status.tsx';
import { useToast } from '../../../components/toast.tsx';
import { errorMessage } from '../../../lib/error-message.ts';
import { useFormat } from '../../../lib/format.ts';
import { isApiError } from '../../../lib/http.ts';
import { usePageTitle } from '../../../lib/page-title.ts';
import { artefactPath } from '../../artefacts/paths.ts';
import { useSession } from '../../auth/session.ts';
import { projectPath } from '../../projects/paths.ts';
import { useScaleLabel } from '../../projects/components/assessment-fields.tsx';
import { ReferenceFacts } from '../../reference/components/reference-facts.tsx';
import { useGoalPageQuery, useShareAssessmentMutation } from '../queries.ts';
import { AssessmentForm } from './assessment-form.tsx';
import { GrowthTable } from './growth-table.tsx';

// The chart library is loaded only with a history to draw.
const GrowthChart = lazy(() => import('./growth-chart.tsx'));

export function GoalPage() {
  const { t } = useTranslation();
  const { goalId = '', pupilId = '' } = useParams();
  const page = useGoalPageQuery(goalId, pupilId);
  const heading = page.isError ? (isApiError(page.error, 'not_found') ? t('goalPage.notFound') : pageErrorHeading(t, page.error)) : undefined;
  usePageTitle(page.data?.goal.text ?? heading ?? t('common.loading'));
  if (page.isError) return <PageError error={page.error} heading={heading} onRetry={() => void page.refetch()} />;
  if (!page.data) {
    return (
      <>
        <h1>{t('common.loading')}</h1>
        <Loading />
      </>
    );
  }
  return <GoalView data={page.data} />;
}

function GoalView({ data }: { data: GoalPageData }) {
  const { t } = useTranslation();
  const me = useSession();
  const format = useFormat();
  const toast = useToast();
  const scaleLabel = useScaleLabel();
  const share = useShareAssessmentMutation(data.goal.id, data.pupil.id);
  const { goal, project, scale, evidence, assessments } = data;

  return (
    <div className="stack goal-page">
      <div className="page-header">
        <p className="muted">
          {t('goalPage.kicker')} · <Link to={projectPath(project.id)}>{project.title}</Link>
          {me.user.id !== data.pupil.id && <> · {data.pupil.displayName}</>}
        </p>
        <h1>{goal.text}</h1>
      </div>
      <div className="project-columns">
        <section className="card" aria-labelledby="criteria-heading">
          <h2 id="criteria-heading">{t('goalPage.criteria')}</h2>
          {goal.successCriteria.length > 0 ? (
            <ul className="criteria-list">
              {goal.successCriteria.map((c, i) => (
                <li key={i}>{c}</li>
              ))}
            </ul>
          ) : (
            <p className="muted">{t('goalPage.noCriteria')}</p>
          )}
          <dl className="facts facts--single">
            <div>
              <dt>{t('goalPage.scale')}</dt>
              <dd>{scaleLabel(scale)}</dd>
            </div>
            <ReferenceFacts
              subjectCodes={project.subjectCodes}
              competenceIds={project.competenceIds}
              subjectsTerm={t('goalPage.subjects')}
              competencesTerm={t('goalPage.competences')}
            />
          </dl>
        </section>
        <section className="card" aria-labelledby="evidence-heading">
          <h2 id="evidence-heading">{t('goalPage.evidence')}</h2>
          {evidence.length > 0 ? (
            <ul className="plain-list evidence-list">
              {evidence.map((e) => (
                <li key={e.id}>
                  <Link to={artefactPath(e.id)}>{e.title}</Link> <span className="muted">· {format.date(e.createdAt)}</span>
                </li>
              ))}
            </ul>
          ) : (
            <EmptyState heading={t('goalPage.noEvidence')} headingLevel={3}>
              <p>{t('goalPage.noEvidenceHint')}</p>
            </EmptyState>
          )}
        </section>
      </div>
      {data.canAssess && <AssessmentForm goalId={goal.id} pupilId={data.pupil.id} kind={data.canAssess} scale={scale} evidence={evidence} />}
      <section className="stack" aria-labelledby="growth-heading">
        <h2 id="growth-heading">{t('goalPage.growth')}</h2>
        {assessments.length === 0 ? (
          <EmptyState heading={t('goalPage.noAssessments')} headingLevel={3}>
            <p>{data.canAssess === 'self' ? t('goalPage.noAssessmentsSelf') : t('goalPage.noAssessmentsHint')}</p>
          </EmptyState>
        ) : (
          <>
            <figure className="card growth-figure">
              <figcaption>{t('goalPage.chartCaption')}</figcaption>
              <Suspense fallback={<Loading />}>
                <GrowthChart scale={scale} assessments={assessments} />
              </Suspense>
            </figure>
            <GrowthTable
              scale={scale}
              assessments={assessments}
              evidence={evidence}
              canShare={data.canShare}
              sharing={share.isPending}
              onShare={(a) =>
                share.mutate(
                  { assessmentId: a.id, shared: !a.sharedWithGuardians },
                  {
                    onSuccess: (updated) => toast({ message: updated.sharedWithGuardians ? t('goalPage.nowShared') : t('goalPage.nowUnshared') }),
                    onError: (error) => toast({ message: errorMessage(t, error) }),
                  },
                )
              }
            />
          </>
        )}
      </section>
    </div>
  );
}
