import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FormError, TextAreaField } from '../../../components/form-fields.tsx';
import { errorMessage } from '../../../lib/error-message.ts';
import { useDecisionMutation } from '../queries.ts';

/**
 * Approve, or return with a note (issue 12 §1), the version the teacher looked at. Returning opens a note
 * field first: nothing is sent until the teacher confirms, and Cancel closes it again.
 */
export function ApprovalActions({
  artefactId,
  version,
  title,
  onDone,
}: {
  artefactId: string;
  version: number;
  title: string;
  onDone: (text: string) => void;
}) {
  const { t } = useTranslation();
  const decide = useDecisionMutation();
  const [returning, setReturning] = useState(false);
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const send = async (approve: boolean) => {
    setError(null);
    try {
      await decide.mutateAsync({ artefactId, version, approve, note: approve ? '' : note.trim() });
      onDone(approve ? t('guardianSharing.approvedStatus', { title }) : t('guardianSharing.returnedStatus', { title }));
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
