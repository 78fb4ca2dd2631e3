/**
 * Made on first use: creating a segmenter loads ICU's break rules, about 10 ms of CPU, which an
 * action that never cuts text would pay at every start (every bundle loads this module).
 */
let graphemes: Intl.Segmenter | undefined;

/**
 * Where `text` may be cut: after each grapheme (an emoji with its modifiers, a letter with its
 * accents), so a cut never leaves half a surrogate pair or a lone combining mark.
 */
export function graphemeBoundaries(text: string): number[] {
  const points = [0];
  graphemes ??= new Intl.Segmenter('en', { granularity: 'grapheme' });
  for (const { index, segment } of graphemes.segment(text)) points.push(index + segment.length);
  return points;
}

/** `text` cut to at most `max` UTF-16 units at a grapheme boundary, with `mark` (e.g. '…') when cut. */
export function cutGraphemes(text: string, max: number, mark = ''): string {
  if (text.length <= max) return text;
  let end = 0;
  for (const p of graphemeBoundaries(text)) if (p <= max - mark.length) end = p;
  return `${text.slice(0, end)}${mark}`;
}
