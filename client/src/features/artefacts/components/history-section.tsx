import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Artefact } from '../../../../../shared/api/artefacts.ts';
import { Loading, QueryError } from '../../../components/status.tsx';
import { useFormat } from '../../../lib/format.ts';
import { useArtefactHistoryQuery } from '../queries.ts';

/** Earlier versions, so that the process shows: loaded when the reader opens the section. */
export function HistorySection({ artefact }: { artefact: Artefact }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [open, setOpen] = useState(false);
  const history = useArtefactHistoryQuery(artefact.id, open);
  if (artefact.version <= 1) return null;
  const versions = [...(history.data?.versions ?? [])].sort((a, b) => b.version - a.version);
  const thumbs = new Map(artefact.media.map((m) => [m.id, m.urls.thumb]));

  return (
    <section className="card" aria-labelledby="history-heading">
      <h2 id="history-heading">{t('history.heading')}</h2>
      <details className="disclosure" onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary>{t('history.show', { count: artefact.version })}</summary>
        {history.isPending && open && <Loading />}
        {history.isError && <QueryError error={history.error} onRetry={() => void history.refetch()} />}
        {versions.length > 0 && (
          <ol className="history-list">
            {versions.map((v) => (
              <li key={v.version}>
                <details className="disclosure">
                  <summary>
                    {t('history.version', { n: v.version })} ·{' '}
                    <time dateTime={v.createdAt} title={format.dateTime(v.createdAt)}>
                      {!v.author && v.importedAuthor ? t('imported.originally', { date: format.dateTime(v.createdAt) }) : format.dateTime(v.createdAt)}
                    </time>
                    {v.author && <> · {v.author.displayName}</>}
                    {!v.author && v.importedAuthor && (
                      <>
                        {' '}
                        · {v.importedAuthor.displayName}{' '}
                        <span className="badge badge--imported" title={t('imported.personTitle')}>
                          {t('imported.label')}
                        </span>
                      </>
                    )}
                    {v.version === artefact.version && <> ({t('history.current')})</>}
                  </summary>
                  <div className="history-version">
                    <h3>{v.title}</h3>
                    <p className="muted">
                      {t(`artefact.status.${v.status}`)} · {t(`artefact.visibility.${v.visibility}`)}
                    </p>
                    {v.bodyHtml ? (
                      <div className="rich-content" dangerouslySetInnerHTML={{ __html: v.bodyHtml }} />
                    ) : (
                      <p className="muted">{t('history.noText')}</p>
                    )}
                    {v.mediaIds.length > 0 && <p className="muted">{t('history.mediaCount', { count: v.mediaIds.length })}</p>}
                    {v.mediaIds.some((id) => thumbs.get(id)) && (
                      <ul className="thumb-row" aria-hidden="true">
                        {v.mediaIds.map((id) => {
                          const thumb = thumbs.get(id);
                          return thumb ? (
                            <li key={id}>
                              <img src={thumb} alt="" loading="lazy" />
                            </li>
                          ) : null;
                        })}
                      </ul>
                    )}
                  </div>
                </details>
              </li>
            ))}
          </ol>
        )}
      </details>
    </section>
  );
}
