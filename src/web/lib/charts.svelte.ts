/**
 * The one chart.js block of the app's charts: register the parts a chart uses, then in an
 * `$effect` wait for the canvases, read the theme (so a theme or presentation change redraws),
 * apply its colours, build the charts and destroy them when the effect re-runs or the component
 * goes. Call it while a component initialises, as `$effect` requires.
 *
 *   themedCharts([BarController, BarElement, LinearScale], () => [canvas], (colours) => [config]);
 *
 * `configs` runs inside the effect: whatever state it reads redraws the charts when it changes.
 */
import { Chart, type ChartComponentLike, type ChartConfiguration, type ChartType } from 'chart.js';
import { applyChartDefaults, chartColours, type ChartColours } from './chart-theme.ts';
import { preferences } from './Preferences.svelte.ts';

/**
 * Any chart's configuration. chart.js types a configuration by its chart type and data, and those
 * generics do not widen to one list type (a line config is not assignable to `ChartConfiguration`
 * of all types), hence `any` for the data here; each component types its own configs fully.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyChartConfig = ChartConfiguration<ChartType, any, unknown>;

export function themedCharts(
  parts: ChartComponentLike[],
  canvases: () => (HTMLCanvasElement | undefined)[],
  configs: (colours: ChartColours) => AnyChartConfig[],
  /** Told the charts once made, and `undefined` once destroyed (for charts updated in place). */
  onCharts?: (charts: Chart[] | undefined) => void,
): void {
  Chart.register(...parts);
  $effect(() => {
    const targets = canvases();
    if (targets.length === 0 || targets.some((c) => !c)) return;
    void preferences.resolvedTheme;
    void preferences.presentation;
    const colours = chartColours();
    applyChartDefaults(colours);
    const made = configs(colours).map((config, i) => new Chart(targets[i]!, config));
    onCharts?.(made);
    return () => {
      made.forEach((chart) => chart.destroy());
      onCharts?.(undefined);
    };
  });
}
