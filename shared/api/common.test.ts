import { describe, expect, it } from 'vitest';
import { nameText, withoutHiddenCharacters } from './common.ts';

describe('names', () => {
  it('refuse control and text-direction characters, with a message', () => {
    for (const hidden of ['\u202E', '\u2066', '\u200F', '\u0007', '\u061C']) {
      const parsed = nameText(200).safeParse(`lasku${hidden}fdp.exe`);
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.message).toContain('invisible control or text-direction characters');
    }
    expect(nameText(200).parse(' Vesi  kiertää\t')).toBe('Vesi  kiertää');
  });

  it('from archives lose those characters and keep the rest', () => {
    expect(withoutHiddenCharacters('lasku\u202Efdp\u2069.exe\u0000')).toBe('laskufdp.exe');
    expect(withoutHiddenCharacters('Käsityö\tja\nkuvat')).toBe('Käsityö\tja\nkuvat');
  });
});
