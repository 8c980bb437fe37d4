import { useTranslation } from 'react-i18next';
import type { Showcase, ShowcaseItem } from '../../../../../shared/api/showcases.ts';
import { MediaGallery } from '../../artefacts/components/media-gallery.tsx';

/**
 * A showcase read-only, as any viewer sees it: the works' current title, text and media (through the showcase's own
 * media route), the pupil's reasons and text blocks, in the order chosen. No feedback, history or other names.
 */
export function ShowcaseView({ showcase }: { showcase: Showcase }) {
  const { t } = useTranslation();
  return (
    <div className="showcase stack">
      {showcase.introHtml && (
        // Sanitised by the server (the rich-text allow-list) before it was stored.
        <div className="rich-content showcase__intro" dangerouslySetInnerHTML={{ __html: showcase.introHtml }} />
      )}
      {showcase.items.length === 0 ? (
        <p className="muted">{t('showcases.emptyView')}</p>
      ) : (
        <ol className="showcase__items" aria-label={t('showcases.itemsLabel')}>
          {showcase.items.map((item) => (
            <li key={item.id} className="card stack showcase__item">
              <ItemView item={item} />
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

function ItemView({ item }: { item: ShowcaseItem }) {
  const { t } = useTranslation();
  const a = item.artefact;
  if (!a)
    return (
      <>
        {item.heading && <h2>{item.heading}</h2>}
        {item.bodyHtml && <div className="rich-content" dangerouslySetInnerHTML={{ __html: item.bodyHtml }} />}
      </>
    );
  return (
    <article className="stack" aria-labelledby={`showcase-item-${item.id}`}>
      {item.heading && <p className="showcase__kicker">{item.heading}</p>}
      <h2 id={`showcase-item-${item.id}`}>{a.title}</h2>
      <MediaGallery media={a.media} title={a.title} />
      {a.bodyHtml && <div className="rich-content" dangerouslySetInnerHTML={{ __html: a.bodyHtml }} />}
      {a.links.length > 0 && (
        <ul className="link-list" aria-label={t('artefact.links')}>
          {a.links.map((link) => (
            <li key={link.url}>
              <a href={link.url} target="_blank" rel="noopener noreferrer">
                {link.title || link.url}
              </a>
            </li>
          ))}
        </ul>
      )}
      {item.bodyHtml && (
        <section className="showcase__reflection" aria-label={t('showcases.whyChosen')}>
          <h3>{t('showcases.whyChosen')}</h3>
          <div className="rich-content" dangerouslySetInnerHTML={{ __html: item.bodyHtml }} />
        </section>
      )}
    </article>
  );
}
