import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Artefact } from '../../../../../shared/api/artefacts.ts';
import { createFeedbackRequestSchema, createVoiceFeedbackRequestSchema } from '../../../../../shared/api/feedback.ts';
import type { TFunction } from 'i18next';
import { errorText, showMessage, type Message } from '../../../lib/error-message.ts';
import { useCreateFeedbackMutation, useCreateVoiceFeedbackMutation } from '../queries.ts';
import { AudioRecorder } from '../../artefacts/components/audio-recorder.tsx';
import { useAnchors } from '../anchors.tsx';
import { AnchorPicker } from './anchor-picker.tsx';
import { VoicePreview } from '../../goals/components/voice-preview.tsx';
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
  /** Issue 10 §3: the new message may point at a region or moment of the work's media (the top-level composer). */
  anchorable?: boolean;
}

/** A textarea and a button: new feedback, a reply, or an edit. */
export function FeedbackComposer({
  artefact,
  parentId,
  label,
  submitLabel,
  initial = '',
  autoFocus,
  send,
  onSent,
  onCancel,
  marks,
  anchorable,
}: ComposerProps) {
  const { t } = useTranslation();
  const id = useId();
  const [body, setBody] = useState(initial);
  const [error, setError] = useState<Message | null>(null);
  const [pending, setPending] = useState(false);
  const [revise, setRevise] = useState(false);
  const [goalIds, setGoalIds] = useState<string[]>([]);
  const create = useCreateFeedbackMutation(artefact);
  const createVoice = useCreateVoiceFeedbackMutation(artefact);
  // Issue 10 §3: a voice message (not when editing), and the anchor drawn over the media (top-level only).
  const [audio, setAudio] = useState<File | null>(null);
  const anchors = useAnchors();
  const anchor = anchorable ? anchors.draft : null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const fields = { body, parentId, ...(marks ? { revise, goalIds } : {}), ...(anchor ? { anchor } : {}) };
    if (audio && !send) {
      const voice = createVoiceFeedbackRequestSchema.safeParse(fields);
      if (!voice.success) {
        setError(() => (tr: TFunction) => tr('feedback.emptyError'));
        return;
      }
      setError(null);
      setPending(true);
      try {
        await createVoice.mutateAsync({ body: voice.data, audio });
        setBody('');
        setRevise(false);
        setGoalIds([]);
        setAudio(null);
        if (anchorable) anchors.setDraft(null);
        onSent?.();
      } catch (err) {
        setError(() => errorText(err));
      } finally {
        setPending(false);
      }
      return;
    }
    const parsed = createFeedbackRequestSchema.safeParse(fields);
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
      if (anchorable) anchors.setDraft(null);
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
      {!send && <VoiceAttachment audio={audio} onChange={setAudio} />}
      {anchorable && <AnchorPicker media={artefact.media} />}
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

/** A recorded voice message waiting to be sent (heard back, or removed), or the recorder. */
function VoiceAttachment({ audio, onChange }: { audio: File | null; onChange: (file: File | null) => void }) {
  return audio ? <VoicePreview audio={audio} onRemove={() => onChange(null)} /> : <AudioRecorder onRecorded={onChange} />;
}
