import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import type { Heatmap, HeatmapCell } from '../../../../../shared/api/insight.ts';
import { EmptyState, Loading, pageErrorHeading, QueryError } from '../../../components/status.tsx';
import { usePageTitle } from '../../../lib/page-title.ts';
import { useLevelText } from '../../goals/components/level-picker.tsx';
import { goalPath } from '../../goals/paths.ts';
import { projectPath } from '../../projects/paths.ts';
import { useHeatmapQuery } from '../queries.ts';
import '../insight.css';

/**
 * Issue 10 §6: a project's pupils × goals. Each cell shows the latest self-assessment, the latest teacher's
 * level and how much work is linked to the goal, and links to the pupil's goal page. A goal without any
 * evidence is marked by an icon and words as well as by its look. Updates live (lib/realtime.ts).
 */
export function HeatmapPage() {
  const { t } = useTranslation();
  const { projectId = '' } = useParams();
  const heatmap = useHeatmapQuery(projectId);
  const failed = heatmap.isError ? pageErrorHeading(t, heatmap.error) : undefined;
  const title = heatmap.data ? t('groupInsight.heatmapTitle', { project: heatmap.data.project.title }) : (failed ?? t('common.loading'));
  usePageTitle(title);

  return (
    <>
      <p className="back-link">
        <Link to={projectPath(projectId)}>{t('groupInsight.backToProject')}</Link>
      </p>
      <div className="page-header">
        <h1>{title}</h1>
        <p className="lead">{t('groupInsight.heatmapIntro')}</p>
      </div>
      {heatmap.isPending && <Loading />}
      {heatmap.isError && <QueryError error={heatmap.error} onRetry={() => void heatmap.refetch()} />}
      {heatmap.isSuccess && <HeatmapTable heatmap={heatmap.data} />}
    </>
  );
}

function HeatmapTable({ heatmap }: { heatmap: Heatmap }) {
  const { t } = useTranslation();
  if (heatmap.goals.length === 0) return <EmptyState heading={t('groupInsight.noGoals')} />;
  if (heatmap.pupils.length === 0) return <EmptyState heading={t('groupInsight.noPupils')} />;
  const missing = heatmap.pupils.reduce((n, p) => n + p.cells.filter((c) => c.evidenceCount === 0).length, 0);
  return (
    <div className="stack">
      <p className="muted" id="heatmap-legend">
        {t('groupInsight.legend')}
      </p>
      {/* Announced when a pupil adds work while the page is open. */}
      <p role="status">{t('groupInsight.missingCount', { count: missing })}</p>
      <div className="table-wrap insight-scroll" role="region" aria-labelledby="heatmap-caption" tabIndex={0}>
        <table className="heatmap">
          <caption id="heatmap-caption">{t('groupInsight.heatmapCaption', { project: heatmap.project.title })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('groupInsight.pupil')}</th>
              {heatmap.goals.map((goal) => (
                <th scope="col" key={goal.id} className="heatmap__goal">
                  {goal.text}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {heatmap.pupils.map((pupil) => (
              <tr key={pupil.id}>
                <th scope="row">{pupil.displayName}</th>
                {pupil.cells.map((cell, i) => (
                  <td key={cell.goalId}>
                    <Cell heatmap={heatmap} cell={cell} pupil={pupil.displayName} pupilId={pupil.id} goal={heatmap.goals[i]?.text ?? ''} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** How far along the latest level is (teacher's first, else the pupil's own): one of five looks, 'none' without any. */
function shade(heatmap: Heatmap, cell: HeatmapCell): string {
  const level = cell.teacherLevel ?? cell.selfLevel;
  const top = heatmap.scale.levels.length - 1;
  if (level === null || top <= 0) return 'none';
  return String(Math.round((Math.min(level, top) / top) * 3));
}

function Cell({ heatmap, cell, pupil, pupilId, goal }: { heatmap: Heatmap; cell: HeatmapCell; pupil: string; pupilId: string; goal: string }) {
  const { t } = useTranslation();
  const levelText = useLevelText();
  const level = (l: number | null) => (l === null ? t('groupInsight.notAssessed') : levelText(heatmap.scale, l));
  const noEvidence = cell.evidenceCount === 0;
  return (
    <Link
      to={goalPath(cell.goalId, pupilId)}
      className={`heatmap-cell heatmap-cell--${shade(heatmap, cell)}${noEvidence ? ' heatmap-cell--no-evidence' : ''}`}
      aria-describedby="heatmap-legend"
    >
      <span className="visually-hidden">{t('groupInsight.cellContext', { pupil, goal })}: </span>
      <span className="heatmap-cell__line">
        <span className="heatmap-cell__label">{t('groupInsight.selfLabel')}</span> {level(cell.selfLevel)}
      </span>
      <span className="heatmap-cell__line">
        <span className="heatmap-cell__label">{t('groupInsight.teacherLabel')}</span> {level(cell.teacherLevel)}
      </span>
      <span className="heatmap-cell__line heatmap-cell__evidence">
        {noEvidence ? (
          <>
            <span aria-hidden="true">⚠ </span>
            <strong>{t('groupInsight.noEvidence')}</strong>
          </>
        ) : (
          t('groupInsight.evidence', { count: cell.evidenceCount })
        )}
      </span>
    </Link>
  );
}
