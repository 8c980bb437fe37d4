import { useTranslation } from 'react-i18next';
import type { PeerFeedback } from '../../../../../shared/api/peer-feedback.ts';
import { useConfirm } from '../../../components/confirm-dialog.tsx';
import type { useNotice } from '../../../components/live-notice.tsx';
import { errorText } from '../../../lib/error-message.ts';
import { useFormat } from '../../../lib/format.ts';
import { useModeratePeerFeedbackMutation, useReportPeerFeedbackMutation } from '../queries.ts';

interface Props {
  items: readonly PeerFeedback[];
  canReport: boolean;
  canModerate: boolean;
  notice: ReturnType<typeof useNotice>;
  /** Extra line per message (the teacher's list names the work). */
  about?: (item: PeerFeedback) => string | null;
}

/** Peer messages, "two stars and a wish", each marked as peer feedback, with the actions the viewer may take. */
export function PeerMessages({ items, canReport, canModerate, notice, about }: Props) {
  const { t } = useTranslation();
  const format = useFormat();
  const confirm = useConfirm();
  const report = useReportPeerFeedbackMutation();
  const moderate = useModeratePeerFeedbackMutation();

  const onReport = async (item: PeerFeedback) => {
    if (!(await confirm(t('peerFeedback.reportConfirm'), t('peerFeedback.report')))) return;
    report.mutate(item.id, { onSuccess: () => notice.success(t('peerFeedback.reported')), onError: (e) => notice.error(errorText(e)) });
  };
  const onModerate = async (item: PeerFeedback, action: 'approve' | 'hide') => {
    if (action === 'hide' && !(await confirm(t('peerFeedback.hideConfirm'), t('peerFeedback.hide')))) return;
    moderate.mutate(
      { id: item.id, action },
      { onSuccess: () => notice.success(t(action === 'hide' ? 'peerFeedback.hidden' : 'peerFeedback.approved')), onError: (e) => notice.error(errorText(e)) },
    );
  };

  return (
    <ul className="peer-messages">
      {items.map((item) => {
        const author = item.author?.displayName ?? item.importedAuthor?.displayName ?? t('peerFeedback.someone');
        const line = about?.(item);
        return (
          <li key={item.id} className={`peer-message peer-message--${item.state}`} data-testid="peer-message">
            <p className="peer-message__meta">
              <span className="badge badge--peer">{t('peerFeedback.badge')}</span> <strong>{author}</strong> · {format.dateTime(item.createdAt)}
              {item.state !== 'shown' && (
                <>
                  {' '}
                  · <span className="badge badge--off">{t(`peerFeedback.state.${item.state}`)}</span>
                </>
              )}
            </p>
            {line && <p className="muted">{line}</p>}
            <dl className="peer-message__body">
              <dt>⭐ {t('peerFeedback.star1')}</dt>
              <dd>{item.star1}</dd>
              <dt>⭐ {t('peerFeedback.star2')}</dt>
              <dd>{item.star2}</dd>
              <dt>🌱 {t('peerFeedback.wish')}</dt>
              <dd>{item.wish}</dd>
            </dl>
            <div className="peer-message__actions">
              {canReport && item.state === 'shown' && (
                <button type="button" className="button button--secondary" onClick={() => void onReport(item)} disabled={report.isPending}>
                  {t('peerFeedback.report')}
                </button>
              )}
              {canModerate && item.state !== 'shown' && (
                <button type="button" className="button" onClick={() => void onModerate(item, 'approve')} disabled={moderate.isPending}>
                  {t('peerFeedback.approve')}
                </button>
              )}
              {canModerate && item.state !== 'hidden' && (
                <button type="button" className="button button--secondary" onClick={() => void onModerate(item, 'hide')} disabled={moderate.isPending}>
                  {t('peerFeedback.hide')}
                </button>
              )}
            </div>
          </li>
        );
      })}
    </ul>
  );
}
