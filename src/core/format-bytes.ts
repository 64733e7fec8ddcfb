/**
 * The one byte formatter of the CLI and the app: decimal (SI) units, as the Hugging Face hub
 * lists sizes: `12 B`, `734 kB` (1 kB = 1,000 bytes), `3.06 MB`, `2.82 GB`. Binary sizes are
 * never labelled MB: the app and the CLI print the same figure for the same file.
 */
const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'] as const;

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  if (unit === 0) return `${Math.round(bytes)} B`;
  // 999.95 kB rounds to "1000.0 kB": print it as the next unit instead.
  if (value.toFixed(1) === '1000.0' && unit < UNITS.length - 1) return `1.00 ${UNITS[unit + 1]}`;
  return `${value.toFixed(value < 10 ? 2 : 1)} ${UNITS[unit]}`;
}
