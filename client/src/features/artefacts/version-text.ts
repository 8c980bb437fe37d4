import { diffWordsWithSpace, type ChangeObject } from 'diff';

/** Block elements whose end is a line break in the plain text (what the sanitiser lets through). */
const BLOCKS = new Set(['P', 'DIV', 'LI', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'BLOCKQUOTE', 'PRE', 'UL', 'OL', 'BR']);

/**
 * The plain text of a version's (server-sanitised) HTML: what a text diff compares. Parsed with
 * DOMParser into an inert document, so nothing in it runs or loads.
 */
export function plainText(html: string): string {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const out: string[] = [];
  const walk = (node: Node) => {
    if (node.nodeType === Node.TEXT_NODE) out.push(node.textContent ?? '');
    for (const child of Array.from(node.childNodes)) walk(child);
    if (node instanceof Element && BLOCKS.has(node.tagName)) out.push('\n');
  };
  walk(doc.body);
  return out
    .join('')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export type TextChange = ChangeObject<string>;

/**
 * Edits (words and spaces) beyond which two versions are shown as one removed and one added text: the
 * diff's cost grows with the text's length times the edits, and a pupil's 100,000-character rewrite
 * would otherwise freeze the teacher's tab for minutes.
 */
const MAX_DIFF_EDITS = 2000;

/** Word-level changes from one text to the next (the `diff` library). */
export function textChanges(before: string, after: string): TextChange[] {
  const changes = diffWordsWithSpace(before, after, { maxEditLength: MAX_DIFF_EDITS });
  if (changes) return changes;
  return [
    ...(before ? [{ value: before, removed: true, added: false, count: 1 }] : []),
    ...(after ? [{ value: after, removed: false, added: true, count: 1 }] : []),
  ];
}
