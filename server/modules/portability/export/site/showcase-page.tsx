import type { ShowcaseDoc } from '../../../../../shared/portability/portfolio-format.ts';
import { GuardianVoice } from './artefact-page.tsx';
import { linkTo, Page, When } from './layout.tsx';
import { SITE_PATHS, type SiteContext } from './site-context.ts';

/**
 * A showcase as the pupil arranged it: the introduction, then each item in order. A work shows its
 * picture (when it has one), its title linking to its own page, and the pupil's reflection on why
 * it is here; a text block shows its heading and text.
 */
export function ShowcasePage({ ctx, showcase }: { ctx: SiteContext; showcase: ShowcaseDoc }) {
  const { t } = ctx;
  return (
    <Page ctx={ctx} root="../" title={showcase.title} trail={[{ href: linkTo('../', SITE_PATHS.showcase(showcase.id)), label: showcase.title }]}>
      <p className="muted">
        {t.updated}: <When ctx={ctx} iso={showcase.updatedAt} />
      </p>
      {showcase.introHtml && <div className="body" dangerouslySetInnerHTML={{ __html: ctx.bodyHtml(showcase.introHtml) }} />}
      <ol className="showcase">
        {showcase.items.map((item, i) => {
          const artefact = item.artefactId ? ctx.artefact(item.artefactId) : undefined;
          const picture = artefact?.media.find(
            (m) => !m.removedAt && (m.files.display ?? m.files.thumb ?? (m.kind === 'image' ? m.files.original : undefined)),
          );
          const image = picture ? (picture.files.display ?? picture.files.thumb ?? picture.files.original) : undefined;
          const heading = item.heading || artefact?.title;
          return (
            <li key={`${item.artefactId ?? 'text'}-${i}`}>
              {heading && <h2>{heading}</h2>}
              {item.artefactId &&
                (artefact ? (
                  <>
                    {image && <img src={`../${image.path}`} alt="" />}
                    <p>
                      <a href={linkTo('../', SITE_PATHS.artefact(artefact.id))}>{t.showcase.openWork(artefact.title)}</a>
                    </p>
                  </>
                ) : (
                  <p className="muted">{t.showcase.missingWork}</p>
                ))}
              {item.bodyHtml && (
                <>
                  {item.artefactId && <h3>{t.showcase.whyChosen}</h3>}
                  <div className="body" dangerouslySetInnerHTML={{ __html: ctx.bodyHtml(item.bodyHtml) }} />
                </>
              )}
            </li>
          );
        })}
      </ol>
      {/* Issue 12 §2 on showcases: as on a work's page. */}
      <GuardianVoice ctx={ctx} comments={(showcase.guardianComments ?? []).filter((c) => c.state === 'shown')} reactions={showcase.guardianReactions ?? {}} />
    </Page>
  );
}
