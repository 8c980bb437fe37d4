import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Media } from '../../../../../shared/api/artefacts.ts';
import { useFormat } from '../../../lib/format.ts';

/**
 * The media of an artefact. Every URL goes through the server's policy check
 * (/api/media/:id/:variant answers with a short-lived signed address), so they can be used as is.
 */
export function MediaGallery({
  media,
  title,
  overlay,
}: {
  media: readonly Media[];
  title: string;
  /** Issue 10 §3: feedback markers over an image and beside a player (the artefact page's). */
  overlay?: { image: (item: Media) => ReactNode; player: (item: Media) => ReactNode };
}) {
  const { t } = useTranslation();
  const format = useFormat();
  if (media.length === 0) return null;
  const images = media.filter((m) => m.kind === 'image');
  return (
    <ul className="media-gallery" aria-label={t('media.galleryLabel')}>
      {media.map((item) => {
        const name = item.originalName ?? t(`media.kinds.${item.kind}`);
        const original = item.urls.original;
        switch (item.kind) {
          case 'image': {
            const n = images.indexOf(item) + 1;
            const alt = images.length > 1 ? t('media.imageAltN', { title, n, total: images.length }) : t('media.imageAlt', { title });
            return (
              <li key={item.id} className="media-item media-item--image">
                <figure>
                  <div className="media-item__frame">
                    <img
                      id={`media-image-${item.id}`}
                      src={item.urls.display ?? original}
                      alt={alt}
                      width={item.width ?? undefined}
                      height={item.height ?? undefined}
                      loading="lazy"
                      decoding="async"
                    />
                    {overlay?.image(item)}
                  </div>
                  {original && (
                    <figcaption>
                      <a href={original} target="_blank" rel="noopener">
                        {t('media.openOriginal')}
                        <span className="visually-hidden"> ({name})</span>
                      </a>
                    </figcaption>
                  )}
                </figure>
              </li>
            );
          }
          case 'audio':
            return (
              <li key={item.id} className="media-item media-item--audio">
                <figure>
                  <figcaption>
                    {name}
                    {item.durationMs ? <span className="muted"> ({Math.round(item.durationMs / 1000)} s)</span> : null}
                  </figcaption>
                  <audio id={`media-player-${item.id}`} controls preload="metadata" src={original}>
                    <a href={original}>{t('media.download', { name })}</a>
                  </audio>
                  {overlay?.player(item)}
                </figure>
              </li>
            );
          case 'video':
            return (
              <li key={item.id} className="media-item media-item--video">
                <figure>
                  <video id={`media-player-${item.id}`} controls preload="metadata" src={item.urls.display ?? original} poster={item.urls.poster}>
                    <a href={original}>{t('media.download', { name })}</a>
                  </video>
                  <figcaption>{name}</figcaption>
                  {overlay?.player(item)}
                </figure>
              </li>
            );
          default:
            return (
              <li key={item.id} className="media-item media-item--file">
                <a href={original} download={item.originalName ?? undefined}>
                  {t('media.download', { name })}
                </a>{' '}
                <span className="muted">({format.fileSize(item.size)})</span>
              </li>
            );
        }
      })}
    </ul>
  );
}
