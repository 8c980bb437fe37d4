import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import type { Artefact } from '../../../../../shared/api/artefacts.ts';
import { useConfirm } from '../../../components/confirm-dialog.tsx';
import { LiveNotice, useNotice } from '../../../components/live-notice.tsx';
import { useToast } from '../../../components/toast.tsx';
import { errorMessage, errorText } from '../../../lib/error-message.ts';
import type { KeepFocusState } from '../../../lib/route-focus.ts';
import { artefactPath, editArtefactPath } from '../paths.ts';
import { useDeleteArtefactMutation, useRestoreArtefactMutation, useUpdateArtefactMutation } from '../queries.ts';

/** What the pupil can do with their own artefact: ask for feedback, share, edit, delete (with undo). */
export function OwnerActions({ artefact }: { artefact: Artefact }) {
  const { t } = useTranslation();
  const update = useUpdateArtefactMutation(artefact.id);
  const remove = useDeleteArtefactMutation();
  const restore = useRestoreArtefactMutation();
  const confirm = useConfirm();
  const toast = useToast();
  const navigate = useNavigate();
  const notice = useNotice();
  const ready = artefact.status === 'ready';
  const shared = artefact.visibility === 'guardians';

  const change = async (body: Parameters<typeof update.mutateAsync>[0]['body'], done: string) => {
    try {
      await update.mutateAsync({ body });
      notice.success(done);
    } catch (error) {
      notice.error(errorText(error));
    }
  };

  const onDelete = async () => {
    if (!(await confirm(t('artefact.deleteConfirm', { title: artefact.title }), t('artefact.delete')))) return;
    try {
      const { restoreUntil } = await remove.mutateAsync(artefact);
      const state: KeepFocusState = { keepFocus: true };
      await navigate('/pupil', { state });
      toast({
        message: t('artefact.deletedToast', { title: artefact.title }),
        until: new Date(restoreUntil),
        focusAction: true,
        action: {
          label: t('artefact.undo'),
          onAction: async () => {
            try {
              const restored = await restore.mutateAsync(artefact.id);
              await navigate(artefactPath(restored.id));
              toast({ message: t('artefact.restored', { title: restored.title }) });
            } catch (error) {
              toast({ message: errorMessage(t, error) });
            }
          },
        },
      });
    } catch (error) {
      notice.error(errorText(error));
    }
  };

  return (
    <div className="owner-actions">
      <div className="button-row button-row--start">
        <button
          type="button"
          className={ready ? 'button button--secondary' : 'button button--primary'}
          disabled={update.isPending}
          onClick={() => void change({ status: ready ? 'draft' : 'ready' }, ready ? t('artefact.movedToDraft') : t('artefact.markedReady'))}
        >
          {ready ? t('artefact.backToDraft') : t('artefact.markReady')}
        </button>
        <button
          type="button"
          className="button button--secondary"
          disabled={update.isPending}
          onClick={() => void change({ visibility: shared ? 'private' : 'guardians' }, shared ? t('artefact.unshared') : t('artefact.sharedNotice'))}
        >
          {shared ? t('artefact.unshare') : t('artefact.share')}
        </button>
        <Link className="button button--secondary" to={editArtefactPath(artefact.id)}>
          {t('artefact.edit')}
        </Link>
        <button type="button" className="button button--danger-outline" disabled={remove.isPending} onClick={() => void onDelete()}>
          {t('artefact.delete')}
        </button>
      </div>
      <LiveNotice notice={notice.notice} />
    </div>
  );
}
