import { createContext, useCallback, useContext, useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

interface ConfirmRequest {
  message: string;
  confirmLabel: string | undefined;
  resolve: (ok: boolean) => void;
}

type Confirm = (message: string, confirmLabel?: string) => Promise<boolean>;

const ConfirmContext = createContext<Confirm | null>(null);

/** Asks "are you sure?" before a destructive action; resolves `true` only on an explicit yes. */
export function useConfirm(): Confirm {
  const confirm = useContext(ConfirmContext);
  if (!confirm) throw new Error('useConfirm() used outside <ConfirmProvider>');
  return confirm;
}

/**
 * One native modal `<dialog>` for the app: the browser gives it focus containment, Escape to
 * cancel and focus return to the button that opened it.
 */
export function ConfirmProvider({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const dialog = useRef<HTMLDialogElement>(null);
  const [request, setRequest] = useState<ConfirmRequest | null>(null);
  const titleId = useId();
  const messageId = useId();

  const confirm = useCallback<Confirm>((message, confirmLabel) => new Promise<boolean>((resolve) => setRequest({ message, confirmLabel, resolve })), []);

  useEffect(() => {
    const el = dialog.current;
    if (request && el && !el.open) el.showModal();
  }, [request]);

  const finish = (ok: boolean) => {
    request?.resolve(ok);
    setRequest(null);
    dialog.current?.close();
  };

  return (
    <ConfirmContext value={confirm}>
      {children}
      <dialog
        ref={dialog}
        className="confirm-dialog"
        aria-labelledby={titleId}
        aria-describedby={messageId}
        onCancel={(event) => {
          event.preventDefault();
          finish(false);
        }}
      >
        {request && (
          <>
            <h2 id={titleId}>{t('confirm.title')}</h2>
            <p id={messageId}>{request.message}</p>
            <div className="button-row">
              {/* The safe choice has the focus first. */}
              <button type="button" className="button button--secondary" autoFocus onClick={() => finish(false)}>
                {t('confirm.cancel')}
              </button>
              <button type="button" className="button button--danger" onClick={() => finish(true)}>
                {request.confirmLabel ?? t('confirm.confirm')}
              </button>
            </div>
          </>
        )}
      </dialog>
    </ConfirmContext>
  );
}
