import type { ArtefactKind } from '../../../../../shared/portfolio.ts';

/** Simple line icons per kind of work; decorative, the kind is always written next to them. */
const PATHS: Record<ArtefactKind, string> = {
  text: 'M6 5h12M6 9h12M6 13h9M6 17h11',
  image: 'M4 6h16v12H4zM4 16l5-5 4 4 3-3 4 4M15 9.5a1 1 0 1 0 0 .1',
  drawing: 'M4 20l4-1 11-11-3-3L5 16zM14 6l3 3',
  audio: 'M12 4a3 3 0 0 1 3 3v5a3 3 0 0 1-6 0V7a3 3 0 0 1 3-3zM6 11a6 6 0 0 0 12 0M12 17v3',
  video: 'M4 7h11v10H4zM15 10l5-3v10l-5-3',
  file: 'M7 3h7l4 4v14H7zM14 3v4h4',
  link: 'M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1',
};

export function KindIcon({ kind, size = 28 }: { kind: ArtefactKind; size?: number }) {
  return (
    <svg className="kind-icon" viewBox="0 0 24 24" width={size} height={size} aria-hidden="true" focusable="false">
      <path d={PATHS[kind]} fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
