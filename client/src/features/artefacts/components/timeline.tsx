import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { ARTEFACT_KINDS, type ArtefactKind } from '../../../../../shared/portfolio.ts';
import type { Project } from '../../../../../shared/api/projects.ts';
import { SelectField } from '../../../components/form-fields.tsx';
import { EmptyState, Loading, QueryError } from '../../../components/status.tsx';
import { useProjectsQuery } from '../../projects/queries.ts';
import { useReferenceLabels } from '../../reference/queries.ts';
import type { TimelineFilters } from '../api.ts';
import { useTimelineQuery } from '../queries.ts';
import { ArtefactCard } from './artefact-card.tsx';
import { TagFilter } from './tag-filter.tsx';
import { TimelineSearch } from './timeline-search.tsx';

const isKind = (value: string | null): value is ArtefactKind => (ARTEFACT_KINDS as readonly (string | null)[]).includes(value);

interface TimelineProps {
  pupilId: string;
  headingId: string;
  /** Fixed filters (a project page shows only that project's work); otherwise they come from the URL. */
  fixed?: TimelineFilters;
  showFilters?: boolean;
  /** Shown when there is nothing at all (no filter active). */
  empty: React.ReactNode;
}

/** A pupil's artefacts, newest first, in pages that load as the reader scrolls (or presses "Show more"). */
export function Timeline({ pupilId, headingId, fixed, showFilters = true, empty }: TimelineProps) {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const projects = useProjectsQuery();
  const kind = params.get('kind');
  const filters: TimelineFilters = fixed ?? {
    ...(params.get('project') ? { projectId: params.get('project') ?? '' } : {}),
    ...(params.get('subject') ? { subject: params.get('subject') ?? '' } : {}),
    ...(params.get('competence') ? { competence: params.get('competence') ?? '' } : {}),
    ...(isKind(kind) ? { kind } : {}),
    ...(params.get('tag') ? { tag: params.get('tag') ?? '' } : {}),
    ...(params.get('q') ? { q: params.get('q') ?? '' } : {}),
  };
  const filtered = !fixed && Object.keys(filters).length > 0;
  const timeline = useTimelineQuery(pupilId, filters);
  const projectById = new Map<string, Project>(projects.data?.projects.map((p) => [p.id, p]));
  const items = timeline.data?.pages.flatMap((page) => page.items) ?? [];

  const setFilter = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };

  return (
    <div className="stack">
      {showFilters && !fixed && <TimelineFilterBar params={params} projects={projects.data?.projects ?? []} onChange={setFilter} />}
      {showFilters && !fixed && <TagFilter pupilId={pupilId} selected={filters.tag ?? ''} onChange={(tag) => setFilter('tag', tag)} />}
      {timeline.isPending && <Loading />}
      {timeline.isError && <QueryError error={timeline.error} onRetry={() => void timeline.refetch()} />}
      {timeline.isSuccess &&
        items.length === 0 &&
        (filtered ? (
          filters.tag ? (
            <EmptyState heading={t('tags.noMatches', { tag: filters.tag })} headingLevel={3}>
              <button type="button" className="button button--secondary" onClick={() => setFilter('tag', '')}>
                {t('tags.clearFilter')}
              </button>
            </EmptyState>
          ) : (
            <EmptyState heading={t('timeline.noMatches')} headingLevel={3} />
          )
        ) : (
          empty
        ))}
      {items.length > 0 && (
        <ol className="timeline" aria-labelledby={headingId}>
          {items.map((artefact) => (
            <li key={artefact.id}>
              <ArtefactCard artefact={artefact} project={artefact.projectId ? projectById.get(artefact.projectId) : undefined} />
            </li>
          ))}
        </ol>
      )}
      {timeline.isSuccess && (
        <p className="visually-hidden" role="status">
          {t('timeline.shown', { count: items.length })}
        </p>
      )}
      {timeline.hasNextPage && (
        <LoadMore
          loading={timeline.isFetchingNextPage}
          onLoad={() => {
            if (!timeline.isFetchingNextPage) void timeline.fetchNextPage();
          }}
        />
      )}
      {timeline.isFetchNextPageError && <QueryError error={timeline.error} onRetry={() => void timeline.fetchNextPage()} />}
    </div>
  );
}

/**
 * Infinite scroll with a real button: the observer presses it for those who scroll, and
 * keyboard users (or a browser without IntersectionObserver) press it themselves.
 */
function LoadMore({ loading, onLoad }: { loading: boolean; onLoad: () => void }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  const onLoadRef = useRef(onLoad);
  useEffect(() => {
    onLoadRef.current = onLoad;
  });
  // Re-created after each load: a new observer reports at once whether the button is still in
  // view (a short page on a tall screen), which the old one would not, as nothing changed for it.
  useEffect(() => {
    const el = ref.current;
    if (loading || !el || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) onLoadRef.current();
      },
      { rootMargin: '400px 0px' },
    );
    observer.observe(el);
    return () => observer.disconnect();
  }, [loading]);
  return (
    <div ref={ref} className="load-more">
      <button type="button" className="button button--secondary" onClick={onLoad} disabled={loading}>
        {loading ? t('common.loading') : t('timeline.loadMore')}
      </button>
    </div>
  );
}

interface FilterBarProps {
  params: URLSearchParams;
  projects: readonly Project[];
  onChange: (key: string, value: string) => void;
}

function TimelineFilterBar({ params, projects, onChange }: FilterBarProps) {
  const { t } = useTranslation();
  const labels = useReferenceLabels();
  const subjects = labels.data?.subjects ?? [];
  const frameworks = labels.data?.frameworks ?? [];
  return (
    <fieldset className="filter-bar filter-bar--grid">
      <legend className="visually-hidden">{t('timeline.filters')}</legend>
      <TimelineSearch value={params.get('q') ?? ''} onChange={(v) => onChange('q', v)} />
      <SelectField
        name="project"
        label={t('timeline.project')}
        value={params.get('project') ?? ''}
        onChange={(v) => onChange('project', v)}
        options={[{ value: '', label: t('timeline.all') }, ...projects.map((p) => ({ value: p.id, label: p.title }))]}
      />
      <SelectField
        name="subject"
        label={t('timeline.subject')}
        value={params.get('subject') ?? ''}
        onChange={(v) => onChange('subject', v)}
        options={[{ value: '', label: t('timeline.all') }, ...subjects.map((s) => ({ value: s.code, label: labels.label(s.labels) }))]}
      />
      <SelectField
        name="competence"
        label={t('timeline.competence')}
        value={params.get('competence') ?? ''}
        onChange={(v) => onChange('competence', v)}
        options={[
          { value: '', label: t('timeline.all') },
          ...frameworks.flatMap((f) => f.competences.map((c) => ({ value: c.id, label: competenceOptionLabel(c.key, labels.label(c.labels)) }))),
        ]}
      />
      <SelectField
        name="kind"
        label={t('timeline.kind')}
        value={params.get('kind') ?? ''}
        onChange={(v) => onChange('kind', v)}
        options={[{ value: '', label: t('timeline.all') }, ...ARTEFACT_KINDS.map((k) => ({ value: k, label: t(`artefact.kinds.${k}`) }))]}
      />
    </fieldset>
  );
}

/** Basic education's competences are known by their codes L1–L7 too. */
export const competenceOptionLabel = (key: string, label: string) => (/^L\d$/.test(key) ? `${key} ${label}` : label);
