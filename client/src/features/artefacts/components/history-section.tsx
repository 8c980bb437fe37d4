import type { TFunction } from 'i18next';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import type { Artefact, ArtefactEventItem, ArtefactVersion } from '../../../../../shared/api/artefacts.ts';
import { Loading, QueryError } from '../../../components/status.tsx';
import { useFormat } from '../../../lib/format.ts';
import { useArtefactHistoryQuery } from '../queries.ts';
import { VersionDiff } from './version-diff.tsx';

/**
 * Earlier versions, so that the process shows: loaded when the reader opens the section. Each
 * version shows the feedback it answered and what changed from the one before (issue 10 §4);
 * `?diff=N&from=M` (the teacher's queue) opens it on the changes from version M to N.
 */
export function HistorySection({ artefact }: { artefact: Artefact }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [params] = useSearchParams();
  const diffTo = Number(params.get('diff')) || null;
  const diffFrom = Number(params.get('from')) || null;
  const [open, setOpen] = useState(diffTo !== null);
  // A link to a version's changes (the thread's "answered in version N") opens the history:
  // adjusted while rendering, as React advises for state that follows a prop.
  const [seenDiff, setSeenDiff] = useState(diffTo);
  if (diffTo !== seenDiff) {
    setSeenDiff(diffTo);
    if (diffTo !== null) setOpen(true);
  }
  const history = useArtefactHistoryQuery(artefact.id, open);
  const asked = useRef<HTMLDivElement>(null);
  const versions = [...(history.data?.versions ?? [])].sort((a, b) => b.version - a.version);
  const events = history.data?.events ?? [];
  const thumbs = new Map(artefact.media.map((m) => [m.id, m.urls.thumb]));
  // The one before each version, among those this reader may see.
  const previous = (v: ArtefactVersion) => versions.find((p) => p.version < v.version);
  const askedTo = diffTo ? versions.find((v) => v.version === diffTo) : undefined;
  const askedFrom = askedTo ? (diffFrom ? versions.find((v) => v.version === diffFrom) : previous(askedTo)) : undefined;
  useEffect(() => {
    if (askedTo && askedFrom) asked.current?.focus();
  }, [askedTo, askedFrom]);

  return (
    <section className="card" aria-labelledby="history-heading" id="history">
      <h2 id="history-heading">{t('history.heading')}</h2>
      <details className="disclosure" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary>{t('history.show', { count: artefact.version })}</summary>
        {history.isPending && open && <Loading />}
        {history.isError && <QueryError error={history.error} onRetry={() => void history.refetch()} />}
        {askedTo && askedFrom && (
          <div className="history-version" tabIndex={-1} ref={asked} aria-labelledby="asked-diff-heading">
            <h3 id="asked-diff-heading">{t('uptake.changesHeading', { from: askedFrom.version, to: askedTo.version })}</h3>
            <VersionDiff before={askedFrom} after={askedTo} />
          </div>
        )}
        {versions.length > 0 && (
          <ol className="history-list">
            {versions.map((v) => {
              const before = previous(v);
              return (
                <li key={v.version} id={`version-${v.version}`}>
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
                      {v.answers.length > 0 && <> · {t('uptake.answersVersion')}</>}
                      {v.moved && <> · {t('uptake.events.placement')}</>}
                    </summary>
                    <div className="history-version">
                      <h3>{v.title}</h3>
                      {v.answers.length > 0 && (
                        <>
                          <p className="muted">{t('uptake.answersVersion')}:</p>
                          <ul className="history-answers">
                            {v.answers.map((a) => (
                              <li key={a.id}>
                                {a.revise && <span className="badge badge--revise">{t('uptake.revisionRequested')}</span>}{' '}
                                <a href={`#feedback-${a.id}`}>{excerpt(a.body)}</a>
                              </li>
                            ))}
                          </ul>
                        </>
                      )}
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
                      {before && (
                        <details className="disclosure">
                          <summary>{t('uptake.showChanges')}</summary>
                          <VersionDiff before={before} after={v} />
                        </details>
                      )}
                    </div>
                  </details>
                </li>
              );
            })}
          </ol>
        )}
        {events.length > 0 && (
          <>
            <h3>{t('uptake.eventsHeading')}</h3>
            <ul className="history-events">
              {events.map((e, i) => (
                <li key={i}>
                  {eventLabel(t, e)} ·{' '}
                  <time dateTime={e.createdAt} title={format.dateTime(e.createdAt)}>
                    {format.dateTime(e.createdAt)}
                  </time>
                  {e.actor && <> · {e.actor.displayName}</>}
                </li>
              ))}
            </ul>
          </>
        )}
      </details>
    </section>
  );
}

function eventLabel(t: TFunction, e: ArtefactEventItem): string {
  if (e.kind === 'status') return e.to === 'ready' ? t('uptake.events.status_ready') : t('uptake.events.status_draft');
  if (e.kind === 'visibility') return e.to === 'guardians' ? t('uptake.events.visibility_guardians') : t('uptake.events.visibility_private');
  return t('uptake.events.placement');
}

const excerpt = (text: string) => (text.length > 80 ? `${text.slice(0, 79)}…` : text);
