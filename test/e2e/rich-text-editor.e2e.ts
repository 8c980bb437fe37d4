import { describe, expect, it } from 'vitest';
import type { Artefact } from '../../shared/api/artefacts.ts';
import { axeViolations } from './support/axe.ts';
import { browserSuite } from './support/browser-suite.ts';
import { apiJson } from './support/session.ts';
import { expectH1, texts } from './support/ui.ts';

/** Issue 10, section 7: the Tiptap editor with the keyboard, its link dialog, and pasted Word HTML. */
const { fi } = texts;
const suite = browserSuite();
const TIMEOUT = 15_000;

const WORD_PASTE = `<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>p.MsoNormal{font-family:Calibri}</style></head><body>
<!--StartFragment--><h1 class="MsoTitle" style="color:red">Retken muistiinpanot</h1>
<p class="MsoListParagraph" style="mso-list:l0 level1 lfo1"><span style="mso-list:Ignore">·<span style="font:7pt">&nbsp;</span></span>Kuusi<o:p></o:p></p>
<p class="MsoNormal"><span style="font-family:Comic Sans MS;color:blue" onclick="alert(1)">Sininen <b>lihava</b> teksti</span><img src="x.png"><script>alert(2)</script></p>
<table><tr><td>Solu</td></tr></table><!--EndFragment--></body></html>`;

describe('the rich-text editor in a browser', () => {
  it('formats with the keyboard and toolbar, links through a labelled dialog, cleans a Word paste; the server keeps it unchanged', async () => {
    const { page } = await suite.session('demo.pupil');
    await page.goto('/artefacts/new');
    await expectH1(page, fi.artefactForm.newHeading);
    await page.getByLabel(fi.artefactForm.title, { exact: true }).fill('Editorin koe');
    const editor = page.getByRole('textbox', { name: fi.artefactForm.body });
    await editor.waitFor({ timeout: TIMEOUT });

    // Headings, bold and lists from the keyboard alone.
    await editor.click();
    await page.keyboard.press('Control+Alt+2');
    await page.keyboard.type('Syksy');
    await page.keyboard.press('Enter');
    await page.keyboard.type('Lehdet ');
    await page.keyboard.press('Control+b');
    await page.keyboard.type('putoavat');
    await page.keyboard.press('Control+b');
    await page.keyboard.press('Enter');
    await page.keyboard.type('- Vaahtera');
    await page.keyboard.press('Enter');
    await page.keyboard.type('Koivu');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    // The toolbar tells where the caret is.
    await page.keyboard.press('ArrowUp');
    const listButton = page.getByRole('button', { name: fi.editor.insertUnorderedList, exact: true });
    await expect.poll(() => listButton.getAttribute('aria-pressed')).toBe('true');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => listButton.getAttribute('aria-pressed')).toBe('false');

    // A link through the dialog: a script address is refused, a bare address gets https://.
    await page.keyboard.type('Lue lisää');
    await page.keyboard.press('Shift+Home');
    await page.keyboard.press('Control+k');
    const dialog = page.getByRole('dialog', { name: fi.richText.linkDialog.title });
    await dialog.waitFor({ timeout: TIMEOUT });
    const address = dialog.getByLabel(fi.richText.linkDialog.address);
    await address.fill('javascript:alert(1)');
    await page.keyboard.press('Enter');
    await dialog.getByText(fi.richText.linkDialog.invalid).waitFor({ timeout: TIMEOUT });
    const dialogViolations = await axeViolations(page, 'link dialog');
    expect(dialogViolations, dialogViolations.join('\n\n')).toEqual([]);
    await address.fill('luonto.fi/puut');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden', timeout: TIMEOUT });
    await expect.poll(() => page.getByRole('button', { name: fi.richText.link, exact: true }).getAttribute('aria-pressed')).toBe('true');
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');

    // Word's HTML: classes, styles, scripts, images and tables do not survive; the text does.
    await editor.evaluate((el, html) => {
      const data = new DataTransfer();
      data.setData('text/html', html);
      data.setData('text/plain', 'Retken muistiinpanot');
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, WORD_PASTE);
    await editor.getByText('Solu').waitFor({ timeout: TIMEOUT });

    const formViolations = await axeViolations(page, 'artefact form with the editor');
    expect(formViolations, formViolations.join('\n\n')).toEqual([]);

    const created = page.waitForResponse((r) => r.url().endsWith('/api/artefacts') && r.request().method() === 'POST', { timeout: TIMEOUT });
    await page.getByRole('button', { name: fi.artefactForm.create }).click();
    // The form sends multipart: its "data" part holds the JSON with the editor's HTML.
    const multipart = (await created).request().postData() ?? '';
    const dataPart = /name="data"\r\n\r\n([\s\S]*?)\r\n--/.exec(multipart)?.[1] ?? '{}';
    const sent = (JSON.parse(dataPart) as { bodyHtml?: string }).bodyHtml ?? '';
    const artefact = (await (await created).json()) as Artefact;
    const saved = (await apiJson<Artefact>(page, 'GET', `/api/artefacts/${artefact.id}`)).body.bodyHtml;

    expect(saved).toContain('<h2>Syksy</h2>');
    expect(saved).toContain('<p>Lehdet <strong>putoavat</strong></p>');
    expect(saved).toContain('<ul><li><p>Vaahtera</p></li><li><p>Koivu</p></li></ul>');
    expect(saved).toMatch(/<a [^>]*href="https:\/\/luonto\.fi\/puut"[^>]*>Lue lisää<\/a>/);
    expect(saved).toContain('<h2>Retken muistiinpanot</h2>');
    expect(saved).toContain('<strong>lihava</strong>');
    expect(saved).not.toMatch(/class=|style=|onclick|<script|<img|<table|<td|·|javascript:/);
    // What the editor wrote is what the server kept: nothing to strip.
    expect(sent).toContain('Syksy');
    expect(saved).toBe(sent);
  });
});
