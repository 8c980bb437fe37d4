import { describe, expect, it } from 'vitest';
import { sanitizeRichText } from '../../server/modules/artefacts/sanitize.ts';

// Holes found in the attack review of issue 10 (goal assessments, the uptake loop, the group heatmap and
// coverage, the shared rich-text allow-list). Each test failed on the code before its fix.

describe('the sanitiser keeps only what the shared allow-list means', () => {
  it('keeps a list start only as a whole number: no text, no hidden characters, no endless digits', () => {
    expect(sanitizeRichText('<ol start="3"><li>x</li></ol>')).toBe('<ol start="3"><li>x</li></ol>');
    expect(sanitizeRichText('<ol start="-2"><li>x</li></ol>')).toBe('<ol start="-2"><li>x</li></ol>');
    for (const start of ['javascript:alert(1)', '\u202e99', '3 ', '99999999999999999999999', 'A'.repeat(5000), '1e3', ''])
      expect(sanitizeRichText(`<ol start="${start}"><li>x</li></ol>`), JSON.stringify(start.slice(0, 20))).toBe('<ol><li>x</li></ol>');
  });
});
