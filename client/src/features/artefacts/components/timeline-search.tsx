import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { TextField } from '../../../components/form-fields.tsx';

/** How long typing may pause before the timeline is asked again: one request per word, not per key. */
const SETTLE_MS = 300;

/** The timeline's text search: words in a title, a text or a tag; the address keeps it (`?q=`). */
export function TimelineSearch({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState(value);
  // Back and forward (or a cleared filter) change the address: the field follows it.
  const [shown, setShown] = useState(value);
  if (shown !== value) {
    setShown(value);
    setText(value);
  }
  // The parent passes a new function on every render; the pause must not start over because of that.
  const latest = useRef(onChange);
  useEffect(() => {
    latest.current = onChange;
  });
  useEffect(() => {
    const wanted = text.trim().slice(0, 100);
    if (wanted === value) return;
    const timer = setTimeout(() => latest.current(wanted), SETTLE_MS);
    return () => clearTimeout(timer);
  }, [text, value]);
  return <TextField name="q" type="search" label={t('timeline.search')} hint={t('timeline.searchHint')} value={text} onChange={setText} spellCheck={false} />;
}
