import { PNG } from 'pngjs';

/**
 * A horizontal bar chart drawn pixel by pixel into an RGBA buffer and encoded as PNG (pngjs): no fonts, no
 * canvas, no native code, and the same bytes for the same input. Text uses a built-in 5×7 bitmap font for
 * printable ASCII (drawn at 2× scale); any other character is drawn as '?'.
 */

export type Rgb = readonly [number, number, number];

export interface Bar {
  label: string;
  /** Bar length in axis units (clipped at the axis end, with an arrow). */
  value: number;
  color: Rgb;
  /** Text right of the bar (e.g. the figure and the test). */
  note?: string;
  /** A short tick across the bar's row at this axis value (e.g. the feature's own warn ratio). */
  tick?: number;
}

export interface ReferenceLine {
  at: number;
  color: Rgb;
  dashed?: boolean;
}

export interface BarChart {
  title: string;
  subtitle?: string;
  bars: readonly Bar[];
  lines?: readonly ReferenceLine[];
  legend?: readonly { label: string; color: Rgb }[];
  /** Axis range [0, max]; default: the largest of the bars, the lines and 1, rounded up to a tick. */
  axisMax?: number;
  /** Longest axis the chart draws (longer bars are clipped with an arrow). */
  axisCap?: number;
  width?: number;
  /** Shown when there are no bars. */
  emptyMessage?: string;
}

// 95 glyphs (ASCII 32..126), 7 rows each, one base-32 digit per row (5 bits, most significant = leftmost pixel).
const FONT =
  '00000004444404aa00000aavavaa4fke5u4op248j3cik8lid44000002488842842224804lel40044v440' +
  '0000c48000v00000000cc01248g0ehjlphe4c4444eeh1248vv2421he26aiv22vgu11he68guhhev124888' +
  'ehhehheehhf12c0cc0cc00cc0c48248g84200v0v008421248eh12404eh1dlleehhvhhhuhhuhhuehggghe' +
  'sihhhisvgguggvvggugggehgnhhfhhhvhhhe44444e72222ichikokihggggggvhrllhhhhhpljhhehhhhhe' +
  'uhhugggehhhliduhhukihfgge11uv444444hhhhhhehhhhha4hhhlllahha4ahhhha4444v1248gve88888e' +
  '0g84210e22222e4ah0000000000v840000000e1fhfggmphhu00egghe11djhhf00ehvge698s88800fhf1e' +
  'ggmphhh40c444e20622icggikokic44444e00qllhh00mphhh00ehhhe00uhugg00djf1100mpggg00ege1u' +
  '88s889600hhhjd00hhha400hhlla00ha4ah00hhf1e00v248v244844244444448442448008l200';
const GLYPH_W = 5;
const GLYPH_H = 7;
const SCALE = 2;
const ADVANCE = (GLYPH_W + 1) * SCALE;
const TEXT_H = GLYPH_H * SCALE;

const WHITE: Rgb = [255, 255, 255];
const INK: Rgb = [33, 37, 41];
const MUTED: Rgb = [108, 117, 125];
const GRID: Rgb = [222, 226, 230];

/** The text as the chart draws it: printable ASCII kept, anything else '?'. */
export function chartText(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    out += c >= 32 && c <= 126 ? ch : '?';
  }
  return out;
}

function fit(s: string, maxChars: number): string {
  const t = chartText(s);
  return t.length > maxChars ? `${t.slice(0, Math.max(1, maxChars - 2))}..` : t;
}

class Canvas {
  readonly data: Buffer;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = Buffer.alloc(width * height * 4, 255);
  }

  rect(x: number, y: number, w: number, h: number, [r, g, b]: Rgb): void {
    const x0 = Math.max(0, Math.round(x));
    const y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + w));
    const y1 = Math.min(this.height, Math.round(y + h));
    for (let yy = y0; yy < y1; yy++) {
      for (let xx = x0; xx < x1; xx++) {
        const o = (yy * this.width + xx) * 4;
        this.data[o] = r;
        this.data[o + 1] = g;
        this.data[o + 2] = b;
        this.data[o + 3] = 255;
      }
    }
  }

  vline(x: number, y0: number, y1: number, color: Rgb, dashed = false, thickness = 2): void {
    for (let y = Math.round(y0); y < y1; y += dashed ? 8 : y1 - y0) this.rect(x - Math.floor(thickness / 2), y, thickness, dashed ? Math.min(5, y1 - y) : y1 - y0, color);
  }

  /** Draws text with its top-left corner at (x, y); returns the width drawn. */
  text(x: number, y: number, s: string, color: Rgb): number {
    const t = chartText(s);
    for (let i = 0; i < t.length; i++) {
      const g = (t.charCodeAt(i) - 32) * GLYPH_H;
      for (let row = 0; row < GLYPH_H; row++) {
        const bits = parseInt(FONT[g + row]!, 32);
        for (let col = 0; col < GLYPH_W; col++) {
          if (bits & (1 << (GLYPH_W - 1 - col))) this.rect(x + i * ADVANCE + col * SCALE, y + row * SCALE, SCALE, SCALE, color);
        }
      }
    }
    return t.length * ADVANCE;
  }
}

/** A tick step of 1, 2 or 5 × 10^k giving about five ticks on [0, max]. */
function tickStep(max: number): number {
  const raw = max / 5;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

function tickLabel(v: number): string {
  return Number(v.toPrecision(6)).toString();
}

/** Renders the chart as PNG bytes. */
export function barChartPng(chart: BarChart): Buffer {
  const width = chart.width ?? 960;
  const margin = 16;
  const rowH = 30;
  const barH = 18;
  const labelChars = 22;
  const noteChars = 14;
  const lines = chart.lines ?? [];
  const legend = chart.legend ?? [];

  const finite = (v: number) => (Number.isFinite(v) ? Math.max(0, v) : 0);
  const wanted = Math.max(1, ...chart.bars.map((b) => finite(b.value)), ...lines.map((l) => l.at));
  const capped = Math.min(wanted, chart.axisCap ?? Infinity);
  const step = tickStep(chart.axisMax ?? capped);
  const axisMax = chart.axisMax ?? Math.ceil(capped / step - 1e-9) * step;

  let y = margin;
  const titleY = y;
  y += TEXT_H + 8;
  const subtitleY = chart.subtitle ? y : -1;
  if (chart.subtitle) y += TEXT_H + 8;
  const legendY = legend.length ? y : -1;
  if (legend.length) y += TEXT_H + 12;
  const plotTop = y;
  const rows = Math.max(1, chart.bars.length);
  const plotBottom = plotTop + rows * rowH;
  const height = plotBottom + 8 + TEXT_H + margin;

  const canvas = new Canvas(width, height);
  canvas.rect(0, 0, width, height, WHITE);
  canvas.text(margin, titleY, fit(chart.title, Math.floor((width - 2 * margin) / ADVANCE)), INK);
  if (chart.subtitle) canvas.text(margin, subtitleY, fit(chart.subtitle, Math.floor((width - 2 * margin) / ADVANCE)), MUTED);
  let lx = margin;
  for (const item of legend) {
    canvas.rect(lx, legendY + 1, TEXT_H - 2, TEXT_H - 2, item.color);
    lx += TEXT_H + 4;
    lx += canvas.text(lx, legendY, item.label, INK) + 16;
  }

  const x0 = margin + labelChars * ADVANCE + 8;
  const x1 = width - margin - noteChars * ADVANCE - barH / 2 - 8;
  const scale = (v: number) => x0 + (Math.min(Math.max(v, 0), axisMax) / axisMax) * (x1 - x0);

  // Grid and axis ticks.
  for (let v = 0; v <= axisMax + 1e-9; v += step) {
    const x = Math.round(scale(v));
    canvas.rect(x, plotTop, 1, plotBottom - plotTop, GRID);
    const label = tickLabel(v);
    canvas.text(x - (label.length * ADVANCE) / 2, plotBottom + 8, label, MUTED);
  }
  canvas.rect(x0, plotTop, 1, plotBottom - plotTop, INK);

  if (chart.bars.length === 0) {
    canvas.text(x0 + 12, plotTop + (rowH - TEXT_H) / 2, chart.emptyMessage ?? 'no data', MUTED);
  }
  chart.bars.forEach((bar, i) => {
    const top = plotTop + i * rowH;
    const label = fit(bar.label, labelChars);
    canvas.text(x0 - 8 - label.length * ADVANCE, top + (rowH - TEXT_H) / 2, label, INK);
    const v = finite(bar.value);
    const end = scale(v);
    canvas.rect(x0 + 1, top + (rowH - barH) / 2, Math.max(0, end - x0 - 1), barH, bar.color);
    if (v > axisMax) {
      // Clipped: an arrow head past the axis end.
      for (let k = 0; k < barH / 2; k++) canvas.rect(end + k, top + (rowH - barH) / 2 + k, 1, barH - 2 * k, bar.color);
    }
    if (bar.tick !== undefined && bar.tick <= axisMax) canvas.rect(Math.round(scale(bar.tick)) - 1, top + 2, 2, rowH - 4, INK);
  });
  for (const line of lines) {
    if (line.at <= axisMax) canvas.vline(Math.round(scale(line.at)), plotTop - 4, plotBottom + 4, line.color, line.dashed ?? false);
  }
  // Notes in their own column right of the axis end, clear of bars, lines and ticks.
  chart.bars.forEach((bar, i) => {
    if (bar.note) canvas.text(x1 + barH / 2 + 6, plotTop + i * rowH + (rowH - TEXT_H) / 2, fit(bar.note, noteChars), INK);
  });

  const png = new PNG({ width, height, colorType: 6, inputColorType: 6 });
  canvas.data.copy(png.data);
  return PNG.sync.write(png, { colorType: 6, inputColorType: 6, deflateLevel: 9 });
}
