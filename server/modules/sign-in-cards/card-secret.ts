import { createHash, randomBytes } from 'node:crypto';
import { CARD_CODE_LENGTH } from '../../../shared/api/sign-in-cards.ts';

// Crockford's base32: no i, l, o or u, so a code read aloud or typed by hand is not mistaken.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** A new card code: 160 random bits as 32 base32 characters. */
export function newCardCode(): string {
  const bytes = randomBytes((CARD_CODE_LENGTH * 5) / 8);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

/** What is stored: the code's SHA-256 in hex (the code is normalised before). */
export function hashCardCode(code: string): string {
  return createHash('sha256').update(code, 'utf8').digest('hex');
}

/** The code as printed: groups of four. */
export function printedCode(code: string): string {
  return code.toUpperCase().replace(/(.{4})(?=.)/g, '$1 ');
}

/** The card's URL: the code in the fragment, which browsers never send to a server. */
export function cardUrl(publicUrl: string, code: string): string {
  return `${publicUrl}/card#${code}`;
}
