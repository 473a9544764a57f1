import type { TopLevelSpec } from 'vega-lite';

/** One similarity graph to draw: a [B, B] adjacency of one model at one tap. */
export interface SimilarityPanel {
  /** Tap name, e.g. `'stage1'` (one row of panels per tap). */
  tap: string;
  /** Panel title, e.g. `'teacher'`, `'baseline student (after)'`. */
  label: string;
  /** Row-major [B, B] adjacency. */
  adjacency: number[];
  /** B. */
  size: number;
  /** Label smoothness of the graph (cross-class edge weight), shown in the title when given. */
  smoothness?: number;
}

/** Side of one heatmap panel in pixels: small enough for a 6×3 grid to fit a page. */
const PANEL_SIZE = 124;
/** Pixels between two panels of a row. */
const PANEL_SPACING = 6;
/** Font sizes of the panel titles, the figure title and its subtitle. */
const TITLE_FONT_SIZE = 8;
const FIGURE_TITLE_FONT_SIZE = 13;
const SUBTITLE_FONT_SIZE = 10;
/**
 * Width Vega gives a character, per pixel of font size, when it lays out text without a canvas
 * (the bench renders headless): its estimate, 0.8 × font size × characters, wider than the real
 * glyphs. A text line longer than the panels under this estimate widens the whole figure.
 */
const ESTIMATED_CHARACTER_WIDTH = 0.8;

/**
 * Splits `text` at spaces into lines that Vega's headless width estimate keeps within `width`
 * pixels at `fontSize` (a single word longer than that stays whole on its own line).
 */
export function wrapText(text: string, width: number, fontSize: number): string[] {
  const maxCharacters = Math.max(1, Math.floor(width / (ESTIMATED_CHARACTER_WIDTH * fontSize)));
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ').filter((part) => part !== '')) {
    const longer = line === '' ? word : `${line} ${word}`;
    if (line !== '' && longer.length > maxCharacters) {
      lines.push(line);
      line = word;
    } else {
      line = longer;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** `lines` padded with empty lines to `count`, so that every title of a row is as tall. */
const padLines = (lines: readonly string[], count: number): string[] => [
  ...lines,
  ...Array.from({ length: count - lines.length }, () => ''),
];

/** Off-diagonal entries of a panel, min–max scaled to [0, 1] (1 for a constant panel). */
function scaledEntries(panel: SimilarityPanel): Float64Array {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < panel.size; i++) {
    for (let j = 0; j < panel.size; j++) {
      if (i === j) continue;
      const value = panel.adjacency[i * panel.size + j]!;
      min = Math.min(min, value);
      max = Math.max(max, value);
    }
  }
  const range = max > min ? max - min : 1;
  const scaled = new Float64Array(panel.size * panel.size);
  for (let k = 0; k < scaled.length; k++) scaled[k] = (panel.adjacency[k]! - min) / range;
  return scaled;
}

/** Class tick positions: the middle index of each run of equal labels, with its class. */
export function classTicks(labels: readonly number[]): { index: number; label: string }[] {
  const ticks: { index: number; label: string }[] = [];
  let start = 0;
  for (let i = 1; i <= labels.length; i++) {
    if (i === labels.length || labels[i] !== labels[start]) {
      ticks.push({ index: Math.floor((start + i - 1) / 2), label: String(labels[start]) });
      start = i;
    }
  }
  return ticks;
}

/**
 * Heatmaps of similarity graphs on one fixed test batch sorted by class: a compact grid with a
 * row per tap and a column per model and moment (panels given tap by tap, in column order),
 * then one **difference panel** per trained student, teacher − student. Each graph panel is
 * min–max scaled over its off-diagonal entries (colour = weight between the panel's weakest
 * and strongest edge), so graphs of different scales compare by shape; a difference panel
 * subtracts those scaled graphs (red: the teacher's edge is stronger, blue: the student's). The
 * diagonal (self-similarity, not an edge) is left blank. Class names mark the middle of each
 * class block on the axes of the first column and the last row.
 */
export function similarityHeatmapChartSpec(
  panels: readonly SimilarityPanel[],
  labels: readonly number[],
  subtitle: string,
): TopLevelSpec {
  const taps = [...new Set(panels.map((panel) => panel.tap))];
  const ticks = classTicks(labels);
  const labelExpr = `${ticks.map((tick) => `datum.value == ${tick.index} ? '${tick.label}'`).join(' : ')} : ''`;
  const axis = (show: boolean) =>
    show
      ? {
          values: ticks.map((tick) => tick.index),
          labelExpr,
          title: null,
          domain: false,
          tickSize: 3,
          labelFontSize: 8,
          labelAngle: 0,
          labelPadding: 1,
        }
      : null;
  const rows = taps.map((tap, rowIndex) => {
    const row = panels.filter((panel) => panel.tap === tap);
    const teacher = row.find((panel) => panel.label === 'teacher');
    const trained = row.filter((panel) => panel !== teacher && !panel.label.includes('before'));
    const cells: {
      title: string[];
      values: { i: number; j: number; v: number }[];
      difference: boolean;
    }[] = [];
    const scaledByPanel = new Map(row.map((panel) => [panel, scaledEntries(panel)]));
    for (const panel of row) {
      const scaled = scaledByPanel.get(panel)!;
      const values: { i: number; j: number; v: number }[] = [];
      for (let i = 0; i < panel.size; i++) {
        for (let j = 0; j < panel.size; j++) {
          if (i !== j) values.push({ i, j, v: scaled[i * panel.size + j]! });
        }
      }
      const smooth = panel.smoothness === undefined ? '' : `s = ${panel.smoothness.toFixed(2)}`;
      cells.push({
        title: [...wrapText(panel.label, PANEL_SIZE, TITLE_FONT_SIZE), smooth],
        values,
        difference: false,
      });
    }
    if (teacher !== undefined) {
      const teacherScaled = scaledByPanel.get(teacher)!;
      for (const student of trained) {
        if (student.size !== teacher.size) continue;
        const studentScaled = scaledByPanel.get(student)!;
        const values: { i: number; j: number; v: number }[] = [];
        for (let i = 0; i < student.size; i++) {
          for (let j = 0; j < student.size; j++) {
            const k = i * student.size + j;
            if (i !== j) values.push({ i, j, v: teacherScaled[k]! - studentScaled[k]! });
          }
        }
        cells.push({
          title: [
            ...wrapText('teacher − student', PANEL_SIZE, TITLE_FONT_SIZE),
            ...wrapText(student.label, PANEL_SIZE, TITLE_FONT_SIZE),
          ],
          values,
          difference: true,
        });
      }
    }
    const titleLines = Math.max(...cells.map((cell) => cell.title.length));
    const lastRow = rowIndex === taps.length - 1;
    let graphLegendShown = false;
    let differenceLegendShown = false;
    return {
      title: { text: tap, anchor: 'start' as const, fontSize: 11 },
      spacing: PANEL_SPACING,
      // Graph and difference panels have their own colour scales (and one legend each).
      resolve: { scale: { color: 'independent' as const } },
      hconcat: cells.map((cell, column) => {
        // One legend per kind, under the last row, so no gap opens between the rows.
        const showLegend =
          lastRow && (cell.difference ? !differenceLegendShown : !graphLegendShown);
        if (showLegend && cell.difference) differenceLegendShown = true;
        if (showLegend && !cell.difference) graphLegendShown = true;
        return {
          width: PANEL_SIZE,
          height: PANEL_SIZE,
          title: {
            text: padLines(cell.title, titleLines),
            fontSize: TITLE_FONT_SIZE,
            fontWeight: 'normal' as const,
            limit: 0,
          },
          data: { values: cell.values },
          mark: { type: 'rect' as const },
          encoding: {
            x: { field: 'j', type: 'ordinal' as const, axis: axis(lastRow) },
            y: { field: 'i', type: 'ordinal' as const, axis: axis(column === 0) },
            color: {
              field: 'v',
              type: 'quantitative' as const,
              scale: cell.difference
                ? { scheme: 'redblue', domain: [-1, 1], reverse: true }
                : { scheme: 'viridis', domain: [0, 1] },
              legend: showLegend
                ? {
                    title: cell.difference ? 'difference' : 'edge weight',
                    orient: 'bottom' as const,
                    direction: 'horizontal' as const,
                    gradientLength: 80,
                    offset: 4,
                    titleFontSize: 9,
                    labelFontSize: 8,
                  }
                : null,
            },
          },
        };
      }),
    };
  });
  // Title lines no wider than the panels of the widest row, so the text sets no width of its own.
  const columns = Math.max(1, ...rows.map((row) => row.hconcat.length));
  const gridWidth = columns * PANEL_SIZE + (columns - 1) * PANEL_SPACING;
  const subtitleLines = [
    subtitle,
    "s = label smoothness (cross-class edge weight, lower is more class-aligned); axes: classes; difference = teacher − student (red: the teacher's edge is stronger)",
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: wrapText(
        'Similarity graphs of one test batch, sorted by class',
        gridWidth,
        FIGURE_TITLE_FONT_SIZE,
      ),
      subtitle: subtitleLines.flatMap((line) => wrapText(line, gridWidth, SUBTITLE_FONT_SIZE)),
      fontSize: FIGURE_TITLE_FONT_SIZE,
      subtitleFontSize: SUBTITLE_FONT_SIZE,
      anchor: 'start',
    },
    config: { font: 'DejaVu Sans', view: { stroke: null }, concat: { spacing: 8 } },
    spacing: 10,
    vconcat: rows,
    resolve: { scale: { color: 'independent' } },
  } as TopLevelSpec;
}
