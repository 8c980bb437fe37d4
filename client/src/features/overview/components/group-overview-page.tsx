import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import type { GroupOverview } from '../../../../../shared/api/artefacts.ts';
import { EmptyState, Loading, pageErrorHeading, QueryError } from '../../../components/status.tsx';
import { useFormat } from '../../../lib/format.ts';
import { usePageTitle } from '../../../lib/page-title.ts';
import { useNow } from '../../../lib/use-now.ts';
import { KindIcon } from '../../artefacts/components/kind-icon.tsx';
import { artefactPath, teacherPupilPath } from '../../artefacts/paths.ts';
import { useGroupOverviewQuery } from '../queries.ts';
import { UptakeLists } from './uptake-lists.tsx';
import { GroupInsightLinks } from '../../insight/components/insight-links.tsx';
import { GroupInvitationsPanel } from '../../invitations/components/invitations-panel.tsx';
import { ApprovalQueue } from '../../guardian-sharing/components/approval-queue.tsx';

/**
 * A teacher's view of one group: what waits for feedback (oldest first) and when each pupil was
 * last active. It updates by itself as pupils post and colleagues answer.
 */
export function GroupOverviewPage() {
  const { t } = useTranslation();
  const { groupId = '' } = useParams();
  const overview = useGroupOverviewQuery(groupId);
  const failed = overview.isError ? pageErrorHeading(t, overview.error) : undefined;
  usePageTitle(overview.data ? t('overview.title', { group: overview.data.group.name }) : (failed ?? t('common.loading')));

  return (
    <>
      <p className="back-link">
        <Link to="/teacher">{t('overview.backToGroups')}</Link>
      </p>
      <div className="page-header">
        <h1>{overview.data ? t('overview.heading', { group: overview.data.group.name }) : (failed ?? t('common.loading'))}</h1>
        <p className="lead">{t('overview.intro')}</p>
      </div>
      <GroupInsightLinks groupId={groupId} />
      {overview.isPending && <Loading />}
      {overview.isError && <QueryError error={overview.error} onRetry={() => void overview.refetch()} />}
      {overview.isSuccess && (
        <div className="stack">
          <Queue overview={overview.data} />
          {/* Issue 12 §1: shared work waiting for the teacher's approval before guardians see it. */}
          <ApprovalQueue groupId={groupId} />
          <UptakeLists overview={overview.data} />
          <Pupils overview={overview.data} />
          <GroupInvitationsPanel groupId={groupId} />
        </div>
      )}
    </>
  );
}

function Queue({ overview }: { overview: GroupOverview }) {
  const { t } = useTranslation();
  const format = useFormat();
  const now = useNow(60_000);
  const pupils = new Map(overview.pupils.map((p) => [p.id, p.displayName]));
  return (
    <section aria-labelledby="queue-heading" className="stack">
      <h2 id="queue-heading">
        {t('overview.queueHeading')} <span className="count">({overview.queue.length})</span>
      </h2>
      {/* Announced when the count changes, e.g. when a pupil marks work ready while the page is open. */}
      <p className="visually-hidden" role="status">
        {t('overview.queueCount', { count: overview.queue.length })}
      </p>
      {overview.queue.length === 0 ? (
        <EmptyState heading={t('overview.queueEmpty')} headingLevel={3} />
      ) : (
        <ol className="queue" aria-labelledby="queue-heading">
          {overview.queue.map((item) => (
            <li key={item.artefactId} className="queue-item">
              <div className="queue-item__media">
                {item.thumbUrl ? <img src={item.thumbUrl} alt="" loading="lazy" /> : <KindIcon kind={item.kind} size={32} />}
              </div>
              <div>
                <h3 className="queue-item__title">
                  <Link to={artefactPath(item.artefactId)}>{item.title}</Link>
                </h3>
                <p className="muted">
                  {pupils.get(item.owner.id) ?? item.owner.displayName} · {t(`artefact.kinds.${item.kind}`)} ·{' '}
                  <time dateTime={item.readyAt} title={format.dateTime(item.readyAt)}>
                    {t('overview.readySince', { when: format.relative(item.readyAt, now) })}
                  </time>
                </p>
              </div>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function Pupils({ overview }: { overview: GroupOverview }) {
  const { t } = useTranslation();
  const format = useFormat();
  const now = useNow(60_000);
  return (
    <section aria-labelledby="pupils-heading" className="stack">
      <h2 id="pupils-heading">{t('overview.pupilsHeading')}</h2>
      {overview.pupils.length === 0 ? (
        <p className="muted">{t('teacher.noPupils')}</p>
      ) : (
        <div className="table-wrap table-wrap--stack">
          <table>
            <caption>{t('overview.pupilsCaption', { group: overview.group.name })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('overview.pupil')}</th>
                <th scope="col">{t('overview.lastActivity')}</th>
                <th scope="col" className="numeric">
                  {t('overview.artefacts')}
                </th>
                <th scope="col" className="numeric">
                  {t('overview.waiting')}
                </th>
              </tr>
            </thead>
            <tbody>
              {overview.pupils.map((pupil) => (
                <tr key={pupil.id}>
                  <th scope="row">
                    <Link to={teacherPupilPath(pupil.id)}>{pupil.displayName}</Link>
                  </th>
                  <td data-label={t('overview.lastActivity')}>
                    {pupil.lastActivityAt ? (
                      <time dateTime={pupil.lastActivityAt} title={format.dateTime(pupil.lastActivityAt)}>
                        {format.relative(pupil.lastActivityAt, now)}
                      </time>
                    ) : (
                      <span className="muted">{t('overview.noActivity')}</span>
                    )}
                  </td>
                  <td className="numeric" data-label={t('overview.artefacts')}>
                    {pupil.artefactCount}
                  </td>
                  <td className="numeric" data-label={t('overview.waiting')}>
                    {pupil.waitingCount > 0 ? <strong>{pupil.waitingCount}</strong> : 0}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
