import { useId, useRef } from 'react';
import { useTranslation } from 'react-i18next';

export interface LinkDraft {
  key: string;
  url: string;
  title: string;
}

let seq = 0;
export const newLink = (url = '', title = ''): LinkDraft => ({ key: `l${++seq}`, url, title });

/** Web addresses that belong to the work (a video on a school channel, a shared document …). */
export function LinksEditor({ links, onChange, error }: { links: LinkDraft[]; onChange: (links: LinkDraft[]) => void; error?: string | undefined }) {
  const { t } = useTranslation();
  const id = useId();
  const listRef = useRef<HTMLOListElement>(null);
  const update = (key: string, patch: Partial<LinkDraft>) => onChange(links.map((l) => (l.key === key ? { ...l, ...patch } : l)));
  const add = () => {
    onChange([...links, newLink()]);
    // Focus the new row's address field once it is there.
    requestAnimationFrame(() => listRef.current?.querySelector<HTMLInputElement>('li:last-child input[type="url"]')?.focus());
  };
  const remove = (key: string) => onChange(links.filter((l) => l.key !== key));
  const errorId = error ? `${id}-error` : undefined;

  return (
    <fieldset className="list-editor" aria-describedby={errorId}>
      <legend>{t('links.legend')}</legend>
      {error && (
        <p className="field__error" id={errorId}>
          {error}
        </p>
      )}
      {links.length > 0 && (
        <ol ref={listRef} className="list-editor__items">
          {links.map((link, index) => (
            <li key={link.key} className="list-editor__row list-editor__row--link">
              <div className="field">
                <label htmlFor={`${id}-${link.key}-url`}>{t('links.url', { n: index + 1 })}</label>
                <input
                  id={`${id}-${link.key}-url`}
                  type="url"
                  inputMode="url"
                  placeholder="https://"
                  value={link.url}
                  onChange={(e) => update(link.key, { url: e.target.value })}
                  aria-invalid={error ? true : undefined}
                />
              </div>
              <div className="field">
                <label htmlFor={`${id}-${link.key}-title`}>
                  {t('links.title', { n: index + 1 })} <span className="field__optional">({t('common.optional')})</span>
                </label>
                <input id={`${id}-${link.key}-title`} type="text" value={link.title} onChange={(e) => update(link.key, { title: e.target.value })} />
              </div>
              <button
                type="button"
                className="button button--small button--danger-outline"
                aria-label={t('links.removeLabel', { n: index + 1 })}
                onClick={() => remove(link.key)}
              >
                {t('links.remove')}
              </button>
            </li>
          ))}
        </ol>
      )}
      <button type="button" className="button button--small button--secondary" onClick={add}>
        {t('links.add')}
      </button>
    </fieldset>
  );
}
