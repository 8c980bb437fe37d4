import type { GoalAssessmentDoc, ProjectDoc } from '../../../../../shared/portability/portfolio-format.ts';
import { Facts, linkTo, Page, Person, When } from './layout.tsx';
import { SITE_PATHS, type SiteContext } from './site-context.ts';

const ROOT = '../';
const local = (path: string) => linkTo(ROOT, path);

type Goal = ProjectDoc['goals'][number];

/**
 * One page per learning goal (issue 10 §8): its success criteria, the project's scale, and the growth
 * table, the pupil's self-assessments and the teachers' levels by date, oldest first, each with its
 * reflection and the work it rests on. A shared export holds only the assessments the pupil shared.
 */
export function GoalPage({ ctx, project, goal }: { ctx: SiteContext; project: ProjectDoc; goal: Goal }) {
  const { t } = ctx;
  const a = t.assessment;
  const rows = (ctx.doc.goalAssessments ?? []).filter((x) => x.goalId === goal.id);
  const artefacts = new Map(ctx.doc.artefacts.map((x) => [x.id, x]));
  const level = (x: GoalAssessmentDoc) => {
    const l = project.scale?.levels[x.level];
    // A version 1 archive has no scale: the level's number is all there is.
    return l ? `${l.icon} ${l.labels[ctx.locale]}` : String(x.level + 1);
  };
  const criteria = goal.successCriteria ?? [];
  return (
    <Page
      ctx={ctx}
      root={ROOT}
      title={goal.text}
      trail={[
        { href: local(SITE_PATHS.project(project.id)), label: project.title },
        { href: local(SITE_PATHS.goal(goal.id)), label: goal.text },
      ]}
    >
      <Facts
        rows={[
          [t.project, <a href={local(SITE_PATHS.project(project.id))}>{project.title}</a>],
          [a.scale, project.scale && project.scale.levels.map((l) => `${l.icon} ${l.labels[ctx.locale]}`).join(' · ')],
        ]}
      />
      {criteria.length > 0 && (
        <section aria-labelledby="criteria">
          <h2 id="criteria">{a.criteria}</h2>
          <ul>
            {criteria.map((c, i) => (
              <li key={i}>{c}</li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="growth">
        <h2 id="growth">{a.growth}</h2>
        {rows.length === 0 ? (
          <p>{a.noAssessments}</p>
        ) : (
          <table className="growth">
            <caption>{a.growthCaption}</caption>
            <thead>
              <tr>
                <th scope="col">{a.date}</th>
                <th scope="col">{a.self}</th>
                <th scope="col">{a.teacher}</th>
                <th scope="col">{a.reflection}</th>
                <th scope="col">{a.evidence}</th>
                <th scope="col">{a.assessedBy}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((x) => (
                <tr key={x.id} id={`assessment-${x.id}`}>
                  <th scope="row">
                    <When ctx={ctx} iso={x.createdAt} />
                  </th>
                  <td>{x.kind === 'self' ? level(x) : ''}</td>
                  <td>{x.kind === 'teacher' ? level(x) : ''}</td>
                  <td>
                    {x.reflection ?? ''}
                    {x.voice && (
                      <figure className="voice">
                        <figcaption>{a.voiceReflection}</figcaption>
                        <audio controls preload="none" src={`${ROOT}${x.voice.file.path}`} aria-label={a.voiceReflection} />
                      </figure>
                    )}
                  </td>
                  <td>
                    {x.artefactIds.flatMap((id) => {
                      const work = artefacts.get(id);
                      return work
                        ? [
                            <a key={id} href={local(SITE_PATHS.artefact(id))}>
                              {work.title}
                            </a>,
                          ]
                        : [];
                    })}
                  </td>
                  <td>
                    <Person ctx={ctx} person={x.assessor} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Page>
  );
}
