import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Artefact } from '../../../../../shared/api/artefacts.ts';
import { createFeedbackRequestSchema } from '../../../../../shared/api/feedback.ts';
import type { TFunction } from 'i18next';
import { errorText, showMessage, type Message } from '../../../lib/error-message.ts';
import { useCreateFeedbackMutation } from '../queries.ts';
import { CheckboxField, CheckboxGroup } from '../../../components/form-fields.tsx';

interface ComposerProps {
  artefact: Artefact;
  parentId: string | null;
  label: string;
  submitLabel: string;
  initial?: string;
  autoFocus?: boolean;
  /** Defaults to posting a new comment. */
  send?: (body: string) => Promise<unknown>;
  onSent?: () => void;
  onCancel?: () => void;
  /** A teacher's new message may name goals of the project and ask for a revision (issue 10 §3). */
  marks?: { goals: ReadonlyArray<{ id: string; text: string }> } | undefined;
}

/** A textarea and a button: new feedback, a reply, or an edit. */
export function FeedbackComposer({ artefact, parentId, label, submitLabel, initial = '', autoFocus, send, onSent, onCancel, marks }: ComposerProps) {
  const { t } = useTranslation();
  const id = useId();
  const [body, setBody] = useState(initial);
  const [error, setError] = useState<Message | null>(null);
  const [pending, setPending] = useState(false);
  const [revise, setRevise] = useState(false);
  const [goalIds, setGoalIds] = useState<string[]>([]);
  const create = useCreateFeedbackMutation(artefact);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = createFeedbackRequestSchema.safeParse({ body, parentId, ...(marks ? { revise, goalIds } : {}) });
    if (!parsed.success) {
      // A function in state must be wrapped: React would call it as an updater.
      setError(() => (tr: TFunction) => tr('feedback.emptyError'));
      document.getElementById(`${id}-body`)?.focus();
      return;
    }
    setError(null);
    setPending(true);
    try {
      await (send ? send(parsed.data.body) : create.mutateAsync(parsed.data));
      setBody('');
      setRevise(false);
      setGoalIds([]);
      onSent?.();
    } catch (err) {
      setError(() => errorText(err));
    } finally {
      setPending(false);
    }
  };

  return (
    <form className="feedback-composer" onSubmit={(e) => void submit(e)} noValidate>
      <div className={error ? 'field field--invalid' : 'field'}>
        <label htmlFor={`${id}-body`}>{label}</label>
        {error && (
          <p className="field__error" id={`${id}-error`} role="alert">
            {showMessage(t, error)}
          </p>
        )}
        <textarea
          id={`${id}-body`}
          name="body"
          rows={3}
          value={body}
          autoFocus={autoFocus}
          onChange={(e) => setBody(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
        />
      </div>
      {marks && (
        <div className="stack">
          <CheckboxField name="revise" label={t('uptake.markRevise')} checked={revise} onChange={setRevise} />
          {marks.goals.length > 0 && (
            <CheckboxGroup
              name="goalIds"
              legend={t('uptake.goalsLegend')}
              options={marks.goals.map((g) => ({ value: g.id, label: g.text }))}
              value={goalIds}
              onChange={setGoalIds}
            />
          )}
        </div>
      )}
      <div className="button-row button-row--start">
        <button type="submit" className="button button--primary button--small" disabled={pending}>
          {pending ? t('common.saving') : submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="button button--secondary button--small" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}
