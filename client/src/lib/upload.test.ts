import { describe, expect, it } from 'vitest';
import { perFileProgress } from './upload.ts';

describe('perFileProgress', () => {
  it('fills the files in order as the body is sent', () => {
    // 100 bytes of JSON, then files of 100 and 200 bytes; the body has framing, 800 bytes in all.
    const at = (loaded: number) => perFileProgress({ loaded, total: 800 }, 100, [100, 200]);
    expect(at(0)).toEqual([0, 0]);
    expect(at(200)).toEqual([0, 0]);
    expect(at(400)).toEqual([1, 0]);
    expect(at(600)).toEqual([1, 0.5]);
    expect(at(800)).toEqual([1, 1]);
  });

  it('handles empty files and an unknown total', () => {
    expect(perFileProgress({ loaded: 0, total: 0 }, 10, [0])).toEqual([0]);
    expect(perFileProgress({ loaded: 10, total: 10 }, 10, [0])).toEqual([1]);
  });
});
