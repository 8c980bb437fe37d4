import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { LiveNotice, useNotice } from '../../../components/live-notice.tsx';
import { EmptyState, Loading, QueryError } from '../../../components/status.tsx';
import { useFormat } from '../../../lib/format.ts';
import { useNow } from '../../../lib/use-now.ts';
import { KindIcon } from '../../artefacts/components/kind-icon.tsx';
import { artefactPath } from '../../artefacts/paths.ts';
import { showcasePath } from '../../showcases/paths.ts';
import { useApprovalQueueQuery } from '../queries.ts';
import { ApprovalActions } from './approval-actions.tsx';

/**
 * Issue 12 §1: what the teacher's pupils shared with guardians and waits for approval, oldest first, beside the
 * feedback queue (one group's pupils on its page; every pupil's on the teacher's home, shown there only when
 * something waits). It follows `guardianApproval.changed` live.
 */
/** Whose it is and since when it waits. */
function Requested({ owner, at }: { owner: string; at: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const now = useNow(60_000);
  return (
    <p className="muted">
      {owner} ·{' '}
      <time dateTime={at} title={format.dateTime(at)}>
        {t('guardianSharing.requestedSince', { when: format.relative(at, now) })}
      </time>
    </p>
  );
}

export function ApprovalQueue({ groupId, hideWhenEmpty = false }: { groupId?: string; hideWhenEmpty?: boolean }) {
  const { t } = useTranslation();
  const queue = useApprovalQueueQuery(groupId);
  const notice = useNotice();
  if (queue.isPending) return hideWhenEmpty ? null : <Loading />;
  if (queue.isError) return <QueryError error={queue.error} onRetry={() => void queue.refetch()} />;
  const items = queue.data.items;
  if (hideWhenEmpty && items.length === 0) return null;
  return (
    <section aria-labelledby="approval-queue-heading" className="stack" data-testid="approval-queue">
      <h2 id="approval-queue-heading">
        {t('guardianSharing.queueHeading')} <span className="count">({items.length})</span>
      </h2>
      <p className="muted">{t('guardianSharing.queueIntro')}</p>
      <p className="visually-hidden" role="status">
        {t('guardianSharing.queueCount', { count: items.length })}
      </p>
      <LiveNotice notice={notice.notice} />
      {items.length === 0 ? (
        <EmptyState heading={t('guardianSharing.queueEmpty')} headingLevel={3} />
      ) : (
        <ol className="queue" aria-labelledby="approval-queue-heading">
          {items.map((item) =>
            item.subjectType === 'artefact' ? (
              <li key={item.artefactId} className="queue-item">
                <div className="queue-item__media">
                  <KindIcon kind={item.kind} size={32} />
                </div>
                <div className="stack">
                  <h3 className="queue-item__title">
                    <Link to={artefactPath(item.artefactId)}>{item.title}</Link>
                  </h3>
                  <Requested owner={item.owner.displayName} at={item.requestedAt} />
                  {item.reapproval && <p className="muted">{t('guardianSharing.reapproval')}</p>}
                  <ApprovalActions subject={{ type: 'artefact', id: item.artefactId, version: item.version }} title={item.title} onDone={notice.success} />
                </div>
              </li>
            ) : (
              // A showcase (issue 12 §1): approved as a whole, in the content the teacher opens (its fingerprint).
              <li key={item.showcaseId} className="queue-item" data-testid="approval-queue-showcase">
                <div className="queue-item__media" aria-hidden="true" />
                <div className="stack">
                  <h3 className="queue-item__title">
                    <span className="muted">{t('guardianSharing.showcaseLabel')}: </span>
                    <Link to={showcasePath(item.showcaseId)}>{item.title}</Link>
                  </h3>
                  <Requested owner={item.owner.displayName} at={item.requestedAt} />
                  {item.reapproval && <p className="muted">{t('guardianSharing.showcaseReapproval')}</p>}
                  <ApprovalActions
                    subject={{ type: 'showcase', id: item.showcaseId, fingerprint: item.fingerprint }}
                    title={item.title}
                    onDone={notice.success}
                  />
                </div>
              </li>
            ),
          )}
        </ol>
      )}
    </section>
  );
}
