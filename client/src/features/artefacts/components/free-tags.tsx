import { useTranslation } from 'react-i18next';

/** An artefact's free tags as a list; `#` tells them apart from subjects at a glance (it is not read out). */
export function FreeTags({ tags, labelled = true }: { tags: readonly string[]; labelled?: boolean }) {
  const { t } = useTranslation();
  if (tags.length === 0) return null;
  return (
    <ul className="tag-list" aria-label={labelled ? t('tags.listLabel') : undefined}>
      {tags.map((tag) => (
        <li key={tag} className="tag tag--free">
          <span aria-hidden="true">#</span>
          {tag}
        </li>
      ))}
    </ul>
  );
}
