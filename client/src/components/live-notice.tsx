import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { showMessage, type Message } from '../lib/error-message.ts';

export interface Notice {
  kind: 'success' | 'error';
  /** Translated when shown, so that it follows a language switch. */
  text: Message;
  /** Changes on every show, so that the same text twice is announced twice. */
  seq: number;
}

let seq = 0;

/** A message for a polite live region: "Saved", "Removed", or a failure that has no form to sit in. */
export function useNotice() {
  const [notice, setNotice] = useState<Notice | null>(null);
  const success = useCallback((text: Message) => setNotice({ kind: 'success', text, seq: ++seq }), []);
  const error = useCallback((text: Message) => setNotice({ kind: 'error', text, seq: ++seq }), []);
  const clear = useCallback(() => setNotice(null), []);
  return { notice, success, error, clear };
}

/** The live region exists before its message does; screen readers announce what appears in it. */
export function LiveNotice({ notice }: { notice: Notice | null }) {
  const { t } = useTranslation();
  return (
    <div className="live-notice" role="status" aria-live="polite" aria-atomic="true">
      {notice && (
        <p key={notice.seq} className={`notice notice--${notice.kind}`}>
          {showMessage(t, notice.text)}
        </p>
      )}
    </div>
  );
}
