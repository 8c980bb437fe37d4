import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import type { Digest } from '../../../../../shared/api/digest.ts';
import { EmptyState, Loading, QueryError } from '../../../components/status.tsx';
import { useFormat } from '../../../lib/format.ts';
import { usePageTitle } from '../../../lib/page-title.ts';
import { artefactPath } from '../../artefacts/paths.ts';
import { useDigestQuery } from '../queries.ts';

/** Issue 12 §5: a guardian's weekly digest, this week and earlier ones. */
export function DigestPage() {
  const { t } = useTranslation();
  usePageTitle(t('digest.title'));
  const [params] = useSearchParams();
  const week = params.get('week');
  const digest = useDigestQuery(week);
  return (
    <>
      <div className="page-header">
        <h1>{t('digest.heading')}</h1>
        <p className="lead">{t('digest.intro')}</p>
        <p>
          <Link to="/notifications/settings">{t('digest.settingsLink')}</Link>
        </p>
      </div>
      {digest.isPending && <Loading />}
      {digest.isError && <QueryError error={digest.error} onRetry={() => void digest.refetch()} />}
      {digest.isSuccess && <Week digest={digest.data} />}
    </>
  );
}

function Week({ digest }: { digest: Digest }) {
  const { t } = useTranslation();
  const format = useFormat();
  const empty = digest.children.every((c) => c.shared.length + c.goals.length + c.feedback.length === 0);
  return (
    <div className="stack">
      <nav aria-label={t('digest.weeks')} className="digest-weeks">
        <Link to={`/digest?week=${digest.previousWeek}`}>{t('digest.previous')}</Link>
        <h2>
          {t('digest.week', { week: digest.week })}{' '}
          <span className="hint">({t('digest.span', { from: format.date(digest.from), to: format.date(digest.to) })})</span>
        </h2>
        {digest.nextWeek && <Link to={`/digest?week=${digest.nextWeek}`}>{t('digest.next')}</Link>}
      </nav>
      {empty && (
        <EmptyState heading={t('digest.emptyHeading')}>
          <p>{t('digest.emptyText')}</p>
        </EmptyState>
      )}
      {!empty &&
        digest.children.map((child) => (
          <section key={child.pupil.id} className="stack" aria-labelledby={`digest-child-${child.pupil.id}`}>
            <h3 id={`digest-child-${child.pupil.id}`}>{child.pupil.displayName}</h3>
            {child.shared.length + child.goals.length + child.feedback.length === 0 && <p>{t('digest.childNothing')}</p>}
            {child.shared.length > 0 && (
              <>
                <h4>{t('digest.shared')}</h4>
                <ul role="list">
                  {child.shared.map((s) => (
                    <li key={s.artefactId}>
                      <Link to={artefactPath(s.artefactId)}>{s.title || t('notifications.untitled')}</Link>
                    </li>
                  ))}
                </ul>
              </>
            )}
            {child.goals.length > 0 && (
              <>
                <h4>{t('digest.goals')}</h4>
                <ul role="list">
                  {child.goals.map((g) => (
                    <li key={g.goalId}>
                      {g.text} <span className="hint">({g.projectTitle})</span>
                      <br />
                      {g.latestSelf ? t('digest.latestSelf', { level: g.latestSelf.label ?? String(g.latestSelf.level + 1) }) : t('digest.noSelf')}
                      {g.latestSelf?.reflection && (
                        <>
                          <br />
                          <q>{g.latestSelf.reflection}</q>
                        </>
                      )}
                    </li>
                  ))}
                </ul>
              </>
            )}
            {child.feedback.length > 0 && (
              <>
                <h4>{t('digest.feedback')}</h4>
                <ul role="list">
                  {child.feedback.map((f) => (
                    <li key={f.feedbackId}>
                      <Link to={artefactPath(f.artefactId)}>{t('digest.feedbackOn', { author: f.authorName, title: f.artefactTitle })}</Link>
                      <blockquote>{f.body}</blockquote>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </section>
        ))}
    </div>
  );
}
