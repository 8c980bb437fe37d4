import { decodeHTMLStrict } from 'entities';
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { ImportRejected } from './import-rejected.ts';

export interface XmlAttr {
  uri: string;
  local: string;
  value: string;
}

export interface XmlElement {
  uri: string;
  local: string;
  attrs: XmlAttr[];
  children: XmlNode[];
  /** Namespace bindings in effect here (prefix → URI, '' for the default), for CURIEs in attribute values. */
  ns: Readonly<Record<string, string>>;
}

export type XmlNode = XmlElement | string;

/**
 * How much structure an imported XML file may have. Real LEAP2A nests a dozen levels (XHTML content
 * included) and has a few attributes per element; a hostile file nesting hundreds of thousands of
 * levels or piling up attributes would otherwise cost minutes of CPU and a tree too large for
 * memory (and the tree walkers below recurse once per level).
 */
export const XML_LIMITS = Object.freeze({ maxDepth: 256, maxAttributes: 256, maxElements: 1_000_000 });

/**
 * Parses untrusted XML into a small tree. Safe by construction rather than by configuration: saxes
 * never fetches anything, and any DOCTYPE is refused outright, so there is no DTD, no external
 * entity and no entity expansion to abuse (the five predefined entities, character references and
 * HTML's named entities such as &nbsp; are decoded in place, each to its fixed one or two
 * characters: see HTML_ENTITIES). Element depth, attributes per element and the number of elements
 * are capped (XML_LIMITS), counted as saxes reads them, so a hostile file stops at the first
 * element over a limit. Bytes must be UTF-8 (checked strictly), and the input must be well-formed.
 * `file` names the file in messages. Importers run this off the event loop (see parse-pool.ts).
 */
export function parseXml(bytes: Uint8Array, maxBytes: number, file: string, limits = XML_LIMITS): XmlElement {
  if (bytes.length > maxBytes) {
    throw new ImportRejected('too-large', { context: 'file', file, max: maxBytes });
  }
  if (bytes[0] === 0xfe || bytes[0] === 0xff) throw notUtf8(file);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw notUtf8(file);
  }

  const parser = new SaxesParser({ xmlns: true, position: true });
  parser.ENTITIES = HTML_ENTITIES;
  const root: XmlElement = { uri: '', local: '#document', attrs: [], children: [], ns: {} };
  const stack: XmlElement[] = [root];
  const top = () => stack[stack.length - 1] ?? root;

  parser.on('xmldecl', (decl) => {
    const encoding = decl.encoding?.toLowerCase();
    if (encoding && encoding !== 'utf-8' && encoding !== 'utf8') throw notUtf8(file);
  });
  parser.on('doctype', () => {
    throw new ImportRejected('xml-dtd', { file });
  });
  let elements = 0;
  let attributes = 0;
  // Counted as each attribute is read: saxes collects all of an element's attributes before 'opentag'.
  parser.on('attribute', () => {
    attributes += 1;
    if (attributes > limits.maxAttributes) throw new ImportRejected('xml-too-complex', { context: 'attributes', file, max: limits.maxAttributes });
  });
  parser.on('opentagstart', () => {
    attributes = 0;
    elements += 1;
    // The root is stack[0]: the new element would sit at depth stack.length.
    if (stack.length > limits.maxDepth) throw new ImportRejected('xml-too-deep', { file, max: limits.maxDepth });
    if (elements > limits.maxElements) throw new ImportRejected('xml-too-complex', { context: 'elements', file, max: limits.maxElements });
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    const element: XmlElement = {
      uri: tag.uri,
      local: tag.local,
      attrs: Object.values(tag.attributes).map((a) => ({ uri: a.uri, local: a.local, value: a.value })),
      children: [],
      ns: tag.ns,
    };
    top().children.push(element);
    stack.push(element);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.on('text', (t) => {
    if (stack.length > 1) top().children.push(t);
  });
  parser.on('cdata', (t) => top().children.push(t));

  try {
    parser.write(text).close();
  } catch (err) {
    if (err instanceof ImportRejected) throw err;
    // saxes words its errors in English, with the position: kept for the CLI and logs, not translated.
    const detail = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new ImportRejected('xml-malformed', { context: 'line', file, line: parser.line }, detail);
  }
  const documentElement = root.children.find((c): c is XmlElement => typeof c !== 'string');
  if (!documentElement) throw new ImportRejected('xml-malformed', { file }, 'it has no root element');
  return documentElement;
}

const XML_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Mahara (and other HTML-minded writers) put HTML's named entities (&nbsp;, &eacute;, &hellip;)
 * into their feeds without declaring them, which strict XML calls not well-formed. saxes looks an
 * undeclared name up in `ENTITIES`; this answers with the HTML5 entity's characters (from the
 * `entities` package's table), so no DTD is read and nothing expands recursively: a value is plain
 * text that saxes inserts as it is, never parsed again. Unknown names stay an error.
 */
const HTML_ENTITIES: Record<string, string> = new Proxy(Object.create(null) as Record<string, string>, {
  get(_target, name) {
    if (typeof name !== 'string' || !/^[A-Za-z][A-Za-z0-9]{0,31}$/.test(name)) return undefined;
    const fixed = XML_ENTITIES[name];
    if (fixed !== undefined) return fixed;
    const reference = `&${name};`;
    const decoded = decodeHTMLStrict(reference);
    return decoded === reference ? undefined : decoded;
  },
});

function notUtf8(file: string): ImportRejected {
  return new ImportRejected('invalid-utf8', { file });
}

// Small helpers for walking the tree.

export function childElements(el: XmlElement, uri?: string, local?: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) {
    if (typeof c === 'string') continue;
    if (uri !== undefined && c.uri !== uri) continue;
    if (local !== undefined && c.local !== local) continue;
    out.push(c);
  }
  return out;
}

export function textOf(el: XmlElement): string {
  let out = '';
  for (const c of el.children) out += typeof c === 'string' ? c : textOf(c);
  return out;
}

export function attr(el: XmlElement, local: string, uri = ''): string | undefined {
  return el.attrs.find((a) => a.local === local && a.uri === uri)?.value;
}

/** An attribute by local name in any namespace (LEAP2A writers differ in which prefix they use). */
export function attrAnyNs(el: XmlElement, local: string): string | undefined {
  return el.attrs.find((a) => a.local === local)?.value;
}

const VOID_ELEMENTS = new Set(['br', 'hr', 'img', 'input', 'meta', 'link', 'area', 'base', 'col', 'embed', 'source', 'track', 'wbr']);
/** Text as HTML/XML character data. */
export const escapeText = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
const escapeAttr = (s: string) => escapeText(s).replaceAll('"', '&quot;');

/** The children serialised back to markup (local names only): XHTML content becomes an HTML string for the sanitiser. */
export function innerMarkup(el: XmlElement): string {
  let out = '';
  for (const c of el.children) {
    if (typeof c === 'string') {
      out += escapeText(c);
      continue;
    }
    const attrs = c.attrs
      .filter((a) => a.uri === '')
      .map((a) => ` ${a.local}="${escapeAttr(a.value)}"`)
      .join('');
    // <br></br> would read as two line breaks to an HTML parser.
    out += VOID_ELEMENTS.has(c.local) ? `<${c.local}${attrs}>` : `<${c.local}${attrs}>${innerMarkup(c)}</${c.local}>`;
  }
  return out;
}
