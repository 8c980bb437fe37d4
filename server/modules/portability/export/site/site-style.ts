/**
 * The one stylesheet of the offline site. Colours keep at least 4.5:1 contrast on their
 * backgrounds (WCAG 2.1 AA); focus is always visible; no fonts or images are fetched.
 */
export const SITE_CSS = `
:root { color-scheme: light; --text: #1b1b1b; --muted: #4a4a4a; --link: #0a4d8c; --line: #c9c9c9; --soft: #f3f5f7; --accent: #1f5f3a; }
* { box-sizing: border-box; }
html { font-size: 100%; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.55; color: var(--text); background: #fff; }
a { color: var(--link); }
a:focus-visible, summary:focus-visible, main:focus-visible { outline: 3px solid #b35c00; outline-offset: 2px; }
.skip { position: absolute; left: -10000px; top: 0; background: #fff; padding: .5rem 1rem; }
.skip:focus { left: 1rem; }
header.site, footer.site { background: var(--soft); border-bottom: 1px solid var(--line); }
footer.site { border-top: 1px solid var(--line); border-bottom: 0; margin-top: 3rem; color: var(--muted); }
.wrap { max-width: 60rem; margin: 0 auto; padding: 1rem 1.25rem; }
.site-title { margin: 0; font-weight: 700; }
nav ol { list-style: none; margin: .25rem 0 0; padding: 0; display: flex; flex-wrap: wrap; gap: .25rem .5rem; }
nav li + li::before { content: "›"; margin-right: .5rem; color: var(--muted); }
h1 { font-size: 1.9rem; line-height: 1.2; margin: 1rem 0; }
h2 { font-size: 1.4rem; margin: 2rem 0 .75rem; border-bottom: 2px solid var(--line); padding-bottom: .25rem; }
h3 { font-size: 1.15rem; margin: 1.25rem 0 .5rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0 0 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
.muted { color: var(--muted); }
.cards { list-style: none; padding: 0; display: grid; gap: .75rem; }
.cards > li { border: 1px solid var(--line); border-radius: .5rem; padding: .75rem 1rem; display: flex; gap: 1rem; align-items: flex-start; }
.cards img { width: 6rem; height: 6rem; object-fit: cover; border-radius: .25rem; flex: none; }
.cards h3 { margin: 0 0 .25rem; font-size: 1.1rem; }
.cards p { margin: 0; }
figure { margin: 0 0 1.5rem; }
figure img, figure video { max-width: 100%; height: auto; border: 1px solid var(--line); }
figure audio { width: 100%; max-width: 30rem; }
figcaption { color: var(--muted); font-size: .95rem; }
.tag { display: inline-block; border: 1px solid var(--accent); color: var(--accent); border-radius: 1rem; padding: 0 .6rem; font-size: .85rem; }
.body { border-left: 4px solid var(--line); padding-left: 1rem; }
.showcase { padding-left: 1.25rem; }
.showcase > li { margin-bottom: 2rem; }
.showcase img { max-width: 100%; height: auto; border: 1px solid var(--line); }
ol.thread, ol.replies { list-style: none; padding: 0; margin: 0; }
ol.replies { margin-left: 1.5rem; border-left: 2px solid var(--line); padding-left: 1rem; }
.comment { background: var(--soft); border-radius: .5rem; padding: .75rem 1rem; margin: 0 0 .75rem; }
.comment header { font-size: .95rem; }
.comment p { margin: .35rem 0 0; white-space: pre-wrap; }
ol.versions { list-style: none; padding: 0; }
ol.versions > li { margin-bottom: 1rem; }
details summary { cursor: pointer; color: var(--link); }
table.growth { border-collapse: collapse; width: 100%; margin: 0 0 1rem; }
table.growth caption { text-align: left; color: var(--muted); padding-bottom: .25rem; }
table.growth th, table.growth td { border: 1px solid var(--line); padding: .35rem .5rem; text-align: left; vertical-align: top; }
table.growth thead th { background: var(--soft); }
table.growth td a { display: block; }
ul.uptake { list-style: none; padding: 0; margin: .5rem 0 0; font-size: .95rem; }
@media print { .skip, nav { display: none; } a { color: inherit; } }
`;
