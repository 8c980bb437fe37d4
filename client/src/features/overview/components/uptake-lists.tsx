import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { GroupOverview } from '../../../../../shared/api/artefacts.ts';
import { EmptyState } from '../../../components/status.tsx';
import { useFormat } from '../../../lib/format.ts';
import { useNow } from '../../../lib/use-now.ts';
import { KindIcon } from '../../artefacts/components/kind-icon.tsx';
import { artefactPath } from '../../artefacts/paths.ts';

/**
 * Issue 10 §4, the teacher's side of the uptake loop: work revised after their feedback (its
 * changes one click away) and revision requests not yet done. Live with the rest of the overview.
 */
export function UptakeLists({ overview }: { overview: GroupOverview }) {
  const { t } = useTranslation();
  const format = useFormat();
  const now = useNow(60_000);
  return (
    <>
      <section aria-labelledby="revised-heading" className="stack" data-testid="revised-list">
        <h2 id="revised-heading">
          {t('uptake.queue.revisedHeading')} <span className="count">({overview.revised.length})</span>
        </h2>
        <p className="visually-hidden" role="status">
          {t('uptake.queue.revisedCount', { count: overview.revised.length })}
        </p>
        {overview.revised.length === 0 ? (
          <EmptyState heading={t('uptake.queue.revisedEmpty')} headingLevel={3} />
        ) : (
          <ol className="queue" aria-labelledby="revised-heading">
            {overview.revised.map((item) => (
              <li key={item.artefactId} className="queue-item">
                <div className="queue-item__media">
                  <KindIcon kind={item.kind} size={32} />
                </div>
                <div>
                  <h3 className="queue-item__title">
                    <Link to={artefactPath(item.artefactId)}>{item.title}</Link>
                  </h3>
                  <p className="muted">
                    {item.owner.displayName} ·{' '}
                    <time dateTime={item.revisedAt} title={format.dateTime(item.revisedAt)}>
                      {t('uptake.queue.revisedWhen', { when: format.relative(item.revisedAt, now) })}
                    </time>
                  </p>
                  <p>
                    <Link to={`${artefactPath(item.artefactId)}?diff=${item.version}&from=${item.sinceVersion}#history`}>
                      {t('uptake.queue.showDiff', { from: item.sinceVersion, to: item.version })}
                      <span className="visually-hidden">: {item.title}</span>
                    </Link>
                  </p>
                </div>
              </li>
            ))}
          </ol>
        )}
      </section>
      <section aria-labelledby="requested-heading" className="stack" data-testid="requested-list">
        <h2 id="requested-heading">
          {t('uptake.queue.requestedHeading')} <span className="count">({overview.revisionRequested.length})</span>
        </h2>
        <p className="visually-hidden" role="status">
          {t('uptake.queue.requestedCount', { count: overview.revisionRequested.length })}
        </p>
        {overview.revisionRequested.length === 0 ? (
          <EmptyState heading={t('uptake.queue.requestedEmpty')} headingLevel={3} />
        ) : (
          <ol className="queue" aria-labelledby="requested-heading">
            {overview.revisionRequested.map((item) => (
              <li key={item.feedbackId} className="queue-item">
                <div className="queue-item__media">
                  <KindIcon kind={item.kind} size={32} />
                </div>
                <div>
                  <h3 className="queue-item__title">
                    <Link to={`${artefactPath(item.artefactId)}#feedback-${item.feedbackId}`}>{item.title}</Link>
                  </h3>
                  <p className="muted">
                    {item.owner.displayName} ·{' '}
                    <time dateTime={item.requestedAt} title={format.dateTime(item.requestedAt)}>
                      {t('uptake.queue.requestedSince', { when: format.relative(item.requestedAt, now) })}
                    </time>
                  </p>
                </div>
              </li>
            ))}
          </ol>
        )}
      </section>
    </>
  );
}
