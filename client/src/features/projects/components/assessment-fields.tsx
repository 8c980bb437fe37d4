import { useTranslation } from 'react-i18next';
import { DEFAULT_SCALE_KEY, type Scale } from '../../../../../shared/api/scales.ts';
import { MAX_SUCCESS_CRITERIA } from '../../../../../shared/api/projects.ts';
import { SelectField, TextAreaField } from '../../../components/form-fields.tsx';
import type { ListItem } from '../../../components/list-editor.tsx';
import { useReferenceLabels } from '../../reference/queries.ts';
import { useSchoolScalesQuery } from '../queries.ts';

/** "🌱 🌿 🌳 🌟 Growth path": the icons first, as a young pupil reads the scale. */
export function useScaleLabel() {
  const labels = useReferenceLabels();
  return (scale: Scale) => `${scale.levels.map((l) => l.icon).join(' ')} ${labels.label(scale.name)}`;
}

/** The project's assessment scale; '' stands for the default (the built-in growth scale, sent as null). */
export function ScaleSelect({
  schoolId,
  value,
  onChange,
  error,
}: {
  schoolId: string;
  value: string;
  onChange: (v: string) => void;
  error?: string | undefined;
}) {
  const { t } = useTranslation();
  const scales = useSchoolScalesQuery(schoolId);
  const scaleLabel = useScaleLabel();
  const options = (scales.data?.scales ?? []).map((s) => ({ value: s.builtinKey === DEFAULT_SCALE_KEY ? '' : s.id, label: scaleLabel(s) }));
  if (options.length === 0) return null;
  return (
    <SelectField
      name="scaleId"
      label={t('projects.form.scale')}
      hint={t('projects.form.scaleHint')}
      options={options}
      value={value}
      onChange={onChange}
      error={error}
    />
  );
}

/**
 * One text area per written goal: its success criteria, one per line (plain keyboard editing, no widgets).
 * A criterion the schema refuses is reported on the goals list, where the form's errors for `goals` land.
 */
export function GoalCriteriaFields({
  goals,
  criteria,
  onChange,
}: {
  goals: ListItem[];
  criteria: Record<string, string>;
  onChange: (key: string, text: string) => void;
}) {
  const { t } = useTranslation();
  const written = goals.filter((g) => g.text.trim());
  if (written.length === 0) return null;
  return (
    <fieldset className="fieldset">
      <legend>{t('projects.form.criteria')}</legend>
      {written.map((goal, i) => (
        <TextAreaField
          key={goal.key}
          name={`criteria-${goal.key}`}
          label={t('projects.form.criteriaFor', { goal: goal.text })}
          hint={i === 0 ? t('projects.form.criteriaHint', { max: MAX_SUCCESS_CRITERIA }) : undefined}
          optional
          rows={3}
          value={criteria[goal.key] ?? ''}
          onChange={(text) => onChange(goal.key, text)}
        />
      ))}
    </fieldset>
  );
}

/** The lines of a criteria text area, blank lines dropped. */
export const criteriaLines = (text: string | undefined) =>
  (text ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
