import { useTranslation } from 'react-i18next';
import type { ShowcaseApproval } from '../../../../../shared/api/guardian-sharing.ts';
import type { Showcase } from '../../../../../shared/api/showcases.ts';
import { LiveNotice, useNotice } from '../../../components/live-notice.tsx';
import { ApprovalActions } from './approval-actions.tsx';

/**
 * Issue 12 §1 on a showcase's page, for its pupil and their teachers while it is shared where a teacher approves
 * what guardians see: waiting, approved or returned (with the teacher's note); for a teacher the decision itself,
 * about the content on this page (its fingerprint). The server sends the state to those viewers only.
 */
export function ShowcaseApprovalPanel({ showcase }: { showcase: Showcase }) {
  const { t } = useTranslation();
  const notice = useNotice();
  const s = showcase.guardianApproval;
  if (!s) return null;
  return (
    <section aria-labelledby="showcase-approval-heading" className="card stack" data-testid="showcase-approval-panel">
      <h2 id="showcase-approval-heading">{t('guardianSharing.statusHeading')}</h2>
      <ShowcaseApprovalState approval={s} editable={showcase.canEdit} />
      {!showcase.canEdit && s.state === 'pending' && (
        <ApprovalActions subject={{ type: 'showcase', id: showcase.id, fingerprint: s.fingerprint }} title={showcase.title} onDone={notice.success} />
      )}
      <LiveNotice notice={notice.notice} />
    </section>
  );
}

/** The state in words, the last decision's note, and for the pupil what an edit does (also under the editor's sharing form). */
export function ShowcaseApprovalState({ approval: s, editable }: { approval: ShowcaseApproval; editable: boolean }) {
  const { t } = useTranslation();
  const teacher = s.decidedBy?.displayName ?? t('guardianSharing.someone');
  const text =
    s.state === 'pending'
      ? s.reapproval
        ? t('guardianSharing.showcasePendingReapproval')
        : t('guardianSharing.showcasePending')
      : s.state === 'returned'
        ? t('guardianSharing.showcaseReturned', { teacher })
        : t('guardianSharing.showcaseApproved', { teacher });
  return (
    <>
      <p>{text}</p>
      {s.note && (
        <blockquote className="stack">
          <p className="muted">{t('guardianSharing.note')}</p>
          <p>{s.note}</p>
        </blockquote>
      )}
      {editable && <p className="field__hint">{t('guardianSharing.showcaseEditHint')}</p>}
    </>
  );
}
