/**
 * Links between a pupil's own work inside rich text are written by the app as `/artefacts/<id>`
 * and `/projects/<id>`: paths of the running Polku, dead once the portfolio leaves it. The
 * exports point them at what the archive holds instead (the offline site's pages, LEAP2A entries),
 * and unlink those whose target is not in the archive (a private piece in a guardian's export).
 */
const INTERNAL_PATH = /^\/(artefacts|projects)\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?(?:[?#].*)?$/i;
/** An `<a …>` start tag of sanitised markup (sanitizeRichText quotes every attribute with "). */
const ANCHOR = /<a\b([^>]*)>/gi;
const HREF = /\shref="([^"]*)"/i;

export interface InternalTarget {
  kind: 'artefact' | 'project';
  id: string;
}

/** The work an href names, when it is one of the app's own paths. */
export function internalTarget(href: string): InternalTarget | null {
  const m = INTERNAL_PATH.exec(href.replaceAll('&amp;', '&').trim());
  if (!m?.[2]) return null;
  return { kind: m[1]?.toLowerCase() === 'projects' ? 'project' : 'artefact', id: m[2].toLowerCase() };
}

/**
 * Rewrites every anchor whose href is an internal path: `rewrite` returns the attributes the tag
 * gets instead (its href and anything else), or null to drop the link and keep its text. Other
 * anchors are left as they are. Works on sanitised markup only (sanitizeRichText's output).
 */
export function rewriteInternalLinks(html: string, rewrite: (target: InternalTarget) => Record<string, string> | null): string {
  return html.replace(ANCHOR, (whole, attrs: string) => {
    const href = HREF.exec(attrs)?.[1];
    const target = href === undefined ? null : internalTarget(href);
    if (!target) return whole;
    const replacement = rewrite(target);
    if (!replacement) return '<a>';
    const written = Object.entries(replacement)
      .map(([name, value]) => ` ${name}="${escapeAttribute(value)}"`)
      .join('');
    return `<a${written}>`;
  });
}

function escapeAttribute(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');
}
