import { useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { hasForbiddenTagCharacters, normaliseTag, TAG_MAX_COUNT, TAG_MAX_LENGTH, tagKey } from '../../../../../shared/api/tags.ts';

interface TagInputProps {
  tags: readonly string[];
  onChange: (tags: string[]) => void;
  /** Tags the pupil already uses elsewhere, offered while typing. */
  suggestions?: readonly string[];
  /** The server's word on the field (shown after a refused save). */
  error?: string | undefined;
}

type Problem = { key: 'tags.duplicate'; tag: string } | { key: 'tags.tooLong' } | { key: 'tags.tooMany' } | { key: 'tags.invalid' };

/**
 * Free tags: typed into a plain text field and added with Enter, a comma or the Add button; each tag
 * has its own Remove button. What happens is said in a polite live region, and a tag that breaks a
 * rule (the shared ones in shared/api/tags.ts) is explained at the field instead of being added.
 */
export function TagInput({ tags, onChange, suggestions = [], error }: TagInputProps) {
  const { t } = useTranslation();
  const id = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [announcement, setAnnouncement] = useState('');

  /** Adds what was typed; a pasted "a, b" adds both. Stops at the first part that breaks a rule and leaves it in the field. */
  const add = () => {
    const parts = text.split(',').map(normaliseTag).filter(Boolean);
    const next = [...tags];
    let stop: Problem | null = null;
    let used = 0;
    for (const tag of parts) {
      const existing = next.find((x) => tagKey(x) === tagKey(tag));
      if (hasForbiddenTagCharacters(tag)) stop = { key: 'tags.invalid' };
      else if (tag.length > TAG_MAX_LENGTH) stop = { key: 'tags.tooLong' };
      else if (existing) stop = { key: 'tags.duplicate', tag: existing };
      else if (next.length >= TAG_MAX_COUNT) stop = { key: 'tags.tooMany' };
      if (stop) break;
      next.push(tag);
      used += 1;
    }
    const added = next.slice(tags.length);
    if (added.length > 0) {
      onChange(next);
      setAnnouncement(added.map((tag) => t('tags.added', { tag })).join(' '));
    }
    setText(parts.slice(used).join(', '));
    setProblem(stop);
  };

  const remove = (tag: string) => {
    onChange(tags.filter((x) => x !== tag));
    setProblem(null);
    setAnnouncement(t('tags.removed', { tag }));
    // The button pressed is gone: focus goes back to where tags are typed.
    inputRef.current?.focus();
  };

  const message = problem
    ? problem.key === 'tags.duplicate'
      ? t(problem.key, { tag: problem.tag })
      : t(problem.key, { max: problem.key === 'tags.tooLong' ? TAG_MAX_LENGTH : TAG_MAX_COUNT })
    : error;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const offered = suggestions.filter((s) => !tags.some((x) => tagKey(x) === tagKey(s)));

  return (
    <fieldset className="tag-input">
      <legend>{t('tags.label')}</legend>
      <p className="field__hint" id={hintId}>
        {t('tags.hint')}
      </p>
      {tags.length > 0 && (
        <ul className="tag-list tag-input__tags" aria-label={t('tags.current')}>
          {tags.map((tag) => (
            <li key={tag} className="tag tag--removable">
              <span>{tag}</span>
              <button type="button" className="tag__remove" aria-label={t('tags.remove', { tag })} onClick={() => remove(tag)}>
                <span aria-hidden="true">×</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className={message ? 'field field--invalid' : 'field'}>
        <label htmlFor={`${id}-input`} className="visually-hidden">
          {t('tags.newTag')}
        </label>
        {message && (
          <p className="field__error" id={errorId}>
            {message}
          </p>
        )}
        <div className="tag-input__row">
          <input
            ref={inputRef}
            id={`${id}-input`}
            type="text"
            value={text}
            autoComplete="off"
            enterKeyHint="enter"
            list={offered.length > 0 ? `${id}-suggestions` : undefined}
            aria-describedby={[message ? errorId : '', hintId].filter(Boolean).join(' ')}
            aria-invalid={message ? true : undefined}
            onChange={(e) => {
              setText(e.target.value);
              if (problem) setProblem(null);
            }}
            onKeyDown={(e) => {
              // Enter adds a tag rather than sending the whole form; a comma ends a tag as in Mahara.
              if (e.key === 'Enter' || e.key === ',') {
                e.preventDefault();
                add();
              }
            }}
          />
          <button type="button" className="button button--small button--secondary" onClick={add}>
            {t('tags.add')}
          </button>
        </div>
        {offered.length > 0 && (
          <datalist id={`${id}-suggestions`}>
            {offered.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
        )}
      </div>
      <p className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>
    </fieldset>
  );
}
