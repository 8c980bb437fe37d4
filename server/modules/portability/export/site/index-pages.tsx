import type { ArtefactDoc, ProjectDoc } from '../../../../../shared/portability/portfolio-format.ts';
import { Facts, linkTo, Page, Person, When, type Root } from './layout.tsx';
import { SITE_PATHS, type SiteContext } from './site-context.ts';

/** index.html: the pupil, their projects with goals and phases, and all work, newest first. */
export function IndexPage({ ctx }: { ctx: SiteContext }) {
  const { t, doc } = ctx;
  return (
    <Page ctx={ctx} root="" title={t.portfolioOf(doc.pupil.displayName)} trail={[]}>
      <p>{t.siteDescription}</p>
      <Facts
        rows={[
          [t.pupil, doc.pupil.displayName],
          [t.schools, doc.schools.map((s) => s.name).join(', ')],
        ]}
      />
      {doc.scope === 'shared' && <p>{t.sharedOnly}</p>}
      <section aria-labelledby="projects">
        <h2 id="projects">{t.projects}</h2>
        {doc.projects.length === 0 ? <p>{t.noProjects}</p> : doc.projects.map((p) => <ProjectSummary key={p.id} ctx={ctx} project={p} />)}
      </section>
      {(doc.showcases ?? []).length > 0 && (
        <section aria-labelledby="showcases">
          <h2 id="showcases">{t.showcase.heading}</h2>
          <ul>
            {(doc.showcases ?? []).map((s) => (
              <li key={s.id}>
                <a href={SITE_PATHS.showcase(s.id)}>{s.title}</a> <span className="muted">({t.showcase.items(s.items.length)})</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="artefacts">
        <h2 id="artefacts">{t.artefacts}</h2>
        <ArtefactList ctx={ctx} root="" artefacts={doc.artefacts} />
      </section>
    </Page>
  );
}

function ProjectSummary({ ctx, project }: { ctx: SiteContext; project: ProjectDoc }) {
  const { t } = ctx;
  return (
    <article>
      <h3>
        <a href={SITE_PATHS.project(project.id)}>{project.title}</a>
      </h3>
      <Facts
        rows={[
          [t.schoolYear, project.schoolYear],
          [t.period, period(ctx, project)],
        ]}
      />
      {project.goals.length > 0 && (
        <>
          <h4>{t.goals}</h4>
          <ul>
            {project.goals.map((g) => (
              <li key={g.id}>{g.text}</li>
            ))}
          </ul>
        </>
      )}
      {project.phases.length > 0 && (
        <>
          <h4>{t.phases}</h4>
          <ol>
            {project.phases.map((p) => (
              <li key={p.id}>{p.title}</li>
            ))}
          </ol>
        </>
      )}
    </article>
  );
}

export function period(ctx: SiteContext, project: ProjectDoc): string | null {
  const parts = [project.startsOn, project.endsOn].map((d) => (d ? ctx.formatDate(d) : ''));
  return parts.some(Boolean) ? parts.join(' – ') : null;
}

/** Cards linking to artefact pages; a picture's thumbnail is decorative there (the title is the link). */
export function ArtefactList({ ctx, root, artefacts, level = 3 }: { ctx: SiteContext; root: Root; artefacts: ArtefactDoc[]; level?: 3 | 4 }) {
  const Heading = level === 3 ? 'h3' : 'h4';
  const { t } = ctx;
  if (artefacts.length === 0) return <p>{t.noArtefacts}</p>;
  return (
    <ul className="cards">
      {artefacts.map((a) => {
        const picture = a.media.find((m) => !m.removedAt && (m.files.thumb ?? (m.kind === 'image' ? m.files.original : undefined)));
        const thumb = picture ? (picture.files.thumb ?? picture.files.original) : undefined;
        const project = a.projectId ? ctx.projects.get(a.projectId) : undefined;
        return (
          <li key={a.id}>
            {thumb && <img src={`${root}${thumb.path}`} alt="" width={96} height={96} />}
            <div>
              <Heading>
                <a href={linkTo(root, SITE_PATHS.artefact(a.id))}>{a.title}</a>
              </Heading>
              <p className="muted">
                {t.kinds[a.kind]} · <When ctx={ctx} iso={a.createdAt} />
                {project ? ` · ${project.title}` : ''} · {t.feedback}: {a.feedback.length}
              </p>
            </div>
          </li>
        );
      })}
    </ul>
  );
}

/** One page per project: description, facts, goals, phases, and its work grouped by phase. */
export function ProjectPage({ ctx, project }: { ctx: SiteContext; project: ProjectDoc }) {
  const { t } = ctx;
  const artefacts = ctx.artefactsOf(project.id);
  const unphased = artefacts.filter((a) => !project.phases.some((p) => p.id === a.phaseId));
  return (
    <Page ctx={ctx} root="../" title={project.title} trail={[{ href: linkTo('../', SITE_PATHS.project(project.id)), label: project.title }]}>
      {project.description && <p>{project.description}</p>}
      <Facts
        rows={[
          [t.schoolYear, project.schoolYear],
          [t.period, period(ctx, project)],
          [t.subjects, project.subjectCodes.map(ctx.subjectLabel).join(', ')],
          [t.competences, project.competenceIds.map(ctx.competenceLabel).join(', ')],
          [
            t.teachers,
            project.teachers.length > 0 && (
              <ul>
                {project.teachers.map((p, i) => (
                  <li key={`${p.id ?? p.displayName}-${i}`}>
                    <Person ctx={ctx} person={p} />
                  </li>
                ))}
              </ul>
            ),
          ],
          [t.importedFrom(project.origin?.source ?? ''), project.origin ? project.origin.id : null],
        ]}
      />
      <h2>{t.goals}</h2>
      {project.goals.length > 0 ? (
        <ul>
          {project.goals.map((g) => (
            <li key={g.id}>
              <a href={linkTo('../', SITE_PATHS.goal(g.id))}>{g.text}</a>
            </li>
          ))}
        </ul>
      ) : (
        <p>–</p>
      )}
      <h2>{t.artefactsOfProject}</h2>
      {project.phases.map((phase) => (
        <section key={phase.id} aria-labelledby={`phase-${phase.id}`}>
          <h3 id={`phase-${phase.id}`}>
            {t.phase}: {phase.title}
          </h3>
          <ArtefactList ctx={ctx} root="../" artefacts={artefacts.filter((a) => a.phaseId === phase.id)} level={4} />
        </section>
      ))}
      {unphased.length > 0 && (
        <section aria-labelledby="phase-none">
          <h3 id="phase-none">{t.phase}: –</h3>
          <ArtefactList ctx={ctx} root="../" artefacts={unphased} level={4} />
        </section>
      )}
    </Page>
  );
}
