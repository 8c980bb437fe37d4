import { useTranslation } from 'react-i18next';
import type { Artefact } from '../../../../../shared/api/artefacts.ts';

/** Status, who can see it, and the feedback (with how much is unread): words, not colours alone. */
export function StatusBadges({ artefact, showFeedback = true }: { artefact: Artefact; showFeedback?: boolean }) {
  const { t } = useTranslation();
  return (
    <ul className="badge-list" role="list">
      <li className={artefact.status === 'ready' ? 'badge badge--ready' : 'badge badge--draft'}>{t(`artefact.status.${artefact.status}`)}</li>
      <li className={artefact.visibility === 'guardians' ? 'badge badge--shared' : 'badge badge--private'}>
        {t(`artefact.visibility.${artefact.visibility}`)}
      </li>
      {showFeedback && artefact.feedbackCount > 0 && <li className="badge badge--count">{t('artefact.feedbackCount', { count: artefact.feedbackCount })}</li>}
      {showFeedback && artefact.unreadFeedbackCount > 0 && (
        <li className="badge badge--unread" data-testid="unread-badge">
          {t('artefact.unreadCount', { count: artefact.unreadFeedbackCount })}
        </li>
      )}
    </ul>
  );
}
