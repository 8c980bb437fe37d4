import { useCallback, useState } from 'react';

export interface Notice {
  kind: 'success' | 'error';
  text: string;
  /** Changes on every show, so that the same text twice is announced twice. */
  seq: number;
}

let seq = 0;

/** A message for a polite live region: "Saved", "Removed", or a failure that has no form to sit in. */
export function useNotice() {
  const [notice, setNotice] = useState<Notice | null>(null);
  const success = useCallback((text: string) => setNotice({ kind: 'success', text, seq: ++seq }), []);
  const error = useCallback((text: string) => setNotice({ kind: 'error', text, seq: ++seq }), []);
  const clear = useCallback(() => setNotice(null), []);
  return { notice, success, error, clear };
}

/** The live region exists before its message does; screen readers announce what appears in it. */
export function LiveNotice({ notice }: { notice: Notice | null }) {
  return (
    <div className="live-notice" role="status" aria-live="polite" aria-atomic="true">
      {notice && (
        <p key={notice.seq} className={`notice notice--${notice.kind}`}>
          {notice.text}
        </p>
      )}
    </div>
  );
}
