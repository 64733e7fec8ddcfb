/** The heat-map colour of a value in [0, 1]: red (drop) through yellow to green (keep), light enough to read text on. */
export function heatColour(value: number): string {
  const p = Math.min(1, Math.max(0, value));
  return `hsl(${Math.round(p * 130)}, 70%, ${88 - Math.round(Math.abs(p - 0.5) * 16)}%)`;
}
