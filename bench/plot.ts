/**
 * A line chart as a standalone SVG file, for benchmark curves the README shows (the soak scenario's
 * RSS over conversations). Small on purpose: axes with rounded ticks, one polyline per series, a
 * legend; no dependency for what a browser and GitHub render from plain markup.
 */
export interface Series {
  label: string;
  colour: string;
  points: readonly (readonly [number, number])[];
}

export interface Chart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  /** Dashed vertical markers, e.g. where the workflow cache is full. */
  markers?: readonly { x: number; label: string }[];
}

const WIDTH = 720;
const HEIGHT = 400;
const PAD = { left: 64, right: 16, top: 36, bottom: 48 };

/** About five round tick values from 0 to at least `max` (1, 2 or 5 × a power of ten apart). */
export function ticks(max: number): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = 0; v < max + step; v += step) out.push(Math.round(v * 1e6) / 1e6);
  return out;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function lineChartSvg(chart: Chart): string {
  const all = chart.series.flatMap((s) => s.points);
  const xTicks = ticks(Math.max(...all.map(([x]) => x), 0));
  const yTicks = ticks(Math.max(...all.map(([, y]) => y), 0));
  const xMax = xTicks.at(-1)!;
  const yMax = yTicks.at(-1)!;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const px = (x: number) => (PAD.left + (x / xMax) * plotW).toFixed(1);
  const py = (y: number) => (PAD.top + plotH - (y / yMax) * plotH).toFixed(1);
  const bottom = PAD.top + plotH;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="20" text-anchor="middle" font-size="14">${escape(chart.title)}</text>`,
    ...xTicks.map(
      (t) =>
        `<line x1="${px(t)}" y1="${PAD.top}" x2="${px(t)}" y2="${bottom}" stroke="#eee"/><text x="${px(t)}" y="${bottom + 16}" text-anchor="middle">${t}</text>`,
    ),
    ...yTicks.map(
      (t) =>
        `<line x1="${PAD.left}" y1="${py(t)}" x2="${WIDTH - PAD.right}" y2="${py(t)}" stroke="#eee"/><text x="${PAD.left - 6}" y="${py(t)}" text-anchor="end" dominant-baseline="middle">${t}</text>`,
    ),
    `<rect x="${PAD.left}" y="${PAD.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`,
    `<text x="${PAD.left + plotW / 2}" y="${HEIGHT - 10}" text-anchor="middle">${escape(chart.xLabel)}</text>`,
    `<text transform="translate(16 ${PAD.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escape(chart.yLabel)}</text>`,
    ...(chart.markers ?? [])
      .filter((m) => m.x <= xMax)
      .map(
        (m) =>
          `<line x1="${px(m.x)}" y1="${PAD.top}" x2="${px(m.x)}" y2="${bottom}" stroke="#666" stroke-dasharray="4 4"/><text x="${Number(px(m.x)) + 4}" y="${PAD.top + 14}">${escape(m.label)}</text>`,
      ),
    ...chart.series.map(
      (s) =>
        `<polyline fill="none" stroke="${s.colour}" stroke-width="2" points="${s.points.map(([x, y]) => `${px(x)},${py(y)}`).join(' ')}"/>`,
    ),
    ...chart.series.map(
      (s, i) =>
        `<rect x="${PAD.left + 12}" y="${PAD.top + 24 + i * 18}" width="14" height="4" fill="${s.colour}"/><text x="${PAD.left + 32}" y="${PAD.top + 29 + i * 18}">${escape(s.label)}</text>`,
    ),
    '</svg>',
  ];
  return `${parts.join('\n')}\n`;
}
