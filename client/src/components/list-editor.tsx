import { useId, useRef } from 'react';
import { useTranslation } from 'react-i18next';

export interface ListItem {
  key: string;
  /** Kept for items that exist on the server, so that what points at them stays valid. */
  id?: string | undefined;
  text: string;
}

let seq = 0;
export const listItem = (text = '', id?: string): ListItem => ({ key: `i${++seq}`, id, text });

interface ListEditorProps {
  legend: string;
  hint?: string;
  /** Label of one item, e.g. "Phase 2". */
  itemLabel: (n: number) => string;
  addLabel: string;
  items: ListItem[];
  onChange: (items: ListItem[]) => void;
  error?: string | undefined;
  maxLength: number;
}

/** An ordered list of short texts with buttons to add, remove and move items (no drag-and-drop needed). */
export function ListEditor({ legend, hint, itemLabel, addLabel, items, onChange, error, maxLength }: ListEditorProps) {
  const { t } = useTranslation();
  const id = useId();
  const listRef = useRef<HTMLOListElement>(null);
  const focusRow = (index: number, selector: string) =>
    requestAnimationFrame(() => listRef.current?.querySelectorAll('li')[index]?.querySelector<HTMLElement>(selector)?.focus());

  const move = (index: number, delta: -1 | 1) => {
    const target = index + delta;
    if (target < 0 || target >= items.length) return;
    const next = [...items];
    const [item] = next.splice(index, 1);
    if (item) next.splice(target, 0, item);
    onChange(next);
    // Focus follows the moved item; at either end the other button is the one still usable.
    const atEdge = target === 0 || target === items.length - 1;
    focusRow(target, atEdge ? `[data-move="${delta === -1 ? 'down' : 'up'}"]` : `[data-move="${delta === -1 ? 'up' : 'down'}"]`);
  };
  const add = () => {
    onChange([...items, listItem()]);
    focusRow(items.length, 'input');
  };
  const remove = (index: number) => {
    onChange(items.filter((_, i) => i !== index));
    if (items.length > 1) focusRow(Math.max(0, index - 1), 'input');
  };

  const errorId = error ? `${id}-error` : undefined;
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <fieldset className="list-editor" aria-describedby={[errorId, hintId].filter(Boolean).join(' ') || undefined}>
      <legend>{legend}</legend>
      {hint && (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field__error" id={errorId}>
          {error}
        </p>
      )}
      {items.length > 0 && (
        <ol ref={listRef} className="list-editor__items">
          {items.map((item, index) => {
            const label = itemLabel(index + 1);
            return (
              <li key={item.key} className="list-editor__row">
                <div className="field">
                  <label htmlFor={`${id}-${item.key}`}>{label}</label>
                  <input
                    id={`${id}-${item.key}`}
                    type="text"
                    value={item.text}
                    maxLength={maxLength}
                    onChange={(e) => onChange(items.map((x) => (x.key === item.key ? { ...x, text: e.target.value } : x)))}
                  />
                </div>
                <div className="list-editor__buttons">
                  <button
                    type="button"
                    className="button button--small button--secondary"
                    data-move="up"
                    aria-label={t('listEditor.moveUp', { item: label })}
                    disabled={index === 0}
                    onClick={() => move(index, -1)}
                  >
                    ↑
                  </button>
                  <button
                    type="button"
                    className="button button--small button--secondary"
                    data-move="down"
                    aria-label={t('listEditor.moveDown', { item: label })}
                    disabled={index === items.length - 1}
                    onClick={() => move(index, 1)}
                  >
                    ↓
                  </button>
                  <button
                    type="button"
                    className="button button--small button--danger-outline"
                    aria-label={t('listEditor.remove', { item: label })}
                    onClick={() => remove(index)}
                  >
                    {t('listEditor.removeShort')}
                  </button>
                </div>
              </li>
            );
          })}
        </ol>
      )}
      <button type="button" className="button button--small button--secondary" onClick={add}>
        {addLabel}
      </button>
    </fieldset>
  );
}
