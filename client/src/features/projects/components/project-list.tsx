import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Project } from '../../../../../shared/api/projects.ts';
import { useFormat } from '../../../lib/format.ts';
import { projectPath } from '../paths.ts';

/** Projects as cards: title (the link), time span and groups. */
export function ProjectList({ projects, headingLevel = 3 }: { projects: readonly Project[]; headingLevel?: 2 | 3 }) {
  const { t } = useTranslation();
  const format = useFormat();
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <ul className="card-grid" role="list">
      {projects.map((project) => (
        <li key={project.id}>
          <section className="card project-card" aria-labelledby={`project-${project.id}`}>
            <Heading id={`project-${project.id}`}>
              <Link to={projectPath(project.id)}>{project.title}</Link>
            </Heading>
            {(project.startsOn || project.endsOn) && (
              <p className="muted">
                {t('projects.span', {
                  start: project.startsOn ? format.date(project.startsOn) : '…',
                  end: project.endsOn ? format.date(project.endsOn) : '…',
                })}
              </p>
            )}
            {project.groups.length > 0 && <p className="muted">{t('projects.groupsLine', { names: project.groups.map((g) => g.name).join(', ') })}</p>}
          </section>
        </li>
      ))}
    </ul>
  );
}
