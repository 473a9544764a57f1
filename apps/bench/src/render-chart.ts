import fs from 'node:fs';
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Where a chart was written. */
export interface RenderedChart {
  /** Path of the SVG file. */
  svg: string;
  /** Path of the PNG file, or undefined when PNG rendering failed (see `pngError`). */
  png?: string;
  /** Why no PNG was written. */
  pngError?: string;
}

/** Options of {@link renderChart}. */
export interface RenderChartOptions {
  /** PNG scale factor relative to the SVG's size. @default 2 */
  scale?: number;
}

const FONT_FILES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
  '/System/Library/Fonts/Supplemental/Arial.ttf',
  'C:\\Windows\\Fonts\\arial.ttf',
];

/** A font file known to exist on this machine, if any (resvg also loads the system fonts). */
function fontFiles(): string[] {
  return FONT_FILES.filter((file) => fs.existsSync(file));
}

/** An SVG string from a Vega-Lite spec, rendered headless (no browser, no canvas). */
export async function chartToSvg(spec: TopLevelSpec): Promise<string> {
  const { spec: vegaSpec } = compile(spec);
  const view = new vega.View(vega.parse(vegaSpec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** PNG bytes of an SVG, with the system fonts (text degrades to boxes when none exist). */
export function svgToPng(svg: string, scale = 2): Buffer {
  const files = fontFiles();
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: {
      loadSystemFonts: true,
      fontFiles: files,
      defaultFontFamily: files.length > 0 ? 'DejaVu Sans' : 'sans-serif',
      sansSerifFamily: 'DejaVu Sans',
    },
  });
  return Buffer.from(resvg.render().asPng());
}

/**
 * Writes `<basePath>.svg` and `<basePath>.png` from a Vega-Lite spec. PNG failures (no native
 * resvg build for this platform) are reported in the result, not thrown: the SVG is enough.
 */
export async function renderChart(
  spec: TopLevelSpec,
  basePath: string,
  options: RenderChartOptions = {},
): Promise<RenderedChart> {
  fs.mkdirSync(path.dirname(basePath), { recursive: true });
  const svg = await chartToSvg(spec);
  const svgPath = `${basePath}.svg`;
  fs.writeFileSync(svgPath, svg);
  try {
    const png = svgToPng(svg, options.scale ?? 2);
    const pngPath = `${basePath}.png`;
    fs.writeFileSync(pngPath, png);
    return { svg: svgPath, png: pngPath };
  } catch (cause) {
    return { svg: svgPath, pngError: (cause as Error).message };
  }
}
