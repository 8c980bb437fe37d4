import { useTranslation } from 'react-i18next';
import type { Media } from '../../../../../shared/api/artefacts.ts';
import type { Feedback } from '../../../../../shared/api/feedback.ts';
import { clock, imageId, seekTo, useAnchors } from '../anchors.tsx';

/**
 * A message's voice recording (played inline, labelled) and the part of the work it points at: a button
 * that highlights its region on the picture or seeks the player to its moment (issue 10 §3).
 */
export function FeedbackMediaParts({ item, thread, media, authorName }: { item: Feedback; thread: string[]; media: readonly Media[]; authorName: string }) {
  const { t } = useTranslation();
  const { selected, select } = useAnchors();
  const anchor = item.anchor;
  const target = anchor ? media.find((m) => m.id === anchor.mediaId) : undefined;
  const n = thread.indexOf(item.id) + 1;
  return (
    <>
      {item.voice && (
        <figure className="feedback__voice">
          <figcaption>
            {t('feedbackMedia.voiceLabel', { name: authorName })}
            {item.voice.durationMs ? <span className="muted"> ({clock(item.voice.durationMs / 1000)})</span> : null}
          </figcaption>
          <audio controls preload="none" src={item.voice.url}>
            <a href={item.voice.url}>{t('feedbackMedia.voiceDownload')}</a>
          </audio>
        </figure>
      )}
      {anchor && (
        <p className="feedback__anchor">
          {target ? (
            <button
              type="button"
              className="button button--small button--secondary"
              aria-pressed={selected === item.id}
              onClick={() => {
                select(item.id);
                if (anchor.kind === 'moment') seekTo(anchor.mediaId, anchor.start);
                else document.getElementById(imageId(anchor.mediaId))?.scrollIntoView({ block: 'nearest' });
              }}
            >
              <span className="anchor-badge" aria-hidden="true">
                {n}
              </span>{' '}
              {anchor.kind === 'region'
                ? t('feedbackMedia.showRegion')
                : t('feedbackMedia.playMoment', { when: anchor.end === null ? clock(anchor.start) : `${clock(anchor.start)}–${clock(anchor.end)}` })}
            </button>
          ) : (
            // The file was removed from the work since: the message keeps saying what it was about.
            <span className="muted">{t('feedbackMedia.anchorGone')}</span>
          )}
        </p>
      )}
    </>
  );
}
