import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { Loading, PageError, pageErrorHeading } from '../../../components/status.tsx';
import { useFormat } from '../../../lib/format.ts';
import { isApiError } from '../../../lib/http.ts';
import { usePageTitle } from '../../../lib/page-title.ts';
import { MediaGallery } from '../../artefacts/components/media-gallery.tsx';
import { projectPath } from '../../projects/paths.ts';
import { usePeerWorkQuery } from '../queries.ts';
import { PeerFeedbackSection } from './peer-feedback-section.tsx';

/** A classmate's work shared with the project, read-only, with its peer feedback (issue 10 §5). */
export function PeerWorkPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const { artefactId = '' } = useParams();
  const work = usePeerWorkQuery(artefactId);
  const heading = work.isError ? (isApiError(work.error, 'not_found') ? t('peerFeedback.notFound') : pageErrorHeading(t, work.error)) : undefined;
  usePageTitle(work.data?.title ?? heading ?? t('common.loading'));
  if (work.isError) return <PageError error={work.error} heading={heading} onRetry={() => void work.refetch()} />;
  if (!work.data) {
    return (
      <>
        <h1>{t('common.loading')}</h1>
        <Loading />
      </>
    );
  }
  const w = work.data;
  return (
    <div className="artefact-page stack">
      <p className="back-link">
        <Link to={projectPath(w.projectId)}>{t('peerFeedback.backToProject')}</Link>
      </p>
      <div className="page-header">
        <h1>{w.title}</h1>
        <p className="muted">
          {w.owner.displayName} · {t('peerFeedback.sharedOn', { date: format.dateTime(w.sharedAt) })}
        </p>
      </div>
      <MediaGallery media={w.media} title={w.title} />
      {w.bodyHtml && (
        // Sanitised by the server (an allow-list of formatting tags) before it was stored.
        <div className="rich-content" dangerouslySetInnerHTML={{ __html: w.bodyHtml }} />
      )}
      {w.links.length > 0 && (
        <ul className="link-list" aria-label={t('artefact.links')}>
          {w.links.map((link) => (
            <li key={link.url}>
              <a href={link.url} target="_blank" rel="noopener noreferrer">
                {link.title || link.url}
              </a>
            </li>
          ))}
        </ul>
      )}
      <PeerFeedbackSection artefactId={w.id} />
    </div>
  );
}
