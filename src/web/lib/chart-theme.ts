/**
 * Colours for chart.js read from the design tokens (app.css), so charts follow the light / dark
 * theme and presentation mode. Call inside an `$effect` that also reads `preferences.resolvedTheme` and
 * `preferences.presentation`, so a theme change redraws the chart.
 */
import { Chart } from 'chart.js';

export interface ChartColours {
  text: string;
  muted: string;
  grid: string;
  series: [string, string];
  font: number;
}

export function chartColours(): ChartColours {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string) => css.getPropertyValue(name).trim();
  return {
    text: v('--c-text'),
    muted: v('--c-muted'),
    grid: v('--c-border'),
    series: [v('--c-chart-1'), v('--c-chart-2')],
    font: Math.round(parseFloat(css.fontSize) * 0.8),
  };
}

/** Applies the theme's text colour and size to chart.js defaults. */
export function applyChartDefaults(c: ChartColours): void {
  Chart.defaults.color = c.text;
  Chart.defaults.borderColor = c.grid;
  Chart.defaults.font.size = c.font;
}

/** Saves a chart's canvas as a PNG (on the page's background, so it reads outside the app). */
export function downloadChartPng(canvas: HTMLCanvasElement, name: string): void {
  const out = document.createElement('canvas');
  out.width = canvas.width;
  out.height = canvas.height;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = getComputedStyle(document.documentElement).getPropertyValue('--c-bg').trim();
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.drawImage(canvas, 0, 0);
  const a = Object.assign(document.createElement('a'), {
    href: out.toDataURL('image/png'),
    download: name,
  });
  a.click();
}
