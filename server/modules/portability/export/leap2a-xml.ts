import { SaxesParser } from 'saxes';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { sanitizeRichText } from '../../artefacts/sanitize.ts';
import { rewriteInternalLinks } from './internal-links.ts';

// The XML vocabulary of leap2a.xml and the small writers every entry uses.

export const NS = {
  atom: 'http://www.w3.org/2005/Atom',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  /**
   * The LEAP2A 2010-07 URIs. Mahara before 22.10 knows only these; 22.10 and later read them too
   * whenever the prefix is `leap2` and `categories` (htdocs/import/leap/lib.php,
   * read_leap2a_xml_file(): both URIs are mapped to the prefix), so the CURIEs below work in both.
   */
  leap2: 'http://terms.leapspecs.org/',
  categories: 'http://wiki.leapspecs.org/2A/categories/',
  /**
   * The URI Mahara 22.10+ has for `leap2` (PluginImportLeap::NS_LEAP). Mahara reads namespaced
   * attributes such as `leap2:field` by this exact URI (get_attributes($item, NS_LEAP)), which a
   * prefix cannot alias: so persondata attributes are written in both.
   */
  leap2Archived: 'https://web.archive.org/web/20100503000634/http://terms.leapspecs.org',
  thr: 'http://purl.org/syndication/thread/1.0',
  xhtml: 'http://www.w3.org/1999/xhtml',
  /**
   * Mahara's extension namespace as Mahara up to 22.04 wrote it. Every Mahara reads it: before
   * 22.10 it is the only one (NS_MAHARA), from 22.10 the importer takes it whenever the feed
   * declares it (`namespace_mahara = isset(namespaces[NS_MAHARA_2022]) ? NS_MAHARA_2022 : NS_MAHARA`).
   * The newer https://wiki.mahara.org/wiki/… form would be unknown to the older ones.
   */
  mahara: 'http://wiki.mahara.org/Developer_Area/Import%2F%2FExport/LEAP_Extensions#',
  polku: 'https://polku.fi/ns/leap2a-extension/1',
} as const;
export const LEAP2A_VERSION = 'http://www.leapspecs.org/2010-07/2A/';

/** Atom ids: Polku's stable UUIDs as URNs, so a second export names every entry the same. */
export const leapId = {
  uuid: (id: string) => `urn:uuid:${id}`,
  competence: (id: string) => `urn:polku:competence:${encodeURIComponent(id)}`,
  link: (artefactId: string, index: number) => `urn:polku:link:${artefactId}:${index}`,
  /** Issue 10 §8: a project's learning goal, and a self-assessment on it. */
  goal: (id: string) => `urn:polku:goal:${id}`,
  assessment: (id: string) => `urn:polku:assessment:${id}`,
};

export function atomEntry(feed: XMLBuilder, e: { id: string; title: string; updated: string; published?: string; type: string }): XMLBuilder {
  const entry = feed.ele(NS.atom, 'entry');
  entry.ele(NS.atom, 'id').txt(e.id);
  entry.ele(NS.atom, 'title').txt(e.title || '–');
  entry.ele(NS.atom, 'updated').txt(e.updated);
  if (e.published) entry.ele(NS.atom, 'published').txt(e.published);
  entry.ele(NS.rdf, 'rdf:type').att(NS.rdf, 'rdf:resource', `leap2:${e.type}`);
  return entry;
}

/**
 * A category of a LEAP2A scheme, its scheme as the CURIE `categories:<scheme>#` (what Mahara writes,
 * and the only form every Mahara matches: curie_xpath() compares the full form against its own
 * namespace URI, which differs between Mahara generations).
 */
export function category(entry: XMLBuilder, scheme: string, term: string): void {
  entry.ele(NS.atom, 'category', { term, scheme: `categories:${scheme}#` });
}

/** A tag: a category with no scheme (Mahara's get_entry_tags(); Polku reads subjects from these). */
export function tag(entry: XMLBuilder, term: string): void {
  entry.ele(NS.atom, 'category', { term });
}

export function textContent(entry: XMLBuilder, text: string): void {
  entry.ele(NS.atom, 'content', { type: 'text' }).txt(text);
}

/** `<mahara:artefactplugin mahara:type mahara:plugin/>`: which Mahara plugin an entry is for. */
export function maharaPlugin(entry: XMLBuilder, plugin: string, type: string): void {
  entry.ele(NS.mahara, 'mahara:artefactplugin').att(NS.mahara, 'mahara:type', type).att(NS.mahara, 'mahara:plugin', plugin);
}

/**
 * Body HTML as XHTML inside a div. The sanitiser's output is XML-shaped (void tags self-closed,
 * entities decoded); a strict parser checks that, and copies it node by node into the feed.
 * Anything it cannot read goes in as escaped HTML (`type="html"`) instead. Links to other work of
 * the pupil become references to its entry, marked as Mahara marks them (`rel="leap2:has_part"`,
 * which fix_artefact_reference() resolves to the imported artefact); a link to work the feed does
 * not hold is dropped, its text kept.
 */
export function xhtmlContent(entry: XMLBuilder, html: string, inFeed: (kind: 'artefact' | 'project', id: string) => boolean): void {
  const clean = rewriteInternalLinks(sanitizeRichText(html), (t) => (inFeed(t.kind, t.id) ? { href: leapId.uuid(t.id), rel: 'leap2:has_part' } : null));
  const content = entry.ele(NS.atom, 'content', { type: 'xhtml' });
  const div = content.ele(NS.xhtml, 'div');
  try {
    copyXhtml(clean, div);
  } catch {
    content.remove();
    entry.ele(NS.atom, 'content', { type: 'html' }).txt(clean);
  }
}

function copyXhtml(markup: string, into: XMLBuilder): void {
  const parser = new SaxesParser({ xmlns: false, fragment: true });
  const stack: XMLBuilder[] = [into];
  const top = () => stack[stack.length - 1] ?? into;
  parser.on('opentag', (tag) => {
    stack.push(top().ele(NS.xhtml, tag.name, { ...tag.attributes }));
  });
  parser.on('closetag', () => void stack.pop());
  parser.on('text', (text) => void top().txt(text));
  parser.on('error', (err) => {
    throw err;
  });
  parser.write(markup).close();
}
