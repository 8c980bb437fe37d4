import { cleanImportedTags } from '../../../../shared/api/tags.ts';
import type { MediaFiles } from './import-media.ts';
import { type loadReference, matchSubject } from './leap2a-abilities.ts';
import { type LeapEntry, type LeapFeed, referenceKeys } from './leap2a-feed.ts';

// Pure helpers of the LEAP2A mapping (leap2a-plan.ts): what role an entry plays, where its files
// and web address are, and how links inside its content are pointed at the imported work.

/** page: a Mahara page (a selection with `mahara:view`); task: a line of a plan's checklist (set by the planner). */
export type Role = 'person' | 'comment' | 'selection' | 'page' | 'ability' | 'resource' | 'text' | 'task' | 'polku-goal';

export function subjectsOf(e: LeapEntry, reference: Awaited<ReturnType<typeof loadReference>>): string[] {
  return [...new Set(e.categories.filter((c) => !c.scheme).flatMap((c) => matchSubject(c.term, reference) ?? []))];
}

/** Plain Atom categories (Mahara's tags) that name no subject: the artefact's free tags, cleaned to the API's rules. */
export function tagsOf(e: LeapEntry, reference: Awaited<ReturnType<typeof loadReference>>): string[] {
  return cleanImportedTags(e.tags.filter((t) => !matchSubject(t, reference)));
}

export function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function roleOf(e: LeapEntry, feed: LeapFeed): Role {
  // Polku's own goals and self-assessments (issue 10 §8): they come back from portfolio.json, not as work.
  if (/^urn:polku:(goal|assessment):/.test(e.id)) return 'polku-goal';
  if (
    e.type === 'person' ||
    e.categories.some((c) => c.scheme === 'person_type' && c.term.toLowerCase() === 'self') ||
    (feed.authorUri !== null && e.id === feed.authorUri && e.type !== 'entry')
  )
    return 'person';
  if (e.inReplyTo.length > 0 || e.mahara?.type === 'comment') return 'comment';
  // A page: Mahara's (with its `mahara:view` layout) or any selection_type#Webpage (Polku writes showcases so).
  if (e.type === 'selection') return e.maharaView || isSelectionType(e, 'webpage') ? 'page' : 'selection';
  if (e.type === 'ability') return 'ability';
  if (e.type === 'resource') return 'resource';
  return 'text';
}

/** Files of a resource: enclosures, and out-of-line content that is not a web address. */
export function fileRefs(e: LeapEntry): string[] {
  const refs = e.links.filter((l) => l.rel === 'enclosure').map((l) => l.href);
  if (e.contentSrc && !/^[a-z][a-z0-9+.-]*:/i.test(e.contentSrc)) refs.push(e.contentSrc);
  return [...new Set(refs)];
}

export function webAddress(e: LeapEntry): string | null {
  const candidates = [e.contentSrc, ...e.links.filter((l) => l.rel === 'related' || l.rel === 'alternate' || l.rel === 'self').map((l) => l.href)];
  return candidates.find((c): c is string => !!c && /^https?:\/\//i.test(c)) ?? null;
}

export function decodeHref(href: string): string {
  try {
    return decodeURIComponent(href);
  } catch {
    return href;
  }
}

/** The ZIP entry an href means: as written, URL-decoded, without a leading "./". */
export function resolveFile(href: string, files: MediaFiles): string {
  const plain = href.replace(/^\.\//, '');
  const decoded = decodeHref(plain);
  return files.has(plain) ? plain : decoded;
}

const HREF = /(\shref\s*=\s*)(["'])(.*?)\2/gi;

export function rewriteLinks(html: string, urlFor: ReadonlyMap<string, string>, ns: Readonly<Record<string, string>>): string {
  return html.replace(HREF, (whole, pre: string, quote: string, raw: string) => {
    const value = raw.replaceAll('&amp;', '&');
    const target =
      referenceKeys(value, ns)
        .map((k) => urlFor.get(k))
        .find(Boolean) ?? urlFor.get(value.replace(/^\.\//, ''));
    return target ? `${pre}${quote}${target}${quote}` : whole;
  });
}

export function plainText(html: string): string {
  return sanitizeTextOnly(html)
    .replace(/\s+\n/g, '\n')
    .replace(/[ \t]+/g, ' ')
    .trim();
}

function sanitizeTextOnly(html: string): string {
  const withBreaks = html.replace(/<br\s*\/?>/gi, '\n').replace(/<\/(p|div|li|h[1-6])>/gi, '\n');
  return (
    withBreaks
      // '<' not in a tag: a '<' with no '>' after it would otherwise scan to the end each time (quadratic).
      .replace(/<[^<>]*>/g, '')
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>')
      .replaceAll('&quot;', '"')
      .replaceAll('&#39;', "'")
      .replaceAll('&nbsp;', ' ')
      .replaceAll('&amp;', '&')
  );
}

/** A selection of the given LEAP2A selection_type (Webpage, Website, Grouping …), in any case. */
export function isSelectionType(e: LeapEntry, term: string): boolean {
  return e.categories.some((c) => c.scheme === 'selection_type' && c.term.toLowerCase() === term);
}
