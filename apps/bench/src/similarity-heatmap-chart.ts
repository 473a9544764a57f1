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

/**
 * Heatmaps of similarity graphs on one fixed test batch sorted by class, a row per tap and a
 * column per model and moment (panels given tap by tap, in column order). Each panel is min–max scaled over its off-diagonal entries (colour = weight
 * between the panel's weakest and strongest edge), so graphs of different scales compare by
 * shape; the diagonal (self-similarity, not an edge) is left blank.
 * Class boundaries are the block structure along the diagonal.
 */
export function similarityHeatmapChartSpec(
  panels: readonly SimilarityPanel[],
  labels: readonly number[],
  subtitle: string,
): TopLevelSpec {
  const values: { panel: string; order: number; i: number; j: number; w: number }[] = [];
  const taps = [...new Set(panels.map((panel) => panel.tap))];
  const columns = [...new Set(panels.map((panel) => panel.label))];
  for (const panel of panels) {
    const smooth = panel.smoothness === undefined ? '' : ` (s=${panel.smoothness.toFixed(2)})`;
    const title = `${panel.tap} · ${panel.label}${smooth}`;
    const order = taps.indexOf(panel.tap) * columns.length + columns.indexOf(panel.label);
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
    for (let i = 0; i < panel.size; i++) {
      for (let j = 0; j < panel.size; j++) {
        if (i === j) continue; // the diagonal (self-similarity) is not an edge
        values.push({
          panel: title,
          order,
          i,
          j,
          w: (panel.adjacency[i * panel.size + j]! - min) / range,
        });
      }
    }
  }
  const classes = [...new Set(labels)].join(' ');
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Similarity graphs (cosine, symmetric normalisation) of one test batch sorted by class',
      subtitle: [
        subtitle,
        `classes along the axes: ${classes}; each panel min–max scaled over its off-diagonal entries; s = label smoothness (cross-class edge weight, lower is more class-aligned)`,
      ],
    },
    config: { font: 'DejaVu Sans', view: { stroke: null } },
    data: { values },
    facet: {
      field: 'panel',
      type: 'nominal',
      title: null,
      sort: { field: 'order', op: 'min' },
      header: { labelFontSize: 10, labelLimit: 0 },
    },
    columns: Math.max(1, columns.length),
    spec: {
      width: 170,
      height: 170,
      mark: { type: 'rect' },
      encoding: {
        x: { field: 'j', type: 'ordinal', axis: null },
        y: { field: 'i', type: 'ordinal', axis: null },
        color: {
          field: 'w',
          type: 'quantitative',
          scale: { scheme: 'viridis', domain: [0, 1] },
          title: ['edge weight', '(min–max scaled)'],
        },
      },
    },
  };
}
