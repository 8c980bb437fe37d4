import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import type { FeedbackAnchor } from '../../../../shared/api/feedback.ts';

/**
 * Anchored feedback (issue 10 §3) links two parts of the artefact page: the media viewer shows the
 * messages' markers, the thread shows the messages. Choosing either selects the message; the composer's
 * new anchor (being drawn) is shown over the media too.
 */
interface AnchorState {
  /** The message whose region or moment is highlighted. */
  selected: string | null;
  select: (feedbackId: string | null) => void;
  /** The anchor of the message being written (null: none). */
  draft: FeedbackAnchor | null;
  setDraft: (anchor: FeedbackAnchor | null) => void;
}

const AnchorContext = createContext<AnchorState | null>(null);

export function AnchorProvider({ children }: { children: ReactNode }) {
  const [selected, select] = useState<string | null>(null);
  const [draft, setDraft] = useState<FeedbackAnchor | null>(null);
  const value = useMemo(() => ({ selected, select, draft, setDraft }), [selected, draft]);
  return <AnchorContext.Provider value={value}>{children}</AnchorContext.Provider>;
}

/** Outside a provider (a page without media) anchors do nothing. */
const NONE: AnchorState = { selected: null, select: () => undefined, draft: null, setDraft: () => undefined };
export const useAnchors = (): AnchorState => useContext(AnchorContext) ?? NONE;

/** The player element of a recording or video, by its media id (MediaGallery gives it this id). */
export const playerId = (mediaId: string) => `media-player-${mediaId}`;
export const imageId = (mediaId: string) => `media-image-${mediaId}`;

/** m:ss, for moments. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** Seeks the media's player to a moment and puts focus on it, so the listener can press play. */
export function seekTo(mediaId: string, seconds: number): void {
  const player = document.getElementById(playerId(mediaId));
  if (!(player instanceof HTMLMediaElement)) return;
  player.currentTime = seconds;
  player.scrollIntoView({ block: 'nearest' });
  player.focus();
}

/** Brings a message into view and focus after its marker was chosen. */
export function focusMessage(feedbackId: string): void {
  const article = document.querySelector<HTMLElement>(`#feedback-${CSS.escape(feedbackId)} > article`);
  if (!article) return;
  article.scrollIntoView({ block: 'nearest' });
  article.focus();
}
