import { useTranslation } from 'react-i18next';
import { EmptyState } from '../../../components/status.tsx';
import { usePageTitle } from '../../../lib/page-title.ts';
import { useSession } from '../../auth/session.ts';
import { PathIllustration } from './path-illustration.tsx';

export function PupilHome() {
  const { t } = useTranslation();
  usePageTitle(t('pupil.title'));
  const me = useSession();
  return (
    <>
      <div className="page-header">
        <h1>{t('pupil.heading')}</h1>
        <p className="lead">{t('pupil.greeting', { name: me.user.displayName })}</p>
      </div>
      {/* Artefacts arrive in a later release; until then the page explains what will be here, with no dead link. */}
      <EmptyState heading={t('pupil.emptyHeading')} illustration={<PathIllustration />}>
        <p>{t('pupil.emptyText')}</p>
        <p className="muted">{t('pupil.emptyHint')}</p>
      </EmptyState>
    </>
  );
}
