import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';

// Each test loads the module afresh: the second counts what loading it does.
afterEach(() => {
  vi.resetModules();
});

describe('cutGraphemes', () => {
  it('cuts after whole graphemes only: an emoji with its modifier, a letter with its accent', async () => {
    const { cutGraphemes, graphemeBoundaries } = await import('../src/text');
    const thumbs = '👍🏽'; // two surrogate pairs, one grapheme
    expect(graphemeBoundaries(`a${thumbs}b`)).toEqual([0, 1, 5, 6]);
    expect(cutGraphemes(`a${thumbs}b`, 4)).toBe('a');
    expect(cutGraphemes('cafe\u0301s', 5, '…')).toBe('caf…');
    expect(cutGraphemes('short', 5, '…')).toBe('short');
  });

  it('makes its segmenter on first use, not when the module loads (every bundle loads it)', async () => {
    const Real = Intl.Segmenter;
    // Intl's properties are writable at run time; its type marks them read-only.
    const intl = Intl as { Segmenter: typeof Intl.Segmenter };
    let made = 0;
    intl.Segmenter = class extends Real {
      constructor(...args: ConstructorParameters<typeof Real>) {
        super(...args);
        made++;
      }
    };
    onTestFinished(() => {
      intl.Segmenter = Real;
    });
    const { cutGraphemes } = await import('../src/text');
    expect(made).toBe(0);
    cutGraphemes('long enough to cut', 4);
    cutGraphemes('long enough to cut again', 4);
    expect(made).toBe(1);
  });
});
