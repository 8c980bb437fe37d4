import sanitizeHtml from 'sanitize-html';
import { RICH_TEXT_ATTRIBUTES, RICH_TEXT_LINK_ATTRIBUTES, RICH_TEXT_LINK_PROTOCOLS, RICH_TEXT_TAGS } from '../../../shared/rich-text.ts';

// Rich text a pupil writes: structure and emphasis, links to the web; nothing that runs or styles.
// The lists are shared with the client's editor, so that what it writes survives unchanged.
const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [...RICH_TEXT_TAGS],
  allowedAttributes: Object.fromEntries(Object.entries(RICH_TEXT_ATTRIBUTES).map(([tag, names]) => [tag, [...names]])),
  allowedSchemes: [...RICH_TEXT_LINK_PROTOCOLS],
  allowProtocolRelative: false,
  transformTags: {
    a: sanitizeHtml.simpleTransform('a', { ...RICH_TEXT_LINK_ATTRIBUTES }),
    ol: (tagName, attribs) => ({ tagName, attribs: listStart(attribs) }),
  },
  nestingLimit: 64,
};

/** Deeper than any real text; sanitize-html's cost grows with the square of the nesting depth. */
const MAX_DEPTH = 64;
const TAG = /<(\/?)([a-zA-Z][^\s/>]*)[^>]*>/g;
const VOID = new Set(['br', 'hr', 'img', 'input', 'meta', 'link', 'area', 'base', 'col', 'embed', 'source', 'track', 'wbr', 'param']);

/** Where a list starts, as the editor writes it: a whole number of a few digits, nothing else (no text, no hidden characters). */
const LIST_START = /^-?[0-9]{1,6}$/;

function listStart(attribs: sanitizeHtml.Attributes): sanitizeHtml.Attributes {
  const { start, ...rest } = attribs;
  return start !== undefined && LIST_START.test(start) ? { ...rest, start: String(Number(start)) } : rest;
}

export function sanitizeRichText(html: string): string {
  return sanitizeHtml(limitNesting(html), OPTIONS).trim();
}

/**
 * Drops the tags nested deeper than MAX_DEPTH (their text stays) in one linear pass, so that a
 * hostile body of 100,000 nested tags costs milliseconds instead of minutes in sanitize-html
 * (whose own nestingLimit still walks every level). Not a security filter: sanitize-html is.
 */
export function limitNesting(html: string): string {
  if (html.length < MAX_DEPTH * 3) return html;
  const open: string[] = [];
  const counts = new Map<string, number>();
  let out = '';
  let last = 0;
  let changed = false;
  // Only up to the last '>': no tag ends beyond it, and without one ahead every '<' would try its
  // pattern against all the rest of the text (cubic: 100,000 characters of "<a" took hours).
  for (const m of html.slice(0, html.lastIndexOf('>') + 1).matchAll(TAG)) {
    const [tag, closing, rawName] = m;
    const name = (rawName ?? '').toLowerCase();
    let keep = true;
    if (closing) {
      if (counts.get(name)) {
        // Close back to the matching open tag; each open tag is popped once, so this stays linear.
        let depth = open.length;
        for (;;) {
          const top = open.pop();
          if (top === undefined) break;
          counts.set(top, (counts.get(top) ?? 1) - 1);
          if (top === name) break;
          depth -= 1;
        }
        keep = depth <= MAX_DEPTH;
      }
    } else if (!VOID.has(name) && !tag.endsWith('/>')) {
      open.push(name);
      counts.set(name, (counts.get(name) ?? 0) + 1);
      keep = open.length <= MAX_DEPTH;
    }
    if (keep) continue;
    changed = true;
    out += html.slice(last, m.index);
    last = m.index + tag.length;
  }
  return changed ? out + html.slice(last) : html;
}
