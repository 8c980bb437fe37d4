import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { LiveNotice, useNotice } from '../../../components/live-notice.tsx';
import { EmptyState, Loading, QueryError } from '../../../components/status.tsx';
import { usePageTitle } from '../../../lib/page-title.ts';
import type { GuardianComment } from '../../../../../shared/api/guardian-voice.ts';
import { artefactPath } from '../../artefacts/paths.ts';
import { showcasePath } from '../../showcases/paths.ts';
import { useGuardianModerationQuery } from '../queries.ts';
import { GuardianComments } from './guardian-comments.tsx';

/** Where a comment's item is: its artefact's page, or its showcase's (issue 12 §3). */
const itemPath = (c: GuardianComment) => (c.showcaseId ? showcasePath(c.showcaseId) : artefactPath(c.artefactId ?? ''));

/** Issue 12 §2: a teacher's list of held and reported guardian comments on their pupils' work (kept live by the realtime hook). */
export function GuardianModerationPage() {
  const { t } = useTranslation();
  usePageTitle(t('guardianVoice.moderation.title'));
  const list = useGuardianModerationQuery();
  const notice = useNotice();
  return (
    <section className="stack" aria-labelledby="guardian-moderation-heading">
      <h1 id="guardian-moderation-heading">{t('guardianVoice.moderation.heading')}</h1>
      <p>{t('guardianVoice.moderation.intro')}</p>
      <LiveNotice notice={notice.notice} />
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <QueryError error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <EmptyState heading={t('guardianVoice.moderation.emptyHeading')}>
          <p>{t('guardianVoice.moderation.emptyText')}</p>
        </EmptyState>
      ) : (
        <>
          <GuardianComments
            items={list.data.items}
            canReport={false}
            canModerate
            notice={notice}
            about={(item) => {
              const entry = list.data.items.find((i) => i.id === item.id);
              return entry ? t('guardianVoice.moderation.about', { pupil: entry.owner.displayName, title: entry.artefactTitle }) : null;
            }}
          />
          <ul className="link-list">
            {[...new Map(list.data.items.map((i) => [itemPath(i), i])).entries()].map(([path, i]) => (
              <li key={path}>
                <Link to={path}>
                  {t(i.showcaseId ? 'guardianVoice.moderation.openShowcase' : 'guardianVoice.moderation.open', {
                    title: i.artefactTitle,
                    pupil: i.owner.displayName,
                  })}
                </Link>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
