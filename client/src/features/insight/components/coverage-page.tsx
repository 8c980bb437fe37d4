import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { COVERAGE_COMPETENCE_IDS, type Coverage } from '../../../../../shared/api/insight.ts';
import { EmptyState, Loading, pageErrorHeading, QueryError } from '../../../components/status.tsx';
import { useFormat } from '../../../lib/format.ts';
import { usePageTitle } from '../../../lib/page-title.ts';
import { teacherPupilPath } from '../../artefacts/paths.ts';
import { groupOverviewPath } from '../../overview/paths.ts';
import { useReferenceLabels } from '../../reference/queries.ts';
import { useCoverageQuery } from '../queries.ts';
import '../insight.css';

const CoverageChart = lazy(() => import('./coverage-chart.tsx'));

/** L1 … L7: the short name teachers use, from the competence id. */
const shortName = (id: string) => id.split(':')[1] ?? id;

/**
 * Issue 10 §6: which transversal competences (L1–L7) and subjects each pupil of a group has evidence of
 * this term, and the group's summary as a chart with the same numbers in a table. Updates live.
 */
export function CoveragePage() {
  const { t } = useTranslation();
  const { groupId = '' } = useParams();
  const coverage = useCoverageQuery(groupId);
  const failed = coverage.isError ? pageErrorHeading(t, coverage.error) : undefined;
  const title = coverage.data ? t('groupInsight.coverageTitle', { group: coverage.data.group.name }) : (failed ?? t('common.loading'));
  usePageTitle(title);
  return (
    <>
      <p className="back-link">
        <Link to={groupOverviewPath(groupId)}>{t('groupInsight.backToGroup')}</Link>
      </p>
      <div className="page-header">
        <h1>{title}</h1>
        <p className="lead">{t('groupInsight.coverageIntro')}</p>
      </div>
      {coverage.isPending && <Loading />}
      {coverage.isError && <QueryError error={coverage.error} onRetry={() => void coverage.refetch()} />}
      {coverage.isSuccess && <CoverageView coverage={coverage.data} />}
    </>
  );
}

function CoverageView({ coverage }: { coverage: Coverage }) {
  const { t } = useTranslation();
  const format = useFormat();
  const labels = useReferenceLabels();
  if (coverage.pupils.length === 0) return <EmptyState heading={t('groupInsight.noGroupPupils')} />;
  const bars = COVERAGE_COMPETENCE_IDS.map((id) => ({
    key: shortName(id),
    label: labels.competence(id),
    count: coverage.pupils.filter((p) => p.competenceIds.includes(id)).length,
  }));
  const subjects = [...new Set(coverage.pupils.flatMap((p) => p.subjectCodes))].sort();
  const total = coverage.pupils.length;
  return (
    <div className="stack">
      <p>{t('groupInsight.termSince', { date: format.date(coverage.termStart) })}</p>
      <section className="stack" aria-labelledby="coverage-summary-heading">
        <h2 id="coverage-summary-heading">{t('groupInsight.summaryHeading')}</h2>
        <Suspense fallback={<Loading />}>
          <CoverageChart bars={bars} pupils={total} />
        </Suspense>
        <div className="table-wrap insight-scroll" role="region" aria-labelledby="coverage-summary-caption" tabIndex={0}>
          <table>
            <caption id="coverage-summary-caption">{t('groupInsight.summaryCaption', { count: total })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('groupInsight.competence')}</th>
                <th scope="col" className="numeric">
                  {t('groupInsight.pupilsWithEvidence')}
                </th>
                <th scope="col" className="numeric">
                  {t('groupInsight.pupilsWithout')}
                </th>
              </tr>
            </thead>
            <tbody>
              {bars.map((b) => (
                <tr key={b.key}>
                  <th scope="row">
                    {b.key} {b.label}
                  </th>
                  <td className="numeric">{b.count}</td>
                  <td className="numeric">{b.count < total ? <strong>{total - b.count}</strong> : 0}</td>
                </tr>
              ))}
              {subjects.map((code) => {
                const count = coverage.pupils.filter((p) => p.subjectCodes.includes(code)).length;
                return (
                  <tr key={code}>
                    <th scope="row">{labels.subject(code)}</th>
                    <td className="numeric">{count}</td>
                    <td className="numeric">{count < total ? <strong>{total - count}</strong> : 0}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>
      <section className="stack" aria-labelledby="coverage-pupils-heading">
        <h2 id="coverage-pupils-heading">{t('groupInsight.pupilsHeading')}</h2>
        <div className="table-wrap insight-scroll" role="region" aria-labelledby="coverage-pupils-caption" tabIndex={0}>
          <table>
            <caption id="coverage-pupils-caption">{t('groupInsight.pupilsCaption', { group: coverage.group.name })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('groupInsight.pupil')}</th>
                {COVERAGE_COMPETENCE_IDS.map((id) => (
                  <th scope="col" key={id}>
                    <abbr title={labels.competence(id)}>{shortName(id)}</abbr>
                    <span className="visually-hidden"> {labels.competence(id)}</span>
                  </th>
                ))}
                <th scope="col">{t('groupInsight.subjects')}</th>
                <th scope="col" className="numeric">
                  {t('groupInsight.workThisTerm')}
                </th>
              </tr>
            </thead>
            <tbody>
              {coverage.pupils.map((pupil) => (
                <tr key={pupil.id}>
                  <th scope="row">
                    <Link to={teacherPupilPath(pupil.id)}>{pupil.displayName}</Link>
                  </th>
                  {COVERAGE_COMPETENCE_IDS.map((id) => (
                    <td key={id}>
                      {pupil.competenceIds.includes(id) ? (
                        <span className="coverage-mark--yes">
                          <span aria-hidden="true">✓</span> {t('groupInsight.yes')}
                        </span>
                      ) : (
                        <span className="coverage-mark--no">
                          <span aria-hidden="true">–</span> {t('groupInsight.no')}
                        </span>
                      )}
                    </td>
                  ))}
                  <td>
                    {pupil.subjectCodes.length ? (
                      pupil.subjectCodes.map((c) => labels.subject(c)).join(', ')
                    ) : (
                      <span className="muted">{t('groupInsight.none')}</span>
                    )}
                  </td>
                  <td className="numeric">
                    {pupil.artefactCount === 0 ? (
                      <strong>
                        <span aria-hidden="true">⚠ </span>
                        {t('groupInsight.noWork')}
                      </strong>
                    ) : (
                      pupil.artefactCount
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}
