import type { ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { ArtefactKind, MediaKind } from '../../../shared/portfolio.ts';
import { LOCALES, type Locale } from '../../../shared/roles.ts';
import { SITE_CSS } from '../portability/export/site/site-style.ts';
import { siteText } from '../portability/export/site/site-text.ts';
import { SHARE_TEXT } from './share-text.ts';

/** What a secret link's page shows of one artefact: no names, no project, no history. */
export interface SharedArtefact {
  id: string;
  kind: ArtefactKind;
  title: string;
  /** Sanitised already. */
  bodyHtml: string;
  links: ReadonlyArray<{ url: string; title: string | null }>;
  createdAt: Date;
  media: SharedMedia[];
  /** Null when the link does not include feedback. */
  feedback: SharedFeedback[] | null;
}
export interface SharedMedia {
  id: string;
  kind: MediaKind;
  name: string;
  /** Signed URLs that expire no later than the link and are checked again at use. */
  src: string | null;
  poster: string | null;
  width: number | null;
  height: number | null;
}
export interface SharedFeedback {
  id: string;
  parentId: string | null;
  /** Only the author's role: the page names no one but (if they chose so) the pupil. */
  author: 'teacher' | 'pupil';
  body: string;
  createdAt: Date;
}
export type SharedPage =
  | { type: 'artefact'; title: string; ownerName: string | null; expiresAt: Date; artefact: SharedArtefact }
  | {
      type: 'showcase';
      title: string;
      ownerName: string | null;
      expiresAt: Date;
      /** Sanitised already. */
      introHtml: string;
      items: Array<{ id: string; heading: string; bodyHtml: string; artefact: SharedArtefact | null; wasArtefact: boolean }>;
    };

const PAGE_CSS = `${SITE_CSS}
.note { background: var(--soft); border: 1px solid var(--line); padding: .5rem .75rem; }
.showcase-item { border-top: 1px solid var(--line); padding-top: 1rem; margin-top: 1.5rem; }
form.passcode { display: grid; gap: .5rem; max-width: 22rem; }
form.passcode input { font: inherit; padding: .45rem .6rem; border: 1px solid #6b6b6b; border-radius: 4px; }
form.passcode input:focus-visible, form.passcode button:focus-visible { outline: 3px solid #b35c00; outline-offset: 2px; }
form.passcode button { font: inherit; padding: .45rem 1rem; background: #0a4d8c; color: #fff; border: 0; border-radius: 4px; cursor: pointer; justify-self: start; }
.error { color: #9b1c1c; font-weight: 600; }
.lang + .lang { border-top: 1px solid var(--line); margin-top: 2rem; padding-top: 1rem; }
`;

const doc = (element: ReactNode) => `<!DOCTYPE html>\n${renderToStaticMarkup(<>{element}</>)}\n`;

function Shell({ locale, title, children }: { locale: Locale; title: string; children: ReactNode }) {
  return (
    <html lang={locale}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <meta name="referrer" content="no-referrer" />
        <title>{title}</title>
        <style dangerouslySetInnerHTML={{ __html: PAGE_CSS }} />
      </head>
      <body>
        <a className="skip" href="#main">
          {siteText(locale).skipToContent}
        </a>
        <main id="main" tabIndex={-1} className="wrap">
          {children}
        </main>
      </body>
    </html>
  );
}

/**
 * The one answer for an unknown, expired or revoked link: the same bytes whatever the link or the request
 * (all three languages at once, not chosen by Accept-Language), so that nothing tells them apart.
 */
export const UNAVAILABLE_HTML = doc(
  <html lang="fi">
    <head>
      <meta charSet="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="robots" content="noindex, nofollow" />
      <meta name="referrer" content="no-referrer" />
      <title>{`${SHARE_TEXT.fi.unavailableTitle} – ${SHARE_TEXT.sv.unavailableTitle} – ${SHARE_TEXT.en.unavailableTitle}`}</title>
      <style dangerouslySetInnerHTML={{ __html: PAGE_CSS }} />
    </head>
    <body>
      <main id="main" className="wrap">
        {LOCALES.map((l, i) => (
          <section key={l} lang={l} className="lang" aria-labelledby={`title-${l}`}>
            {i === 0 ? <h1 id={`title-${l}`}>{SHARE_TEXT[l].unavailableTitle}</h1> : <h2 id={`title-${l}`}>{SHARE_TEXT[l].unavailableTitle}</h2>}
            <p>{SHARE_TEXT[l].unavailableBody}</p>
          </section>
        ))}
      </main>
    </body>
  </html>,
);

export function tooManyHtml(locale: Locale): string {
  const t = SHARE_TEXT[locale];
  return doc(
    <Shell locale={locale} title={t.tooManyTitle}>
      <h1>{t.tooManyTitle}</h1>
      <p>{t.tooManyBody}</p>
    </Shell>,
  );
}

/** The passcode form; it posts back to the page's own address (the browser's, not written here: no token in the page). */
export function passcodeHtml(locale: Locale, wrong: boolean): string {
  const t = SHARE_TEXT[locale];
  return doc(
    <Shell locale={locale} title={t.passcodeTitle}>
      <h1>{t.passcodeTitle}</h1>
      <p>{t.passcodeIntro}</p>
      <form method="post" className="passcode">
        {wrong && (
          <p className="error" role="alert" id="passcode-error">
            {t.passcodeWrong}
          </p>
        )}
        <label htmlFor="passcode">{t.passcodeLabel}</label>
        <input
          id="passcode"
          name="passcode"
          type="password"
          required
          autoComplete="off"
          autoFocus
          maxLength={100}
          aria-invalid={wrong || undefined}
          aria-describedby={wrong ? 'passcode-error' : undefined}
        />
        <button type="submit">{t.passcodeSubmit}</button>
      </form>
    </Shell>,
  );
}

export function sharedPageHtml(locale: Locale, page: SharedPage, timeZone: string): string {
  const t = SHARE_TEXT[locale];
  const when = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short', timeZone });
  const day = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone });
  return doc(
    <Shell locale={locale} title={page.title}>
      <p className="muted">{t.sharedWork}</p>
      <h1>{page.title}</h1>
      {page.ownerName && <p>{t.madeBy(page.ownerName)}</p>}
      <p className="note">
        {t.readOnlyNote} {t.validUntil(day.format(page.expiresAt))}
      </p>
      {page.type === 'artefact' ? (
        <ArtefactView locale={locale} artefact={page.artefact} when={when} level={2} />
      ) : (
        <>
          {page.introHtml && <div className="body" dangerouslySetInnerHTML={{ __html: page.introHtml }} />}
          {page.items.length === 0 && <p>{t.emptyShowcase}</p>}
          <ol className="showcase" style={{ listStyle: 'none', padding: 0 }}>
            {page.items.map((item) => (
              <li key={item.id} className="showcase-item" id={`item-${item.id}`}>
                {item.heading && <h2>{item.heading}</h2>}
                {item.artefact ? (
                  <>
                    {!item.heading && <h2>{item.artefact.title}</h2>}
                    {item.bodyHtml && <div className="body" dangerouslySetInnerHTML={{ __html: item.bodyHtml }} />}
                    {item.heading && <h3>{item.artefact.title}</h3>}
                    <ArtefactView locale={locale} artefact={item.artefact} when={when} level={3} />
                  </>
                ) : (
                  <>
                    {item.bodyHtml && <div className="body" dangerouslySetInnerHTML={{ __html: item.bodyHtml }} />}
                    {item.wasArtefact && <p className="muted">{t.itemMissing}</p>}
                  </>
                )}
              </li>
            ))}
          </ol>
        </>
      )}
    </Shell>,
  );
}

function ArtefactView({ locale, artefact, when, level }: { locale: Locale; artefact: SharedArtefact; when: Intl.DateTimeFormat; level: 2 | 3 }) {
  const s = siteText(locale);
  const H = level === 2 ? 'h2' : 'h4';
  return (
    <article aria-label={artefact.title}>
      <p className="muted">
        {s.kinds[artefact.kind]} · <time dateTime={artefact.createdAt.toISOString()}>{when.format(artefact.createdAt)}</time>
      </p>
      {artefact.bodyHtml && <div className="body" dangerouslySetInnerHTML={{ __html: artefact.bodyHtml }} />}
      {artefact.media.length > 0 && (
        <section aria-label={s.media}>
          {artefact.media.map((m, i) => (
            <MediaFigure key={m.id} media={m} alt={`${artefact.title}: ${s.imageMissingAlt(i + 1)}`} locale={locale} />
          ))}
        </section>
      )}
      {artefact.links.length > 0 && (
        <section aria-label={s.links}>
          <H>{s.links}</H>
          <ul>
            {artefact.links.map((l, i) => (
              <li key={`${l.url}-${i}`}>
                <a href={safeUrl(l.url)} rel="noreferrer noopener">
                  {l.title ?? l.url}
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
      {artefact.feedback && (
        <section aria-label={s.feedback}>
          <H>{s.feedback}</H>
          <Thread locale={locale} feedback={artefact.feedback} when={when} />
        </section>
      )}
    </article>
  );
}

function MediaFigure({ media, alt, locale }: { media: SharedMedia; alt: string; locale: Locale }) {
  const s = siteText(locale);
  if (!media.src) return null;
  if (media.kind === 'image') {
    return (
      <figure>
        <img src={media.src} alt={alt} width={media.width ?? undefined} height={media.height ?? undefined} style={{ maxWidth: '100%', height: 'auto' }} />
      </figure>
    );
  }
  if (media.kind === 'audio') {
    return (
      <figure>
        <audio controls preload="metadata" src={media.src} aria-label={media.name} />
      </figure>
    );
  }
  if (media.kind === 'video') {
    return (
      <figure>
        <video controls preload="metadata" src={media.src} poster={media.poster ?? undefined} aria-label={media.name} style={{ maxWidth: '100%' }} />
      </figure>
    );
  }
  return (
    <p>
      <a href={media.src}>{s.openFile(media.name)}</a>
    </p>
  );
}

/** Threaded as in the offline site: replies under what they answer; authors by role only. */
function Thread({ locale, feedback, when }: { locale: Locale; feedback: SharedFeedback[]; when: Intl.DateTimeFormat }) {
  const s = siteText(locale);
  if (feedback.length === 0) return <p>{s.noFeedback}</p>;
  const ids = new Set(feedback.map((f) => f.id));
  const children = new Map<string | null, SharedFeedback[]>();
  for (const f of feedback) {
    const parent = f.parentId && ids.has(f.parentId) ? f.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), f]);
  }
  const list = (parent: string | null, depth: number, seen: Set<string>): ReactNode => {
    const items = (children.get(parent) ?? []).filter((f) => !seen.has(f.id));
    if (items.length === 0 || depth > 20) return null;
    return (
      <ol className={depth === 0 ? 'thread' : 'replies'} aria-label={depth === 0 ? undefined : s.repliesTo}>
        {items.map((f) => (
          <li key={f.id}>
            <article className="comment">
              <header>
                <strong>{s.roles[f.author]}</strong> · <time dateTime={f.createdAt.toISOString()}>{when.format(f.createdAt)}</time>
              </header>
              {f.body.split(/\n{2,}/).map((para, i) => (
                <p key={i}>{para}</p>
              ))}
            </article>
            {list(f.id, depth + 1, new Set([...seen, f.id]))}
          </li>
        ))}
      </ol>
    );
  };
  return list(null, 0, new Set());
}

/** Only web and mail addresses become links; anything else (javascript:, data:) stays text. */
function safeUrl(url: string): string | undefined {
  return /^(https?:|mailto:)/i.test(url) ? url : undefined;
}
