const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * Where `text` may be cut: after each grapheme (an emoji with its modifiers, a letter with its
 * accents), so a cut never leaves half a surrogate pair or a lone combining mark.
 */
export function graphemeBoundaries(text: string): number[] {
  const points = [0];
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
