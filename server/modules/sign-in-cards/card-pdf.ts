import { PDFDocument, rgb, StandardFonts, type PDFFont, type PDFPage } from 'pdf-lib';
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
 * Text the standard font can draw: Helvetica covers Western European letters (ä, ö, å, é …); anything
 * else becomes '?'. Embedding a Unicode font would cover every name; see the README's note.
 */
function drawable(font: PDFFont, text: string): string {
  return [...text]
    .map((ch) => {
      try {
        font.encodeText(ch);
        return ch;
      } catch {
        return '?';
      }
    })
    .join('');
}

function fitted(font: PDFFont, text: string, size: number, width: number): number {
  let s = size;
  while (s > 6 && font.widthOfTextAtSize(text, s) > width) s -= 0.5;
  return s;
}

function drawCard(page: PDFPage, fonts: { regular: PDFFont; bold: PDFFont }, card: PrintedCard, schoolName: string, x: number, y: number) {
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
  page.drawText(name, { x: tx, y: y + CARD.height - 14 * MM, size: fitted(fonts.bold, name, 14, tw), font: fonts.bold });
  const school = drawable(fonts.regular, schoolName);
  page.drawText(school, { x: tx, y: y + CARD.height - 20 * MM, size: fitted(fonts.regular, school, 9, tw), font: fonts.regular });
  page.drawText(drawable(fonts.regular, text.scan), { x: tx, y: y + 22 * MM, size: 7, font: fonts.regular, maxWidth: tw, lineHeight: 9 });
  page.drawText(`${text.code}:`, { x: tx, y: y + 11 * MM, size: 6.5, font: fonts.regular });
  const [first = '', second = ''] = [card.code.slice(0, 19), card.code.slice(20)];
  page.drawText(first, { x: tx, y: y + 8 * MM, size: 6.5, font: fonts.regular });
  page.drawText(second, { x: tx, y: y + 5.5 * MM, size: 6.5, font: fonts.regular });
}

/** A4 pages of cards, eight to a page, with dashed cutting lines. */
export async function cardsPdf(issued: IssuedCardsResponse): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle('Polku');
  pdf.setCreator('Polku');
  const fonts = { regular: await pdf.embedFont(StandardFonts.Helvetica), bold: await pdf.embedFont(StandardFonts.HelveticaBold) };
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
