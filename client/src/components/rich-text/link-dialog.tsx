import type { Editor } from '@tiptap/core';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import { normaliseLinkHref } from './extensions.ts';

/**
 * Adds, changes or removes the link at the selection. A native modal <dialog>: focus stays inside,
 * Escape cancels, and the editor gets focus back. Only http, https and mailto are accepted.
 */
export function LinkDialog({ editor, onClose }: { editor: Editor; onClose: () => void }) {
  const { t } = useTranslation();
  const dialog = useRef<HTMLDialogElement>(null);
  const id = useId();
  const existing = (editor.getAttributes('link').href as string | undefined) ?? '';
  const needsText = editor.state.selection.empty && !existing;
  const [href, setHref] = useState(existing);
  const [text, setText] = useState('');
  const [invalid, setInvalid] = useState(false);

  useEffect(() => {
    const el = dialog.current;
    if (el && !el.open) el.showModal();
  }, []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    // The editor usually sits in a form of its own; React would bubble this submit up to it.
    event.stopPropagation();
    const target = normaliseLinkHref(href);
    if (!target) {
      setInvalid(true);
      return;
    }
    const chain = editor.chain().focus();
    if (needsText) chain.insertContent({ type: 'text', text: text.trim() || target, marks: [{ type: 'link', attrs: { href: target } }] }).run();
    else chain.extendMarkRange('link').setLink({ href: target }).run();
    onClose();
  };

  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  // In a portal: a <form> may not sit inside the editor's own form in the DOM.
  return createPortal(
    <dialog
      ref={dialog}
      className="confirm-dialog link-dialog"
      aria-labelledby={`${id}-title`}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <form onSubmit={submit} noValidate>
        <h2 id={`${id}-title`}>{t('richText.linkDialog.title')}</h2>
        <div className={invalid ? 'field field--invalid' : 'field'}>
          <label className="field__label" htmlFor={`${id}-href`}>
            {t('richText.linkDialog.address')}
          </label>
          <p className="field__hint" id={hintId}>
            {t('richText.linkDialog.addressHint')}
          </p>
          <input
            id={`${id}-href`}

            type="text"
            inputMode="url"
            autoComplete="url"
            autoFocus
            value={href}
            aria-invalid={invalid || undefined}
            aria-describedby={invalid ? `${hintId} ${errorId}` : hintId}
            onChange={(e) => {
              setHref(e.target.value);
              setInvalid(false);
            }}
          />
          {invalid && (
            <p className="field__error" id={errorId} role="alert">
              {t('richText.linkDialog.invalid')}
            </p>
          )}
        </div>
        {needsText && (
          <div className="field">
            <label className="field__label" htmlFor={`${id}-text`}>
              {t('richText.linkDialog.text')}
            </label>
            <input id={`${id}-text`} type="text" value={text} onChange={(e) => setText(e.target.value)} />
          </div>
        )}
        <div className="button-row">
          <button type="submit" className="button button--primary">
            {t('richText.linkDialog.save')}
          </button>
          {existing && (
            <button
              type="button"
              className="button button--secondary"
              onClick={() => {
                editor.chain().focus().extendMarkRange('link').unsetLink().run();
                onClose();
              }}
            >
              {t('richText.linkDialog.remove')}
            </button>
          )}
          <button type="button" className="button button--secondary" onClick={onClose}>
            {t('richText.linkDialog.cancel')}
          </button>
        </div>
      </form>
    </dialog>,
    document.body,
  );
}
