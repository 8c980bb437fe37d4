import { useTranslation } from 'react-i18next';
import type { Artefact } from '../../../../../shared/api/artefacts.ts';
import { CheckboxField } from '../../../components/form-fields.tsx';
import { LiveNotice, useNotice } from '../../../components/live-notice.tsx';
import { errorText } from '../../../lib/error-message.ts';
import { useArtefactSharingQuery, useShareHistoryMutation } from '../queries.ts';
import { ApprovalActions } from './approval-actions.tsx';

/**
 * Issue 12 §1, on a shared item's page for its pupil and teachers: whether guardians see it (waiting for approval,
 * approved, returned with the teacher's note), the pupil's "share the history too" choice, and for a teacher the
 * decision itself. Guardians never load it (the server would answer 404 anyway).
 */
export function ArtefactSharingPanel({ artefact, isOwner, canDecide }: { artefact: Artefact; isOwner: boolean; canDecide: boolean }) {
  const { t } = useTranslation();
  const state = useArtefactSharingQuery(artefact.id, artefact.visibility === 'guardians');
  const history = useShareHistoryMutation(artefact.id);
  const notice = useNotice();
  if (artefact.visibility !== 'guardians' || !state.data) return null;
  const s = state.data;
  const teacher = s.decidedBy?.displayName ?? t('guardianSharing.someone');
  const text = !s.approvalRequired
    ? t('guardianSharing.direct_state')
    : s.state === 'pending'
      ? s.approvedVersion !== null
        ? t('guardianSharing.pendingReapproval')
        : t('guardianSharing.pending')
      : s.state === 'returned'
        ? t('guardianSharing.returned', { teacher })
        : t('guardianSharing.approved', { teacher });
  return (
    <section aria-labelledby="guardian-sharing-state-heading" className="card stack" data-testid="guardian-sharing-panel">
      <h2 id="guardian-sharing-state-heading">{t('guardianSharing.statusHeading')}</h2>
      <p>{text}</p>
      {s.approvalRequired && s.note && s.state !== 'pending' && (
        <blockquote className="stack">
          <p className="muted">{t('guardianSharing.note')}</p>
          <p>{s.note}</p>
        </blockquote>
      )}
      {canDecide && s.state === 'pending' && s.requestedVersion !== null && (
        <ApprovalActions subject={{ type: 'artefact', id: artefact.id, version: s.requestedVersion }} title={artefact.title} onDone={notice.success} />
      )}
      {isOwner && (
        <>
          <CheckboxField
            name="shareHistory"
            label={t('guardianSharing.shareHistory')}
            checked={s.shareHistory}
            onChange={(checked) => history.mutate(checked, { onError: (err) => notice.error(errorText(err)) })}
          />
          <p className="field__hint">{t('guardianSharing.shareHistoryHint')}</p>
        </>
      )}
      <LiveNotice notice={notice.notice} />
    </section>
  );
}
