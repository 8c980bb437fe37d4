import { useId } from 'react';
import type { Scale } from '../../../../../shared/api/scales.ts';
import { useReferenceLabels } from '../../reference/queries.ts';

/**
 * The scale's levels as big cards with the icon first (7-year-olds read the icon): native radio
 * buttons underneath, so the arrow keys move between levels and screen readers announce a radio group.
 */
export function LevelPicker({
  scale,
  legend,
  value,
  onChange,
  error,
}: {
  scale: Scale;
  legend: string;
  value: number | null;
  onChange: (level: number) => void;
  error?: string | undefined;
}) {
  const id = useId();
  const labels = useReferenceLabels();
  return (
    <fieldset className={error ? 'level-picker field--invalid' : 'level-picker'} aria-describedby={error ? `${id}-error` : undefined}>
      <legend>{legend}</legend>
      {error && (
        <p className="field__error" id={`${id}-error`}>
          {error}
        </p>
      )}
      <div className="level-picker__options">
        {scale.levels.map((level, index) => (
          <label key={index} className="level-option">
            <input type="radio" name={`${id}-level`} value={index} checked={value === index} onChange={() => onChange(index)} />
            <span className="level-option__icon" aria-hidden="true">
              {level.icon}
            </span>
            <span className="level-option__label">{labels.label(level.labels)}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** "🌳 I can": a level as the history shows it; an index off the scale (it was changed since) shows as its number. */
export function useLevelText() {
  const labels = useReferenceLabels();
  return (scale: Scale, level: number) => {
    const found = scale.levels[level];
    return found ? `${found.icon} ${labels.label(found.labels)}` : String(level + 1);
  };
}
