import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useProjectsQuery } from '../../projects/queries.ts';
import { coveragePath, heatmapPath } from '../paths.ts';

/** Issue 10 §6, on the group overview: the group's competence coverage, and the goal heatmap of each of its projects. */
export function GroupInsightLinks({ groupId }: { groupId: string }) {
  const { t } = useTranslation();
  const projects = useProjectsQuery();
  const ofGroup = (projects.data?.projects ?? []).filter((p) => p.groups.some((g) => g.id === groupId));
  return (
    <nav aria-label={t('groupInsight.navLabel')}>
      <ul className="insight-links">
        <li>
          <Link to={coveragePath(groupId)}>{t('groupInsight.coverageLink')}</Link>
        </li>
        {ofGroup.map((p) => (
          <li key={p.id}>
            <Link to={heatmapPath(p.id)}>{t('groupInsight.heatmapLink', { project: p.title })}</Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
