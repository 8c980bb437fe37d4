import { useRef, useState, type PointerEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Media } from '../../../../../shared/api/artefacts.ts';
import type { Feedback, FeedbackAnchor } from '../../../../../shared/api/feedback.ts';
import { clock, focusMessage, seekTo, useAnchors } from '../anchors.tsx';
import { useFeedbackQuery } from '../queries.ts';

type Region = Extract<FeedbackAnchor, { kind: 'region' }>;
type Moment = Extract<FeedbackAnchor, { kind: 'moment' }>;

/** The thread's anchored messages on one media item, numbered in thread order (the numbers the thread shows too). */
function useAnchored(artefactId: string, mediaId: string) {
  const thread = useFeedbackQuery(artefactId);
  const all = (thread.data?.items ?? []).filter((f) => f.anchor !== null);
  return all.map((f, i) => ({ feedback: f, n: i + 1 })).filter((m) => m.feedback.anchor?.mediaId === mediaId);
}

export function authorOf(f: Feedback, unknown: string): string {
  return f.author?.displayName ?? f.importedAuthor?.displayName ?? unknown;
}

const pct = (v: number) => `${(v * 100).toFixed(3)}%`;

/**
 * Over an image: an outline button per message that marks a region of it (choosing it selects the
 * message), the region being drawn for a new message, and while drawing, a surface to drag on.
 */
export function RegionLayer({ artefactId, media }: { artefactId: string; media: Media }) {
  const { t } = useTranslation();
  const { selected, select, draft, setDraft } = useAnchors();
  const anchored = useAnchored(artefactId, media.id);
  const drawing = draft?.kind === 'region' && draft.mediaId === media.id ? draft : null;
  return (
    <div className="anchor-layer">
      {anchored.map(({ feedback, n }) => {
        const r = feedback.anchor as Region;
        const active = selected === feedback.id;
        return (
          <button
            key={feedback.id}
            type="button"
            className={active ? 'anchor-region anchor-region--active' : 'anchor-region'}
            style={{ left: pct(r.x), top: pct(r.y), width: pct(r.w), height: pct(r.h) }}
            aria-pressed={active}
            aria-label={t('feedbackMedia.regionMarker', { n, name: authorOf(feedback, t('feedback.removedUser')) })}
            onClick={() => {
              select(feedback.id);
              focusMessage(feedback.id);
            }}
          >
            <span className="anchor-region__number" aria-hidden="true">
              {n}
            </span>
          </button>
        );
      })}
      {drawing && <DrawSurface region={drawing} onChange={setDraft} />}
    </div>
  );
}

/** Drag to mark a rectangle; the composer's number fields and "whole image" do the same by keyboard. */
function DrawSurface({ region, onChange }: { region: Region; onChange: (r: Region) => void }) {
  const surface = useRef<HTMLDivElement>(null);
  const [start, setStart] = useState<{ x: number; y: number } | null>(null);
  const at = (e: PointerEvent) => {
    const box = surface.current?.getBoundingClientRect();
    if (!box || box.width === 0 || box.height === 0) return { x: 0, y: 0 };
    const clamp = (v: number) => Math.min(1, Math.max(0, v));
    return { x: clamp((e.clientX - box.left) / box.width), y: clamp((e.clientY - box.top) / box.height) };
  };
  const update = (from: { x: number; y: number }, to: { x: number; y: number }) => {
    const w = Math.abs(to.x - from.x);
    const h = Math.abs(to.y - from.y);
    // A click without a drag marks nothing new.
    if (w < 0.01 || h < 0.01) return;
    onChange({ ...region, x: Math.min(from.x, to.x), y: Math.min(from.y, to.y), w, h });
  };
  return (
    // Pointer only: the keyboard way is the composer's fields (this surface is not announced).
    <div
      ref={surface}
      className="anchor-draw"
      aria-hidden="true"
      onPointerDown={(e) => {
        e.currentTarget.setPointerCapture(e.pointerId);
        setStart(at(e));
      }}
      onPointerMove={(e) => {
        if (start) update(start, at(e));
      }}
      onPointerUp={(e) => {
        if (start) update(start, at(e));
        setStart(null);
      }}
    >
      <div className="anchor-region anchor-region--draft" style={{ left: pct(region.x), top: pct(region.y), width: pct(region.w), height: pct(region.h) }} />
    </div>
  );
}

/** Beside a recording or video: a timeline with a button per message that marks a moment of it. */
export function MomentTimeline({ artefactId, media }: { artefactId: string; media: Media }) {
  const { t } = useTranslation();
  const { selected, select, draft } = useAnchors();
  const anchored = useAnchored(artefactId, media.id);
  const draftMoment = draft?.kind === 'moment' && draft.mediaId === media.id ? draft : null;
  if (anchored.length === 0 && !draftMoment) return null;
  const length = Math.max(1, (media.durationMs ?? 0) / 1000, ...anchored.map((a) => (a.feedback.anchor as Moment).end ?? (a.feedback.anchor as Moment).start));
  return (
    <div className="moment-timeline">
      <p className="moment-timeline__label">{t('feedbackMedia.timelineLabel')}</p>
      <ol className="moment-timeline__bar">
        {anchored.map(({ feedback, n }) => {
          const m = feedback.anchor as Moment;
          const active = selected === feedback.id;
          const when = m.end === null ? clock(m.start) : `${clock(m.start)}–${clock(m.end)}`;
          return (
            <li key={feedback.id} style={{ left: pct(Math.min(1, m.start / length)) }}>
              <button
                type="button"
                className={active ? 'moment-marker moment-marker--active' : 'moment-marker'}
                aria-pressed={active}
                onClick={() => {
                  select(feedback.id);
                  seekTo(media.id, m.start);
                  focusMessage(feedback.id);
                }}
              >
                <span aria-hidden="true">{n}</span>
                <span className="visually-hidden">{t('feedbackMedia.momentMarker', { n, when, name: authorOf(feedback, t('feedback.removedUser')) })}</span>
              </button>
            </li>
          );
        })}
        {draftMoment && <li className="moment-marker moment-marker--draft" style={{ left: pct(Math.min(1, draftMoment.start / length)) }} aria-hidden="true" />}
      </ol>
    </div>
  );
}
