import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AssessmentKind, GoalEvidence } from '../../../../../shared/api/goal-assessments.ts';
import { REFLECTION_MAX } from '../../../../../shared/api/goal-assessments.ts';
import type { Scale } from '../../../../../shared/api/scales.ts';
import { CheckboxField, CheckboxGroup, FormError, SubmitButton, TextAreaField } from '../../../components/form-fields.tsx';
import { useToast } from '../../../components/toast.tsx';
import { errorMessage } from '../../../lib/error-message.ts';
import { fieldErrorsFromApi } from '../../../lib/form-errors.ts';
import { useAssessGoalMutation } from '../queries.ts';
import { LevelPicker } from './level-picker.tsx';
import { AudioRecorder } from '../../artefacts/components/audio-recorder.tsx';
import { VoicePreview } from './voice-preview.tsx';

/** A pupil's self-assessment, or a teacher's level: a level on the scale, an optional reflection, and the work it rests on. */
export function AssessmentForm({
  goalId,
  pupilId,
  kind,
  scale,
  evidence,
}: {
  goalId: string;
  pupilId: string;
  kind: AssessmentKind;
  scale: Scale;
  evidence: readonly GoalEvidence[];
}) {
  const { t } = useTranslation();
  const toast = useToast();
  const assess = useAssessGoalMutation(goalId, pupilId);
  const [level, setLevel] = useState<number | null>(null);
  const [reflection, setReflection] = useState('');
  const [artefactIds, setArtefactIds] = useState<string[]>([]);
  const [shared, setShared] = useState(false);
  const [audio, setAudio] = useState<File | null>(null);
  const [levelError, setLevelError] = useState<string | undefined>();
  const fieldErrors = assess.error ? fieldErrorsFromApi(t, assess.error) : {};

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (level === null) {
      setLevelError(t('goalPage.form.pickLevel'));
      return;
    }
    setLevelError(undefined);
    assess.mutate(
      { level, ...(reflection.trim() ? { reflection } : {}), artefactIds, ...(kind === 'self' ? { sharedWithGuardians: shared } : {}), audio },
      {
        onSuccess: () => {
          setLevel(null);
          setReflection('');
          setArtefactIds([]);
          setShared(false);
          setAudio(null);
          toast({ message: t('goalPage.form.saved') });
        },
      },
    );
  };

  return (
    <section className="card stack" aria-labelledby="assess-heading">
      <h2 id="assess-heading">{kind === 'self' ? t('goalPage.form.selfHeading') : t('goalPage.form.teacherHeading')}</h2>
      <form className="stack" onSubmit={submit} noValidate>
        <LevelPicker
          scale={scale}
          legend={kind === 'self' ? t('goalPage.form.selfLegend') : t('goalPage.form.teacherLegend')}
          value={level}
          onChange={setLevel}
          error={levelError ?? fieldErrors.level}
        />
        <TextAreaField
          name="reflection"
          label={kind === 'self' ? t('goalPage.form.reflection') : t('goalPage.form.note')}
          hint={t('goalPage.form.reflectionHint', { max: REFLECTION_MAX })}
          value={reflection}
          onChange={setReflection}
          error={fieldErrors.reflection}
          optional
          rows={3}
        />
        <div className="stack voice-reflection">
          <p className="muted">{t('feedbackMedia.reflectionVoiceHint')}</p>
          {audio ? <VoicePreview audio={audio} onRemove={() => setAudio(null)} /> : <AudioRecorder onRecorded={setAudio} />}
        </div>
        {evidence.length > 0 && (
          <CheckboxGroup
            name="artefactIds"
            legend={t('goalPage.form.basedOn')}
            options={evidence.map((e) => ({ value: e.id, label: e.title }))}
            value={artefactIds}
            onChange={setArtefactIds}
            error={fieldErrors.artefactIds}
          />
        )}
        {kind === 'self' && <CheckboxField name="sharedWithGuardians" label={t('goalPage.form.shareWithGuardians')} checked={shared} onChange={setShared} />}
        <FormError message={assess.error && Object.keys(fieldErrors).length === 0 ? errorMessage(t, assess.error) : null} />
        <div className="button-row button-row--start">
          <SubmitButton pending={assess.isPending} label={t('goalPage.form.save')} />
        </div>
      </form>
    </section>
  );
}
