/**
 * The heat maps' colour scale: cividis (Nuñez et al., 2018), a sequential scale that reads the same
 * for the common colour-vision deficiencies and in greyscale, from dark blue (0, drop) to yellow
 * (1, keep). Text on a cell is black or white, whichever contrasts more with its background.
 *
 *   heatColour(0.9) // 'rgb(215, 195, 97)'; heatText(0.9) // '#000'
 */

// cividis at 0, 1/8, …, 1 (matplotlib's table, sampled).
const STOPS: [number, number, number][] = [
  [0x00, 0x22, 0x4e],
  [0x12, 0x35, 0x70],
  [0x3b, 0x49, 0x6c],
  [0x57, 0x5d, 0x6d],
  [0x70, 0x71, 0x73],
  [0x8a, 0x86, 0x78],
  [0xa5, 0x9c, 0x74],
  [0xc3, 0xb3, 0x69],
  [0xfe, 0xe8, 0x38],
];

function rgb(value: number): [number, number, number] {
  const p = Math.min(1, Math.max(0, Number.isFinite(value) ? value : 0)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(p));
  const f = p - i;
  const [a, b] = [STOPS[i]!, STOPS[i + 1]!];
  return [0, 1, 2].map((k) => Math.round(a[k]! + (b[k]! - a[k]!) * f)) as [number, number, number];
}

/** The background colour of a value in [0, 1]. */
export function heatColour(value: number): string {
  const [r, g, b] = rgb(value);
  return `rgb(${r}, ${g}, ${b})`;
}

/** Black or white, whichever reads better on `heatColour(value)` (WCAG relative luminance). */
export function heatText(value: number): string {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const [r, g, b] = rgb(value).map(lin) as [number, number, number];
  const l = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return (l + 0.05) / 0.05 > 1.05 / (l + 0.05) ? '#000' : '#fff';
}

/** A CSS linear-gradient of the whole scale, for legends. */
export function heatGradient(): string {
  return `linear-gradient(to right, ${STOPS.map((_, i) => heatColour(i / (STOPS.length - 1))).join(', ')})`;
}
