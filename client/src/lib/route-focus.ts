import { useEffect, useRef } from 'react';
import { useLocation } from 'react-router';

/** Navigation state that keeps focus where the page put it (e.g. on a toast's Undo button). */
export interface KeepFocusState {
  keepFocus: true;
}

const keepsFocus = (state: unknown) => typeof state === 'object' && state !== null && (state as Partial<KeepFocusState>).keepFocus === true;

/**
 * After client-side navigation, moves focus to the new page's `h1` so that keyboard and
 * screen-reader users start at the top of the new content, as after a full page load.
 */
export function useFocusHeadingOnNavigation(container: React.RefObject<HTMLElement | null>): void {
  const { pathname, state } = useLocation();
  const first = useRef(true);
  const keep = keepsFocus(state);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    if (keep) return;
    const heading = container.current?.querySelector<HTMLElement>('h1');
    if (!heading) return;
    heading.tabIndex = -1;
    heading.focus();
  }, [pathname, container, keep]);
}
