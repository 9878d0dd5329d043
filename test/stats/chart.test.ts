import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { barChartPng, chartText, type BarChart } from '../../src/stats/chart.js';

const RED = [214, 39, 40] as const;
const GREEN = [47, 158, 68] as const;

function pixel(png: PNG, x: number, y: number): number[] {
  const o = (y * png.width + x) * 4;
  return Array.from(png.data.subarray(o, o + 4));
}

/** Pixels of a colour in a column, for locating bars without knowing the layout constants. */
function rowsWithColour(png: PNG, x: number, rgb: readonly number[]): number[] {
  const rows: number[] = [];
  for (let y = 0; y < png.height; y++) {
    const [r, g, b] = pixel(png, x, y);
    if (r === rgb[0] && g === rgb[1] && b === rgb[2]) rows.push(y);
  }
  return rows;
}

const chart: BarChart = {
  title: 'Drift: drift (1 critical, 0 warn of 2 features)',
  subtitle: 'bar = statistic / critical threshold',
  legend: [
    { label: 'critical', color: RED },
    { label: 'ok', color: GREEN },
  ],
  bars: [
    { label: 'income', value: 2, color: RED, note: 'PSI 0.5' },
    { label: 'age', value: 0.25, color: GREEN, note: 'D 0.025' },
  ],
  lines: [{ at: 1, color: [0, 0, 0] }],
  width: 800,
};

describe('barChartPng', () => {
  it('encodes a PNG of the requested width whose height grows with the number of bars', () => {
    const png = PNG.sync.read(barChartPng(chart));
    expect(png.width).toBe(800);
    const taller = PNG.sync.read(barChartPng({ ...chart, bars: [...chart.bars, { label: 'city', value: 0.5, color: GREEN }] }));
    expect(taller.height).toBe(png.height + 30);
  });

  it('draws each bar in its colour, with a length proportional to its value', () => {
    const png = PNG.sync.read(barChartPng({ ...chart, lines: [] }));
    // A column a little right of the axis start crosses both bars; the red one comes first (first row).
    const x = 800 / 2;
    const red = rowsWithColour(png, x, RED);
    expect(red.length).toBeGreaterThanOrEqual(18);
    // The green bar (0.25 of an axis of 2) ends well before the middle of the plot, the red one runs to the end.
    expect(rowsWithColour(png, x, GREEN)).toEqual([]);
    const redRow = red[Math.floor(red.length / 2)]!;
    let end = x;
    while (pixel(png, end + 1, redRow).slice(0, 3).join() === RED.join()) end++;
    let start = x;
    while (pixel(png, start - 1, redRow).slice(0, 3).join() === RED.join()) start--;
    const greenRow = redRow + 30;
    let greenEnd = start;
    while (pixel(png, greenEnd + 1, greenRow).slice(0, 3).join() === GREEN.join()) greenEnd++;
    // Bars start at the same x; green length / red length = 0.25 / 2 (arrow heads aside).
    expect(pixel(png, start, greenRow).slice(0, 3)).toEqual([...GREEN]);
    expect((greenEnd - start) / (end - start)).toBeCloseTo(0.125, 1);
  });

  it('draws the reference line across the plot', () => {
    const png = PNG.sync.read(barChartPng({ ...chart, bars: [{ label: 'a', value: 0, color: GREEN }], lines: [{ at: 1, color: [1, 2, 3] }] }));
    let found = 0;
    for (let x = 0; x < png.width; x++) if (rowsWithColour(png, x, [1, 2, 3]).length > 20) found++;
    expect(found).toBe(2);
  });

  it('gives the same bytes for the same input, and different bytes for different input', () => {
    const a = barChartPng(chart);
    expect(barChartPng(structuredClone(chart)).equals(a)).toBe(true);
    expect(barChartPng({ ...chart, title: 'Drift: other' }).equals(a)).toBe(false);
  });

  it('draws non-ASCII characters as "?" and clips long labels and out-of-range bars', () => {
    expect(chartText('Größe 北京 😀')).toBe('Gr??e ?? ?');
    const accented = barChartPng({ ...chart, bars: [{ label: 'é', value: 1, color: RED }] });
    const question = barChartPng({ ...chart, bars: [{ label: '?', value: 1, color: RED }] });
    expect(accented.equals(question)).toBe(true);
    const clipped = PNG.sync.read(barChartPng({ ...chart, axisCap: 3, bars: [{ label: 'x'.repeat(100), value: 1e9, color: RED }] }));
    expect(clipped.width).toBe(800);
  });

  it('says so when there is nothing to draw', () => {
    const png = PNG.sync.read(barChartPng({ ...chart, bars: [], emptyMessage: 'no features' }));
    expect(png.height).toBeGreaterThan(50);
  });
});
