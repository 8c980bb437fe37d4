import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Showcase, ShowcaseItem } from '../../../../../shared/api/showcases.ts';
import { SelectField, TextField } from '../../../components/form-fields.tsx';
import { LiveNotice, useNotice } from '../../../components/live-notice.tsx';
import { Loading, QueryError } from '../../../components/status.tsx';
import { errorText } from '../../../lib/error-message.ts';
import { useFormat } from '../../../lib/format.ts';
import { useSession } from '../../auth/session.ts';
import { useTimelineQuery } from '../../artefacts/queries.ts';
import { useProjectsQuery } from '../../projects/queries.ts';
import { useAddShowcaseItemMutation, useUpdateShowcaseItemMutation } from '../queries.ts';

/** Works from the pupil's own portfolio, searched and filtered by project, each added (or put into the chosen slot) with one button; and text blocks. */
export function ArtefactPicker({ showcase, fillSlot, onSlotFilled }: { showcase: Showcase; fillSlot: ShowcaseItem | null; onSlotFilled: () => void }) {
  const { t } = useTranslation();
  const me = useSession();
  const format = useFormat();
  const projects = useProjectsQuery();
  const [q, setQ] = useState('');
  const [projectId, setProjectId] = useState('');
  const filters = { ...(q.trim() ? { q: q.trim() } : {}), ...(projectId ? { projectId } : {}) };
  const timeline = useTimelineQuery(me.user.id, filters);
  const add = useAddShowcaseItemMutation(showcase.id);
  const fill = useUpdateShowcaseItemMutation(showcase.id);
  const notice = useNotice();
  const searchRef = useRef<HTMLInputElement>(null);
  const inShowcase = new Set(showcase.items.map((i) => i.artefact?.id).filter(Boolean));
  const works = timeline.data?.pages.flatMap((p) => p.items) ?? [];

  // Choosing a slot's work brings the keyboard here.
  useEffect(() => {
    if (fillSlot) searchRef.current?.focus();
  }, [fillSlot]);

  const pick = (artefactId: string, title: string) => {
    const done = { onSuccess: () => notice.success(t('showcases.added', { title })), onError: (e: unknown) => notice.error(errorText(e)) };
    if (fillSlot) fill.mutate({ itemId: fillSlot.id, body: { artefactId } }, { ...done, onSettled: onSlotFilled });
    else add.mutate({ artefactId }, done);
  };

  return (
    <section className="card stack" aria-labelledby="showcase-picker-heading">
      <h2 id="showcase-picker-heading">
        {fillSlot ? t('showcases.pickForSlot', { prompt: fillSlot.prompt ?? fillSlot.heading }) : t('showcases.pickHeading')}
      </h2>
      <div className="button-row button-row--start">
        <button
          type="button"
          className="button button--secondary"
          disabled={add.isPending}
          onClick={() => add.mutate({ heading: '' }, { onSuccess: () => notice.success(t('showcases.textAdded')), onError: (e) => notice.error(errorText(e)) })}
        >
          {t('showcases.addText')}
        </button>
      </div>
      <div className="showcase-picker__filters">
        <TextField ref={searchRef} name="q" type="search" label={t('showcases.search')} value={q} onChange={setQ} />
        <SelectField
          name="project"
          label={t('showcases.filterProject')}
          value={projectId}
          onChange={setProjectId}
          placeholder={t('showcases.allProjects')}
          options={(projects.data?.projects ?? []).map((p) => ({ value: p.id, label: p.title }))}
        />
      </div>
      <LiveNotice notice={notice.notice} />
      {timeline.isPending && <Loading />}
      {timeline.isError && <QueryError error={timeline.error} onRetry={() => void timeline.refetch()} />}
      {timeline.isSuccess &&
        (works.length === 0 ? (
          <p className="muted">{q || projectId ? t('showcases.noMatches') : t('showcases.noWorks')}</p>
        ) : (
          <ul className="showcase-picker__list">
            {works.map((a) => (
              <li key={a.id}>
                <span>{a.title}</span> <span className="muted">· {format.dateTime(a.createdAt)}</span>{' '}
                <button
                  type="button"
                  className="button button--secondary"
                  disabled={inShowcase.has(a.id) || add.isPending || fill.isPending}
                  aria-label={inShowcase.has(a.id) ? t('showcases.alreadyInNamed', { title: a.title }) : t('showcases.addNamed', { title: a.title })}
                  onClick={() => pick(a.id, a.title)}
                >
                  {inShowcase.has(a.id) ? t('showcases.alreadyIn') : t('showcases.add')}
                </button>
              </li>
            ))}
          </ul>
        ))}
      {timeline.hasNextPage && (
        <button type="button" className="button button--secondary" onClick={() => void timeline.fetchNextPage()} disabled={timeline.isFetchingNextPage}>
          {t('showcases.more')}
        </button>
      )}
    </section>
  );
}
