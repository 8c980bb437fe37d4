import { ImportRejected } from './import-rejected.ts';
import { type MaharaBlock, type PersonField, isMaharaNs, readMaharaView, readPersonData, readTask, summaryHtml } from './leap2a-mahara.ts';
import { type XmlElement, attr, attrAnyNs, childElements, escapeText, innerMarkup, textOf } from './safe-xml.ts';

// LEAP2A as real exporters write it. Names are compared by their last segment (after '#', '/' or
// ':'), so `leap2:entry`, `leap:entry`, `leaptype:entry`, http://terms.leapspecs.org/entry and
// http://wiki.cetis.ac.uk/2009-03/LEAP2A_types#entry all read as "entry"; the same for relations
// (has_part …) and category schemes (resource_type …).

export const ATOM = 'http://www.w3.org/2005/Atom';
const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
const THREAD = 'http://purl.org/syndication/thread/1.0';
// Each namespace in the forms Mahara writes and reads (htdocs/import/leap/lib.php NS_LEAP,
// NS_LEAP_200903: 22.10+ exports declare the web.archive.org copies of the old addresses).
const isLeap2010 = (uri: string) => /^(https:\/\/web\.archive\.org\/web\/\d+\/)?http:\/\/terms\.leapspecs\.org\/?$/.test(uri);
const isLeap2009 = (uri: string) => /^(https:\/\/web\.archive\.org\/web\/\d+\/)?http:\/\/wiki\.cetis\.ac\.uk\/2009-03\/LEAP2A_predicates#?$/i.test(uri);

export interface LeapLink {
  rel: string;
  /** The target as written, and expanded when it is a CURIE with a declared prefix. */
  href: string;
  hrefKeys: string[];
  type: string | null;
  title: string | null;
  displayOrder: number | null;
}

export interface LeapEntry {
  /** Keys the entry can be referred to by (its id as written, and expanded). */
  keys: string[];
  id: string;
  title: string;
  /** The LEAP2A type's local name; "entry" for a plain Atom entry. */
  type: string;
  /** HTML as the feed has it (text content escaped into paragraphs); not sanitised yet. */
  html: string;
  contentSrc: string | null;
  published: string | null;
  updated: string | null;
  authorName: string | null;
  links: LeapLink[];
  categories: Array<{ scheme: string; term: string }>;
  /** Plain categories (no scheme): free tags, as written (Mahara's `label` keeps the tag before it normalised the term). */
  tags: string[];
  inReplyTo: string[];
  mahara: { type: string; plugin: string } | null;
  /** A Mahara page's blocks in reading order; null for anything else. */
  maharaView: MaharaBlock[] | null;
  summaryHtml: string;
  person: PersonField[];
  task: { done: boolean | null; due: string | null };
}

export interface LeapFeed {
  version: string;
  mahara: boolean;
  authorName: string | null;
  authorUri: string | null;
  entries: LeapEntry[];
  /** The root's namespace bindings, for CURIEs in content links. */
  ns: Readonly<Record<string, string>>;
}

export function lastSegment(value: string): string {
  const parts = value.split(/[#/:]/).filter(Boolean);
  return (parts[parts.length - 1] ?? value).trim();
}

/** `prefix:rest` expanded with the bindings in effect, when the prefix is declared (ids like portfolio:artefact12). */
export function referenceKeys(value: string, ns: Readonly<Record<string, string>>): string[] {
  const keys = [value];
  const m = /^([A-Za-z_][\w.-]*):(?!\/\/)(.*)$/.exec(value);
  const prefix = m?.[1];
  if (m && prefix && prefix in ns) {
    const uri = ns[prefix];
    if (uri) keys.push(uri + (m[2] ?? ''));
  }
  return keys;
}

export function readFeed(root: XmlElement, file: string): LeapFeed {
  if (root.uri !== ATOM || root.local !== 'feed') {
    throw new ImportRejected('unknown-format', { context: 'xml', file });
  }
  const versionEl = childElements(root).find((c) => c.local === 'version' && c.uri !== ATOM);
  const versionText = versionEl ? textOf(versionEl).trim() : '';
  const usesLeap2009 = Object.values(root.ns).some(isLeap2009) || hasNamespace(root, isLeap2009);
  const version = /2010-07/.test(versionText)
    ? '2010-07'
    : versionText
      ? versionText
      : usesLeap2009
        ? '2009-03'
        : Object.values(root.ns).some(isLeap2010)
          ? '2010-07'
          : 'unknown';
  const generator = childElements(root, ATOM, 'generator')[0];
  const author = childElements(root, ATOM, 'author')[0];
  const entries = childElements(root, ATOM, 'entry').map(readEntry);
  return {
    version,
    mahara: Object.values(root.ns).some(isMaharaNs) || /mahara/i.test(generator ? textOf(generator) : ''),
    authorName: author ? textOrNull(childElements(author, ATOM, 'name')[0]) : null,
    authorUri: author ? textOrNull(childElements(author, ATOM, 'uri')[0]) : null,
    entries,
    ns: root.ns,
  };
}

function hasNamespace(root: XmlElement, test: (uri: string) => boolean): boolean {
  return childElements(root).some((c) => test(c.uri) || c.attrs.some((a) => test(a.uri)));
}

function textOrNull(el: XmlElement | undefined): string | null {
  const t = el ? textOf(el).trim() : '';
  return t || null;
}

function readEntry(el: XmlElement): LeapEntry {
  const id = textOrNull(childElements(el, ATOM, 'id')[0]) ?? '';
  const typeEl = childElements(el).find((c) => c.uri === RDF && c.local === 'type');
  const typeRef = typeEl ? (attr(typeEl, 'resource', RDF) ?? attrAnyNs(typeEl, 'resource') ?? textOf(typeEl)) : '';
  const content = childElements(el, ATOM, 'content')[0];
  const summary = childElements(el, ATOM, 'summary')[0];
  const author = childElements(el, ATOM, 'author')[0];
  const maharaEl = childElements(el).find((c) => isMaharaNs(c.uri) && c.local === 'artefactplugin');
  const categories = childElements(el, ATOM, 'category');
  return {
    keys: id ? referenceKeys(id, el.ns) : [],
    id,
    title: textOrNull(childElements(el, ATOM, 'title')[0]) ?? '',
    type: typeRef.trim() ? lastSegment(typeRef).toLowerCase() : 'entry',
    html: (content && htmlOf(content)) || (summary ? htmlOf(summary) : ''),
    contentSrc: content ? (attr(content, 'src') ?? null) : null,
    published: textOrNull(childElements(el, ATOM, 'published')[0]),
    updated: textOrNull(childElements(el, ATOM, 'updated')[0]),
    authorName: author ? textOrNull(childElements(author, ATOM, 'name')[0]) : null,
    links: childElements(el, ATOM, 'link').flatMap((l) => {
      const href = attr(l, 'href');
      if (!href) return [];
      const order = Number(attrAnyNs(l, 'display_order'));
      return [
        {
          rel: lastSegment(attr(l, 'rel') ?? 'alternate').toLowerCase(),
          href,
          hrefKeys: referenceKeys(href, l.ns),
          type: attr(l, 'type') ?? null,
          title: attr(l, 'title') ?? null,
          displayOrder: Number.isFinite(order) && attrAnyNs(l, 'display_order') !== undefined ? order : null,
        },
      ];
    }),
    categories: categories.map((c) => ({
      scheme: lastSegment(attr(c, 'scheme') ?? '').toLowerCase(),
      term: (attr(c, 'term') ?? '').trim(),
    })),
    tags: [
      ...new Set(
        categories
          .filter((c) => !(attr(c, 'scheme') ?? '').trim())
          .flatMap((c) => {
            const tag = (attr(c, 'label') ?? attr(c, 'term') ?? '').trim().slice(0, 100);
            return tag ? [tag] : [];
          }),
      ),
    ].slice(0, 50),
    inReplyTo: childElements(el, THREAD, 'in-reply-to').flatMap((r) => {
      const ref = attr(r, 'ref');
      return ref ? referenceKeys(ref, r.ns) : [];
    }),
    mahara: maharaEl ? { type: attrAnyNs(maharaEl, 'type') ?? '', plugin: attrAnyNs(maharaEl, 'plugin') ?? '' } : null,
    maharaView: readMaharaView(el),
    summaryHtml: summaryHtml(el, textToHtml),
    person: readPersonData(el),
    task: readTask(el),
  };
}

/** Atom text constructs: text (default), html (escaped markup) or xhtml (a div of markup). */
function htmlOf(el: XmlElement): string {
  const type = (attr(el, 'type') ?? 'text').toLowerCase();
  if (type === 'xhtml') {
    const div = childElements(el).find((c) => c.local === 'div');
    return (div ? innerMarkup(div) : innerMarkup(el)).trim();
  }
  if (type === 'html' || type === 'text/html') return textOf(el).trim();
  if (type === 'text' || type === 'text/plain') return textToHtml(textOf(el));
  // Other media types (content with src, base64 …) are not text to show.
  return '';
}

export function textToHtml(text: string): string {
  return text
    .trim()
    .split(/\n\s*\n/)
    .filter((p) => p.trim())
    .map((p) => `<p>${escapeText(p.trim()).replace(/\n/g, '<br>')}</p>`)
    .join('');
}
