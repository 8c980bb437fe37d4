import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { Loading, PageError, pageErrorHeading } from '../../../components/status.tsx';
import { isApiError } from '../../../lib/http.ts';
import { rolesOf, useSession } from '../../auth/session.ts';
import { ShowcaseApprovalPanel } from '../../guardian-sharing/components/showcase-approval-panel.tsx';
import { GuardianVoiceSection } from '../../guardian-voice/components/guardian-voice-section.tsx';
import { ShareLinksPanel } from '../../share-links/components/share-links-panel.tsx';
import { usePageTitle } from '../../../lib/page-title.ts';
import { editShowcasePath, showcasesPath } from '../paths.ts';
import { useShowcaseQuery } from '../queries.ts';
import { ShowcaseView } from './showcase-view.tsx';

/** One showcase, read-only: its owner sees it as others will (with a link to edit); teachers, guardians and classmates as each may. */
export function ShowcasePage() {
  const { t } = useTranslation();
  const { showcaseId = '' } = useParams();
  const showcase = useShowcaseQuery(showcaseId);
  const me = useSession();
  const heading = showcase.isError ? (isApiError(showcase.error, 'not_found') ? t('showcases.notFound') : pageErrorHeading(t, showcase.error)) : undefined;
  usePageTitle(showcase.data?.title ?? heading ?? t('common.loading'));
  if (showcase.isError) return <PageError error={showcase.error} heading={heading} onRetry={() => void showcase.refetch()} />;
  if (!showcase.data)
    return (
      <>
        <h1>{t('common.loading')}</h1>
        <Loading />
      </>
    );
  const s = showcase.data;
  return (
    <div className="stack">
      {s.canEdit && (
        <p className="back-link">
          <Link to={showcasesPath()}>{t('showcases.backToList')}</Link>
        </p>
      )}
      <div className="page-header page-header--with-action">
        <div>
          <h1>{s.title}</h1>
          <p className="muted">{t('showcases.byOwner', { name: s.ownerName })}</p>
        </div>
        {s.canEdit && (
          <Link className="button button--primary" to={editShowcasePath(s.id)}>
            {t('showcases.edit')}
          </Link>
        )}
      </div>
      <ShowcaseApprovalPanel showcase={s} />
      <ShowcaseView showcase={s} />
      {/* Issue 12 §2 on showcases: guardians' reactions and comments, marked as from a guardian (the server decides who sees what). */}
      <GuardianVoiceSection subject={{ type: 'showcase', id: s.id }} />
      {/* Secret links (issue 12 §4): the owner, or a teacher for a pupil under the school's minimum age (the panel says which). */}
      {(s.canEdit || rolesOf(me).includes('teacher')) && <ShareLinksPanel subject={{ type: 'showcase', id: s.id }} />}
    </div>
  );
}
