/**
 * Pasted HTML from Word, Google Docs or web pages, tidied before the editor's parser reads it.
 * The parser itself keeps only what the schema (the shared allow-list) knows: no styles, classes,
 * scripts or images survive it. This step fixes what it would otherwise misread.
 */
export function cleanPastedHtml(html: string): string {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const body = doc.body;
  // Word's list bullets ("·", "1.") are text in spans marked mso-list:Ignore; the list is rebuilt by the editor.
  body.querySelectorAll('span[style*="mso-list"]').forEach((el) => {
    if (/mso-list:\s*ignore/i.test(el.getAttribute('style') ?? '')) el.remove();
  });
  // Word's <o:p> paragraph markers and anything that only styles or runs.
  body.querySelectorAll('style, script, meta, link, title, xml, o\\:p, img, svg, iframe, object').forEach((el) => el.remove());
  // Google Docs wraps a whole paste in <b style="font-weight:normal">: that is not bold.
  body.querySelectorAll('b[id^="docs-internal-guid"]').forEach((el) => el.replaceWith(...Array.from(el.childNodes)));
  // A pasted page title (h1) or deep heading becomes the nearest heading the text may have.
  for (const [from, to] of [
    ['h1', 'h2'],
    ['h5', 'h4'],
    ['h6', 'h4'],
  ] as const) {
    body.querySelectorAll(from).forEach((el) => {
      const heading = doc.createElement(to);
      heading.append(...Array.from(el.childNodes));
      el.replaceWith(heading);
    });
  }
  return body.innerHTML;
}
