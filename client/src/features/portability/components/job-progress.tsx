import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { JobProgress as Progress } from '../../../../../shared/api/portability.ts';
import { progressPercent } from '../progress.ts';
import '../portability.css';

interface JobProgressProps {
  kind: 'export' | 'import';
  status: string;
  progress: Progress | null;
  label: string;
}

/**
 * A progress bar with its value for assistive technology (aria-valuenow) and a status line in a
 * polite live region. The live text changes with the phase only, so a screen reader is not
 * flooded with every percent; the bar itself can be read at any time.
 */
export function JobProgress({ kind, status, progress, label }: JobProgressProps) {
  const { t } = useTranslation();
  const percent = status === 'queued' ? 0 : progressPercent(progress, kind);
  const phase = status === 'queued' ? t('portability.phase.queued') : phaseText(t, progress?.phase);
  return <ProgressBar label={label} percent={percent} statusText={phase} />;
}

/** The bar itself, for anything with a percentage (the import page's upload too). */
export function ProgressBar({ label, percent, statusText }: { label: string; percent: number; statusText: string }) {
  const { t } = useTranslation();
  const labelId = useId();
  return (
    <div className="job-progress">
      <p id={labelId} className="job-progress__label">
        {label}
      </p>
      <div
        className="job-progress__bar"
        role="progressbar"
        aria-labelledby={labelId}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={t('portability.percent', { percent })}
      >
        <span className="job-progress__fill" style={{ width: `${percent}%` }} />
      </div>
      <p className="job-progress__text" role="status" aria-live="polite">
        {statusText}
      </p>
    </div>
  );
}

type T = TFunction;

function phaseText(t: T, phase: string | undefined): string {
  switch (phase) {
    case 'collecting':
      return t('portability.phase.collecting');
    case 'media':
      return t('portability.phase.media');
    case 'pages':
      return t('portability.phase.pages');
    case 'finishing':
      return t('portability.phase.finishing');
    case 'reading':
      return t('portability.phase.reading');
    case 'rows':
      return t('portability.phase.rows');
    default:
      return t('portability.phase.running');
  }
}
