import { Fragment, type ReactNode } from 'react';
import type { PersonRef } from '../../../../../shared/portability/portfolio-format.ts';
import { SITE_PATHS, type SiteContext } from './site-context.ts';

/** How a page links to the archive root: '' from index.html, '../' from pages in site/. */
export type Root = '' | '../';

/** The link from a page at `root` to a path in the archive: pages in site/ reach their neighbours directly. */
export function linkTo(root: Root, archivePath: string): string {
  return root === '../' && archivePath.startsWith('site/') ? archivePath.slice('site/'.length) : `${root}${archivePath}`;
}

export function Page(props: { ctx: SiteContext; root: Root; title: string; trail: Array<{ href: string; label: string }>; children: ReactNode }) {
  const { ctx, root, title, trail } = props;
  const { t, doc } = ctx;
  const siteTitle = t.portfolioOf(doc.pupil.displayName);
  return (
    <html lang={ctx.locale}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="generator" content={`${doc.generator.name} ${doc.generator.version}`} />
        <title>{title === siteTitle ? title : `${title} – ${siteTitle}`}</title>
        <link rel="stylesheet" href={`${root}${SITE_PATHS.css}`} />
      </head>
      <body>
        <a className="skip" href="#main">
          {t.skipToContent}
        </a>
        <header className="site">
          <div className="wrap">
            <p className="site-title">
              <a href={`${root}index.html`}>{siteTitle}</a>
            </p>
            {trail.length > 0 && (
              <nav aria-label={t.breadcrumb}>
                <ol>
                  <li>
                    <a href={`${root}index.html`}>{t.home}</a>
                  </li>
                  {trail.map((step, i) => (
                    <li key={step.href}>
                      <a href={step.href} aria-current={i === trail.length - 1 ? 'page' : undefined}>
                        {step.label}
                      </a>
                    </li>
                  ))}
                </ol>
              </nav>
            )}
          </div>
        </header>
        <main id="main" tabIndex={-1} className="wrap">
          <h1>{title}</h1>
          {props.children}
        </main>
        <footer className="site">
          <div className="wrap">
            <p>
              {t.exportedOn(ctx.formatDateTime(doc.exportedAt))}. {t.madeWith}
            </p>
          </div>
        </footer>
      </body>
    </html>
  );
}

export function When({ ctx, iso }: { ctx: SiteContext; iso: string }) {
  return <time dateTime={iso}>{ctx.formatDateTime(iso)}</time>;
}

export function Person({ ctx, person }: { ctx: SiteContext; person: PersonRef | null }) {
  const { t } = ctx;
  if (!person) return <span>{t.unknownAuthor}</span>;
  return (
    <span>
      <strong>{person.displayName || t.unknownAuthor}</strong>
      {person.role && <span className="muted"> ({t.roles[person.role]})</span>}
      {person.imported && (
        <>
          {' '}
          <span className="tag">{t.imported}</span>
        </>
      )}
    </span>
  );
}

/** A fact list; rows with no value are left out. */
export function Facts({ rows }: { rows: Array<[string, ReactNode | null | undefined | false]> }) {
  const shown = rows.filter((r): r is [string, ReactNode] => r[1] !== null && r[1] !== undefined && r[1] !== false && r[1] !== '');
  if (shown.length === 0) return null;
  return (
    <dl className="facts">
      {shown.map(([label, value]) => (
        <Fragment key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </Fragment>
      ))}
    </dl>
  );
}
