import { useTranslation } from 'react-i18next';
import { tagKey } from '../../../../../shared/api/tags.ts';
import { usePupilTagsQuery } from '../queries.ts';

interface TagFilterProps {
  pupilId: string;
  /** The tag in the URL, or '' for none. */
  selected: string;
  onChange: (tag: string) => void;
}

/**
 * The tags of the work this viewer sees, as toggle buttons (aria-pressed): one press filters the
 * timeline, pressing it again (or "All") shows everything. Nothing is shown while there are no tags.
 */
export function TagFilter({ pupilId, selected, onChange }: TagFilterProps) {
  const { t } = useTranslation();
  const tags = usePupilTagsQuery(pupilId);
  const list = tags.data?.tags ?? [];
  if (list.length === 0 && !selected) return null;
  const isSelected = (tag: string) => selected !== '' && tagKey(tag) === tagKey(selected);
  return (
    <div role="group" aria-label={t('tags.filter')} className="tag-filter">
      <ul className="tag-list">
        <li>
          <button type="button" className="tag-chip" aria-pressed={selected === ''} onClick={() => onChange('')}>
            {t('tags.all')}
          </button>
        </li>
        {list.map(({ tag, count }) => (
          <li key={tag}>
            <button
              type="button"
              className="tag-chip"
              aria-pressed={isSelected(tag)}
              aria-label={t('tags.chip', { tag, count })}
              onClick={() => onChange(isSelected(tag) ? '' : tag)}
            >
              <span aria-hidden="true">#</span>
              {tag} <span className="tag-chip__count">{count}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
