import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export interface ToastOptions {
  message: string;
  /** One action, e.g. "Undo"; the toast closes after it. */
  action?: { label: string; onAction: () => void | Promise<void> };
  /** When the toast goes away by itself (an undo window's end, for instance). */
  until?: Date;
  /** Move focus to the action, so a keyboard user can take it at once. */
  focusAction?: boolean;
}

interface ShownToast extends ToastOptions {
  id: number;
}

type ShowToast = (options: ToastOptions) => void;

const ToastContext = createContext<ShowToast | null>(null);

export function useToast(): ShowToast {
  const show = useContext(ToastContext);
  if (!show) throw new Error('useToast() used outside <ToastProvider>');
  return show;
}

const DEFAULT_MS = 8000;
let nextId = 0;

/**
 * One message at a time at the bottom of the screen, in a polite live region that exists before
 * the message does. It outlives page changes, so "Deleted – Undo" stays while the list shows.
 */
export function ToastProvider({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const [toast, setToast] = useState<ShownToast | null>(null);
  const [busy, setBusy] = useState(false);
  const actionRef = useRef<HTMLButtonElement>(null);
  const boxRef = useRef<HTMLDivElement>(null);

  const show = useCallback<ShowToast>((options) => setToast({ ...options, id: ++nextId }), []);

  const dismiss = useCallback(() => {
    // Focus inside the toast would fall to <body>: hand it to the page's main area instead.
    const hadFocus = boxRef.current?.contains(document.activeElement) ?? false;
    setToast(null);
    if (hadFocus) document.getElementById('main')?.focus();
  }, []);

  useEffect(() => {
    if (!toast) return;
    const ms = toast.until ? Math.max(0, toast.until.getTime() - Date.now()) : DEFAULT_MS;
    const timer = setTimeout(dismiss, ms);
    return () => clearTimeout(timer);
  }, [toast, dismiss]);

  useEffect(() => {
    if (toast?.focusAction) actionRef.current?.focus();
  }, [toast]);

  const act = async () => {
    if (!toast?.action) return;
    setBusy(true);
    try {
      await toast.action.onAction();
    } finally {
      setBusy(false);
      dismiss();
    }
  };

  return (
    <ToastContext value={show}>
      {children}
      <div className="toast-region" role="status" aria-live="polite" aria-atomic="true">
        {toast && (
          <div
            key={toast.id}
            ref={boxRef}
            className="toast"
            onKeyDown={(event) => {
              if (event.key === 'Escape') dismiss();
            }}
          >
            <p className="toast__message">{toast.message}</p>
            <div className="toast__actions">
              {toast.action && (
                <button ref={actionRef} type="button" className="button button--small button--on-dark" disabled={busy} onClick={() => void act()}>
                  {toast.action.label}
                </button>
              )}
              <button type="button" className="button button--small button--ghost-dark" onClick={dismiss} aria-label={t('toast.dismiss')}>
                ×
              </button>
            </div>
          </div>
        )}
      </div>
    </ToastContext>
  );
}
