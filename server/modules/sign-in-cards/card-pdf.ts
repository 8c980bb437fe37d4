import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import QRCode from 'qrcode';
import type { IssuedCardsResponse, PrintedCard } from '../../../shared/api/sign-in-cards.ts';
import type { Locale } from '../../../shared/roles.ts';

/** The card's words in the pupil's language (a PDF is made on the server, so its few texts live here). */
const TEXT: Record<Locale, { scan: string; code: string }> = {
  fi: { scan: 'Kirjaudu Polkuun: näytä tämä kortti kameralle.', code: 'Koodi' },
  sv: { scan: 'Logga in i Polku: visa kortet för kameran.', code: 'Kod' },
  en: { scan: 'Sign in to Polku: show this card to the camera.', code: 'Code' },
};

const MM = 72 / 25.4;
const PAGE = { width: 210 * MM, height: 297 * MM };
const CARD = { width: 85 * MM, height: 60 * MM };
const COLUMNS = 2;
const ROWS = 4;
const MARGIN_X = (PAGE.width - COLUMNS * CARD.width) / (COLUMNS + 1);
const MARGIN_Y = (PAGE.height - ROWS * CARD.height) / (ROWS + 1);

/**
 * DejaVu Sans, embedded (a subset of the letters used): the PDF standard fonts (Helvetica) stop at Western
 * European letters, and Sámi names (Áilu, Ŋ, Č, Đ, Š, Ŧ, Ž), Polish, Czech or Vietnamese ones need more. Read
 * once from the npm package, not from the system's fonts, so every machine prints the same.
 */
interface CardFont {
  readonly bytes: Uint8Array;
  /** The font's own glyph table, to know which letters it has. */
  readonly glyphs: ReturnType<typeof fontkit.create>;
}
const fontFile = createRequire(import.meta.url);
let cardFonts: Promise<{ regular: CardFont; bold: CardFont }> | null = null;
function loadFonts() {
  const load = async (name: string): Promise<CardFont> => {
    const bytes = new Uint8Array(await readFile(fontFile.resolve(`dejavu-fonts-ttf/ttf/${name}`)));
    return { bytes, glyphs: fontkit.create(bytes) };
  };
  cardFonts ??= Promise.all([load('DejaVuSans.ttf'), load('DejaVuSans-Bold.ttf')]).then(([regular, bold]) => ({ regular, bold }));
  // A failed read is tried again next time rather than remembered.
  cardFonts.catch(() => (cardFonts = null));
  return cardFonts;
}

interface DrawFont {
  readonly pdf: PDFFont;
  readonly source: CardFont;
}

/** Text the font can draw: a letter it has no glyph for becomes '?' rather than an empty box. */
function drawable(font: DrawFont, text: string): string {
  return [...text].map((ch) => (font.source.glyphs.hasGlyphForCodePoint(ch.codePointAt(0) ?? 0) ? ch : '?')).join('');
}

function fitted(font: DrawFont, text: string, size: number, width: number): number {
  let s = size;
  while (s > 6 && font.pdf.widthOfTextAtSize(text, s) > width) s -= 0.5;
  return s;
}

function drawCard(page: PDFPage, fonts: { regular: DrawFont; bold: DrawFont }, card: PrintedCard, schoolName: string, x: number, y: number) {
  const text = TEXT[card.locale];
  page.drawRectangle({ x, y, width: CARD.width, height: CARD.height, borderColor: rgb(0.6, 0.6, 0.6), borderWidth: 0.5, borderDashArray: [3, 3] });
  // The QR code drawn as squares: sharp at any printer resolution, and no picture of the pupil anywhere.
  const qr = QRCode.create(card.url, { errorCorrectionLevel: 'M' });
  const modules = qr.modules.size;
  const qrSide = CARD.height - 10 * MM;
  const cell = qrSide / (modules + 2);
  const qx = x + 5 * MM;
  const qy = y + 5 * MM;
  for (let row = 0; row < modules; row++) {
    for (let col = 0; col < modules; col++) {
      if (qr.modules.get(row, col)) {
        page.drawRectangle({ x: qx + (col + 1) * cell, y: qy + qrSide - (row + 2) * cell, width: cell, height: cell, color: rgb(0, 0, 0) });
      }
    }
  }
  const tx = qx + qrSide + 3 * MM;
  const tw = x + CARD.width - tx - 3 * MM;
  const name = drawable(fonts.bold, card.displayName);
  page.drawText(name, { x: tx, y: y + CARD.height - 14 * MM, size: fitted(fonts.bold, name, 14, tw), font: fonts.bold.pdf });
  const school = drawable(fonts.regular, schoolName);
  page.drawText(school, { x: tx, y: y + CARD.height - 20 * MM, size: fitted(fonts.regular, school, 9, tw), font: fonts.regular.pdf });
  const regular = fonts.regular.pdf;
  page.drawText(drawable(fonts.regular, text.scan), { x: tx, y: y + 22 * MM, size: 7, font: regular, maxWidth: tw, lineHeight: 9 });
  page.drawText(`${text.code}:`, { x: tx, y: y + 11 * MM, size: 6.5, font: regular });
  const [first = '', second = ''] = [card.code.slice(0, 19), card.code.slice(20)];
  page.drawText(first, { x: tx, y: y + 8 * MM, size: 6.5, font: regular });
  page.drawText(second, { x: tx, y: y + 5.5 * MM, size: 6.5, font: regular });
}

/** A4 pages of cards, eight to a page, with dashed cutting lines. */
export async function cardsPdf(issued: IssuedCardsResponse): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle('Polku');
  pdf.setCreator('Polku');
  pdf.registerFontkit(fontkit);
  const source = await loadFonts();
  const fonts = {
    regular: { pdf: await pdf.embedFont(source.regular.bytes, { subset: true }), source: source.regular },
    bold: { pdf: await pdf.embedFont(source.bold.bytes, { subset: true }), source: source.bold },
  };
  const perPage = COLUMNS * ROWS;
  for (let i = 0; i < issued.cards.length; i += perPage) {
    const page = pdf.addPage([PAGE.width, PAGE.height]);
    issued.cards.slice(i, i + perPage).forEach((card, k) => {
      const col = k % COLUMNS;
      const row = Math.floor(k / COLUMNS);
      const x = MARGIN_X + col * (CARD.width + MARGIN_X);
      const y = PAGE.height - (row + 1) * (CARD.height + MARGIN_Y);
      drawCard(page, fonts, card, issued.schoolName, x, y);
    });
  }
  return pdf.save();
}
