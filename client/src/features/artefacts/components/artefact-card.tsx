import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Artefact } from '../../../../../shared/api/artefacts.ts';
import type { Project } from '../../../../../shared/api/projects.ts';
import { useFormat } from '../../../lib/format.ts';
import { useReferenceLabels } from '../../reference/queries.ts';
import { artefactPath } from '../paths.ts';
import { StatusBadges } from './status-badges.tsx';
import { KindIcon } from './kind-icon.tsx';
import { artefactKindLabel } from '../kind-label.ts';
import { FreeTags } from './free-tags.tsx';

interface ArtefactCardProps {
  artefact: Artefact;
  project: Project | undefined;
  headingLevel?: 2 | 3;
}

/** One artefact in a timeline: picture or kind, title as the link, where it belongs, and its feedback. */
export function ArtefactCard({ artefact, project, headingLevel = 3 }: ArtefactCardProps) {
  const { t } = useTranslation();
  const format = useFormat();
  const labels = useReferenceLabels();
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  const thumb = artefact.media.find((m) => m.urls.thumb)?.urls.thumb;
  const phase = project?.phases.find((p) => p.id === artefact.phaseId);
  const headingId = `artefact-${artefact.id}`;

  return (
    <article className="artefact-card" aria-labelledby={headingId}>
      <div className="artefact-card__media">
        {thumb ? (
          // The title next to it names the work; the picture repeats it, so it is not announced twice.
          <img src={thumb} alt="" loading="lazy" decoding="async" />
        ) : (
          <span className="artefact-card__kind">
            <KindIcon kind={artefact.kind} size={36} />
          </span>
        )}
      </div>
      <div className="artefact-card__body">
        <Heading id={headingId} className="artefact-card__title">
          <Link to={artefactPath(artefact.id)}>{artefact.title}</Link>
        </Heading>
        <p className="artefact-card__meta">
          <span>{artefactKindLabel(t, artefact)}</span>
          <span aria-hidden="true"> · </span>
          <time dateTime={artefact.createdAt}>{format.date(artefact.createdAt)}</time>
          {project && (
            <>
              <span aria-hidden="true"> · </span>
              <span>{phase ? t('artefact.projectAndPhase', { project: project.title, phase: phase.title }) : project.title}</span>
            </>
          )}
        </p>
        <StatusBadges artefact={artefact} />
        {artefact.subjectCodes.length > 0 && (
          <ul className="tag-list" aria-label={t('artefact.subjects')}>
            {artefact.subjectCodes.map((code) => (
              <li key={code} className="tag">
                {labels.subject(code)}
              </li>
            ))}
          </ul>
        )}
        <FreeTags tags={artefact.tags} />
      </div>
    </article>
  );
}
