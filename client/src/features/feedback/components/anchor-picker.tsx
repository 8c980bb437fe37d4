import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { Media } from '../../../../../shared/api/artefacts.ts';
import type { FeedbackAnchor } from '../../../../../shared/api/feedback.ts';
import { playerId, useAnchors } from '../anchors.tsx';

type Region = Extract<FeedbackAnchor, { kind: 'region' }>;
type Moment = Extract<FeedbackAnchor, { kind: 'moment' }>;

/**
 * Which part of the work a new message is about (issue 10 §3): a region of a picture (drag on the
 * picture, or type it here) or a moment of a recording or video (type it, or take the player's time).
 */
export function AnchorPicker({ media }: { media: readonly Media[] }) {
  const { t } = useTranslation();
  const id = useId();
  const { draft, setDraft } = useAnchors();
  const anchorable = media.filter((m) => m.kind === 'image' || m.kind === 'audio' || m.kind === 'video');
  if (anchorable.length === 0) return null;
  const images = anchorable.filter((m) => m.kind === 'image');
  const label = (m: Media) =>
    m.kind === 'image'
      ? t('feedbackMedia.anchorImage', { n: images.indexOf(m) + 1 })
      : t('feedbackMedia.anchorRecording', { name: m.originalName ?? t(`media.kinds.${m.kind}`) });

  const choose = (mediaId: string) => {
    const m = anchorable.find((x) => x.id === mediaId);
    if (!m) return setDraft(null);
    setDraft(m.kind === 'image' ? { kind: 'region', mediaId, x: 0, y: 0, w: 1, h: 1 } : { kind: 'moment', mediaId, start: 0, end: null });
  };

  return (
    <fieldset className="anchor-picker">
      <legend>{t('feedbackMedia.anchorLegend')}</legend>
      <div className="field">
        <label htmlFor={`${id}-media`}>{t('feedbackMedia.anchorTarget')}</label>
        <select id={`${id}-media`} value={draft?.mediaId ?? ''} onChange={(e) => choose(e.target.value)}>
          <option value="">{t('feedbackMedia.anchorNone')}</option>
          {anchorable.map((m) => (
            <option key={m.id} value={m.id}>
              {label(m)}
            </option>
          ))}
        </select>
      </div>
      {draft?.kind === 'region' && <RegionFields region={draft} onChange={setDraft} />}
      {draft?.kind === 'moment' && <MomentFields moment={draft} onChange={setDraft} />}
    </fieldset>
  );
}

const percent = (v: number) => Math.round(v * 1000) / 10;

function RegionFields({ region, onChange }: { region: Region; onChange: (r: Region) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const set = (key: 'x' | 'y' | 'w' | 'h', value: number) => {
    if (!Number.isFinite(value)) return;
    const v = Math.min(1, Math.max(0, value / 100));
    const next = { ...region, [key]: v };
    // Kept inside the picture: position first, then the size that still fits.
    next.x = Math.min(next.x, 0.99);
    next.y = Math.min(next.y, 0.99);
    next.w = Math.max(0.01, Math.min(next.w, 1 - next.x));
    next.h = Math.max(0.01, Math.min(next.h, 1 - next.y));
    onChange(next);
  };
  const fields = [
    ['x', t('feedbackMedia.regionX')],
    ['y', t('feedbackMedia.regionY')],
    ['w', t('feedbackMedia.regionW')],
    ['h', t('feedbackMedia.regionH')],
  ] as const;
  return (
    <div className="stack">
      <p className="muted" id={`${id}-hint`}>
        {t('feedbackMedia.regionHint')}
      </p>
      <div className="anchor-picker__numbers">
        {fields.map(([key, text]) => (
          <div className="field" key={key}>
            <label htmlFor={`${id}-${key}`}>{text}</label>
            <input
              id={`${id}-${key}`}
              type="number"
              min={0}
              max={100}
              step={1}
              inputMode="decimal"
              value={percent(region[key])}
              aria-describedby={`${id}-hint`}
              onChange={(e) => set(key, e.target.valueAsNumber)}
            />
          </div>
        ))}
      </div>
      <button type="button" className="button button--small button--secondary" onClick={() => onChange({ ...region, x: 0, y: 0, w: 1, h: 1 })}>
        {t('feedbackMedia.wholeImage')}
      </button>
    </div>
  );
}

function MomentFields({ moment, onChange }: { moment: Moment; onChange: (m: Moment) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const current = () => {
    const player = document.getElementById(playerId(moment.mediaId));
    return player instanceof HTMLMediaElement ? Math.round(player.currentTime * 10) / 10 : 0;
  };
  return (
    <div className="stack">
      <div className="anchor-picker__numbers">
        <div className="field">
          <label htmlFor={`${id}-start`}>{t('feedbackMedia.momentStart')}</label>
          <input
            id={`${id}-start`}
            type="number"
            min={0}
            step={0.1}
            inputMode="decimal"
            value={moment.start}
            onChange={(e) => Number.isFinite(e.target.valueAsNumber) && onChange({ ...moment, start: Math.max(0, e.target.valueAsNumber) })}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-end`}>{t('feedbackMedia.momentEnd')}</label>
          <input
            id={`${id}-end`}
            type="number"
            min={0}
            step={0.1}
            inputMode="decimal"
            value={moment.end ?? ''}
            onChange={(e) => onChange({ ...moment, end: Number.isFinite(e.target.valueAsNumber) ? Math.max(0, e.target.valueAsNumber) : null })}
          />
        </div>
      </div>
      <button type="button" className="button button--small button--secondary" onClick={() => onChange({ ...moment, start: current() })}>
        {t('feedbackMedia.useCurrentTime')}
      </button>
    </div>
  );
}
