import { describe, expect, it } from 'vitest';
import { textChanges } from './version-text.ts';

// Attack review of issue 10: a pupil's two very different long versions must not freeze the teacher's tab
// in the word diff (its cost grows with the text's length times the number of edits).
describe('textChanges', () => {
  it('marks the changed words of two close texts', () => {
    const changes = textChanges('Vaahtera on punainen.', 'Vaahtera on keltainen.');
    expect(changes.filter((c) => c.removed).map((c) => c.value)).toEqual(['punainen']);
    expect(changes.filter((c) => c.added).map((c) => c.value)).toEqual(['keltainen']);
  });

  it('shows two texts too different to compare word by word as one removed and one added text', () => {
    const words = (prefix: string) => Array.from({ length: 3000 }, (_, i) => `${prefix}${i}`).join(' ');
    const before = words('a');
    const after = words('b');
    const changes = textChanges(before, after);
    expect(changes).toHaveLength(2);
    expect(changes[0]).toMatchObject({ removed: true, value: before });
    expect(changes[1]).toMatchObject({ added: true, value: after });
  });
});
