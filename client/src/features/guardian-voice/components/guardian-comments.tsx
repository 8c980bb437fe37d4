import { useTranslation } from 'react-i18next';
import type { GuardianComment } from '../../../../../shared/api/guardian-voice.ts';
import { useConfirm } from '../../../components/confirm-dialog.tsx';
import type { useNotice } from '../../../components/live-notice.tsx';
import { errorText } from '../../../lib/error-message.ts';
import { useFormat } from '../../../lib/format.ts';
import { useGuardianCommentActionMutation } from '../queries.ts';

interface Props {
  items: readonly GuardianComment[];
  canReport: boolean;
  canModerate: boolean;
  notice: ReturnType<typeof useNotice>;
  /** Extra line per comment (the moderation list names the work and the pupil). */
  about?: (item: GuardianComment) => string | null;
}

/** Guardian comments, each marked as from a guardian, with the actions the viewer may take. Plain text, never HTML. */
export function GuardianComments({ items, canReport, canModerate, notice, about }: Props) {
  const { t } = useTranslation();
  const format = useFormat();
  const confirm = useConfirm();
  const act = useGuardianCommentActionMutation();

  const run = async (item: GuardianComment, action: 'approve' | 'hide' | 'report' | 'delete') => {
    if (action !== 'approve' && !(await confirm(t(`guardianVoice.confirm.${action}`), t(`guardianVoice.action.${action}`)))) return;
    act.mutate({ id: item.id, action }, { onSuccess: () => notice.success(t(`guardianVoice.done.${action}`)), onError: (e) => notice.error(errorText(e)) });
  };

  return (
    <ul className="peer-messages guardian-comments">
      {items.map((item) => {
        const line = about?.(item);
        const author = item.mine ? t('guardianVoice.you') : (item.author?.displayName ?? t('guardianVoice.aGuardian'));
        return (
          <li key={item.id} className={`peer-message peer-message--${item.state}`} data-testid="guardian-comment">
            <p className="peer-message__meta">
              <span className="badge badge--peer">{t('guardianVoice.badge')}</span> <strong>{author}</strong> · {format.dateTime(item.createdAt)}
              {item.state !== 'shown' && (
                <>
                  {' '}
                  · <span className="badge badge--off">{t(`guardianVoice.state.${item.state}`)}</span>
                </>
              )}
            </p>
            {line && <p className="muted">{line}</p>}
            <p className="guardian-comment__body">{item.body}</p>
            <div className="peer-message__actions">
              {canReport && item.state === 'shown' && (
                <button type="button" className="button button--secondary" onClick={() => void run(item, 'report')} disabled={act.isPending}>
                  {t('guardianVoice.action.report')}
                </button>
              )}
              {canModerate && item.state !== 'shown' && (
                <button type="button" className="button" onClick={() => void run(item, 'approve')} disabled={act.isPending}>
                  {t('guardianVoice.action.approve')}
                </button>
              )}
              {canModerate && item.state !== 'hidden' && (
                <button type="button" className="button button--secondary" onClick={() => void run(item, 'hide')} disabled={act.isPending}>
                  {t('guardianVoice.action.hide')}
                </button>
              )}
              {item.mine && (
                <button type="button" className="button button--secondary" onClick={() => void run(item, 'delete')} disabled={act.isPending}>
                  {t('guardianVoice.action.delete')}
                </button>
              )}
            </div>
          </li>
        );
      })}
    </ul>
  );
}
