import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FormError, TextAreaField } from '../../../components/form-fields.tsx';
import { errorMessage } from '../../../lib/error-message.ts';
import { useDecisionMutation, useShowcaseDecisionMutation } from '../queries.ts';

/** What the teacher decides on: an artefact's version, or a showcase's content (its fingerprint) as they saw it. */
export type DecisionSubject = { type: 'artefact'; id: string; version: number } | { type: 'showcase'; id: string; fingerprint: string };

/**
 * Approve, or return with a note (issue 12 §1), the version the teacher looked at. Returning opens a note
 * field first: nothing is sent until the teacher confirms, and Cancel closes it again.
 */
export function ApprovalActions({ subject, title, onDone }: { subject: DecisionSubject; title: string; onDone: (text: string) => void }) {
  const { t } = useTranslation();
  const decideArtefact = useDecisionMutation();
  const decideShowcase = useShowcaseDecisionMutation();
  const decide = subject.type === 'artefact' ? decideArtefact : decideShowcase;
  const [returning, setReturning] = useState(false);
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const send = async (approve: boolean) => {
    setError(null);
    try {
      const text = approve ? '' : note.trim();
      if (subject.type === 'artefact') await decideArtefact.mutateAsync({ artefactId: subject.id, version: subject.version, approve, note: text });
      else await decideShowcase.mutateAsync({ showcaseId: subject.id, fingerprint: subject.fingerprint, approve, note: text });
      const approved = subject.type === 'artefact' ? 'guardianSharing.approvedStatus' : 'guardianSharing.showcaseApprovedStatus';
      onDone(approve ? t(approved, { title }) : t('guardianSharing.returnedStatus', { title }));
    } catch (err) {
      setError(errorMessage(t, err));
    }
  };
  if (returning)
    return (
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void send(false);
        }}
      >
        <FormError message={error} />
        <TextAreaField name="note" label={t('guardianSharing.noteLabel')} value={note} onChange={setNote} required rows={3} />
        <div className="button-row">
          <button type="submit" className="button button--primary" disabled={decide.isPending || note.trim() === ''}>
            {t('guardianSharing.sendReturn')}
          </button>
          <button type="button" className="button button--secondary" onClick={() => setReturning(false)}>
            {t('guardianSharing.cancel')}
          </button>
        </div>
      </form>
    );
  return (
    <div className="stack">
      <FormError message={error} />
      <div className="button-row">
        <button
          type="button"
          className="button button--primary button--small"
          disabled={decide.isPending}
          aria-label={t('guardianSharing.approveItem', { title })}
          onClick={() => void send(true)}
        >
          {t('guardianSharing.approve')}
        </button>
        <button
          type="button"
          className="button button--secondary button--small"
          aria-label={t('guardianSharing.returnItem', { title })}
          onClick={() => setReturning(true)}
        >
          {t('guardianSharing.return')}
        </button>
      </div>
    </div>
  );
}
