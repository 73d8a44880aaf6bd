// Colour-blind-safe colours. Categories: Okabe & Ito (2008). Sequential: viridis (perceptually
// uniform, readable in grey). Differences: a blue-white-orange diverging scale, symmetric around 0.
// Values are always printed next to colours, so colour is never the only carrier of a number.
import { methodDescriptor, type MethodId } from '../protocol/catalog/index.ts';

export const OKABE_ITO = {
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  bluishGreen: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  reddishPurple: '#CC79A7',
  black: '#000000',
} as const;

/** A method's series colour, from its catalog descriptor (Okabe & Ito values). */
export function methodColor(id: MethodId): string {
  return methodDescriptor(id).color;
}


type Rgb = [number, number, number];

// viridis at 9 evenly spaced points (matplotlib's table).
const VIRIDIS: Rgb[] = [
  [68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142], [31, 158, 137], [53, 183, 121], [109, 205, 89], [180, 222, 44], [253, 231, 37],
];

// Dark blue -> white -> dark orange (ColorBrewer PuOr-like ends, without purple).
const DIVERGING: Rgb[] = [
  [8, 69, 148], [66, 146, 198], [198, 219, 239], [247, 247, 247], [253, 208, 162], [241, 105, 19], [127, 39, 4],
];

function interpolate(stops: Rgb[], t: number): Rgb {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = stops[i];
  const b = stops[i + 1];
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f)) as Rgb;
}

const css = (c: Rgb) => `rgb(${c[0]} ${c[1]} ${c[2]})`;

/** Relative luminance (WCAG) decides black or white text on a cell. */
function textOn(c: Rgb): string {
  const lin = c.map((v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  const L = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
  return L > 0.22 ? '#000' : '#fff';
}

export interface CellColor {
  background: string;
  color: string;
}

/** Sequential colour for t in [0, 1]. */
export function sequential(t: number): CellColor {
  const c = interpolate(VIRIDIS, t);
  return { background: css(c), color: textOn(c) };
}

/** Diverging colour for a difference d, with |d| = maxAbs at the ends (blue: negative, orange: positive). */
export function diverging(d: number, maxAbs: number): CellColor {
  const t = maxAbs > 0 ? 0.5 + d / (2 * maxAbs) : 0.5;
  const c = interpolate(DIVERGING, t);
  return { background: css(c), color: textOn(c) };
}

/** CSS linear-gradient of a scale, for legends. */
export function gradientCss(kind: 'sequential' | 'diverging'): string {
  const stops = kind === 'sequential' ? VIRIDIS : DIVERGING;
  return `linear-gradient(to right, ${stops.map(css).join(', ')})`;
}
