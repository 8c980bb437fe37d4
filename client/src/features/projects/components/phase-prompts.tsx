import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { MAX_REFLECTION_PROMPTS, type Project } from '../../../../../shared/api/projects.ts';
import { TextAreaField } from '../../../components/form-fields.tsx';
import type { ListItem } from '../../../components/list-editor.tsx';

/**
 * Reflection prompts of a project's phases (issue 10 §2): the teacher writes them with the phases,
 * the pupil sees them when adding work to the phase and may answer them in the text.
 */

/** One text area per written phase: its prompts, one per line. Refused lines are reported on the phases list. */
export function PhasePromptsFields({
  phases,
  prompts,
  onChange,
}: {
  phases: ListItem[];
  prompts: Record<string, string>;
  onChange: (key: string, text: string) => void;
}) {
  const { t } = useTranslation();
  const written = phases.filter((p) => p.text.trim());
  if (written.length === 0) return null;
  return (
    <fieldset className="fieldset">
      <legend>{t('reflectionPrompts.legend')}</legend>
      {written.map((phase, i) => (
        <TextAreaField
          key={phase.key}
          name={`prompts-${phase.key}`}
          label={t('reflectionPrompts.promptsFor', { phase: phase.text })}
          hint={i === 0 ? t('reflectionPrompts.hint', { max: MAX_REFLECTION_PROMPTS }) : undefined}
          optional
          rows={3}
          value={prompts[phase.key] ?? ''}
          onChange={(text) => onChange(phase.key, text)}
        />
      ))}
    </fieldset>
  );
}

/** The prompts by phase item key, one per line, for the form's state. */
export const promptsByKey = (phases: ListItem[], project: Project | undefined): Record<string, string> =>
  Object.fromEntries(phases.map((item) => [item.key, project?.phases.find((p) => p.id === item.id)?.reflectionPrompts.join('\n') ?? '']));

/**
 * The pupil's view while writing: the chosen phase's prompts, each with a button that adds it to
 * the text as a heading with room to answer below. The answers are part of the work itself, so they
 * are versioned, shared, commented on and exported with it.
 */
export function ReflectionPromptsPanel({ project, phaseId, onAnswer }: { project: Project | undefined; phaseId: string; onAnswer: (prompt: string) => void }) {
  const { t } = useTranslation();
  const headingId = useId();
  const phase = project?.phases.find((p) => p.id === phaseId);
  if (!phase || phase.reflectionPrompts.length === 0) return null;
  return (
    <section className="reflection-prompts" aria-labelledby={headingId}>
      <h2 id={headingId} className="reflection-prompts__heading">
        {t('reflectionPrompts.panelHeading', { phase: phase.title })}
      </h2>
      <p className="field__hint">{t('reflectionPrompts.panelHint')}</p>
      <ul className="reflection-prompts__list">
        {phase.reflectionPrompts.map((prompt, i) => (
          <li key={i}>
            <span className="reflection-prompts__text">{prompt}</span>
            <button
              type="button"
              className="button button--secondary button--small"
              aria-label={t('reflectionPrompts.answerPrompt', { prompt })}
              onClick={() => onAnswer(prompt)}
            >
              <span aria-hidden="true">✎ </span>
              {t('reflectionPrompts.answer')}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
