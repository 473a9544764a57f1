import { Resvg } from '@resvg/resvg-js';
import { describe, expect, it } from 'vitest';
import { chartToSvg } from './render-chart';
import {
  classTicks,
  type SimilarityPanel,
  similarityHeatmapChartSpec,
  wrapText,
} from './similarity-heatmap-chart';

const labels = [0, 0, 1, 1, 1, 2];
const panel = (tap: string, label: string, adjacency: number[]): SimilarityPanel => ({
  tap,
  label,
  adjacency,
  size: 6,
  smoothness: 0.5,
});
const graph = (scale: number) =>
  Array.from({ length: 36 }, (_, k) => (Math.floor(k / 6) === k % 6 ? 0 : scale * ((k % 7) + 1)));

describe('similarityHeatmapChartSpec', () => {
  it('puts a class tick in the middle of each class block', () => {
    expect(classTicks(labels)).toEqual([
      { index: 0, label: '0' },
      { index: 3, label: '1' },
      { index: 5, label: '2' },
    ]);
    expect(classTicks([])).toEqual([]);
  });

  it('adds a teacher − student panel per trained student, with values of the scaled graphs', () => {
    const panels = [
      panel('pool', 'teacher', graph(1)),
      panel('pool', 'student, before (seed 1)', graph(3)),
      panel('pool', 'gkd-knn student (seed 1)', graph(2)),
    ];
    const spec = similarityHeatmapChartSpec(panels, labels, 'test') as unknown as {
      vconcat: { hconcat: { title: { text: string[] }; data: { values: { v: number }[] } }[] }[];
    };
    const row = spec.vconcat[0]!.hconcat;
    // Titles wrap to the panel width (and a row's titles are padded to one height).
    expect(row.map((cell) => cell.title.text.filter((line) => line !== '').join(' '))).toEqual([
      'teacher s = 0.50',
      'student, before (seed 1) s = 0.50',
      'gkd-knn student (seed 1) s = 0.50',
      'teacher − student gkd-knn student (seed 1)',
    ]);
    expect(new Set(row.map((cell) => cell.title.text.length)).size).toBe(1);
    // Same graph up to scale: identical after min–max scaling, so the difference is zero.
    expect(row[3]!.data.values.every((value) => value.v === 0)).toBe(true);
    expect(row[3]!.data.values).toHaveLength(30); // the diagonal is left out
  });

  it('renders to an SVG with the class labels on the axes', async () => {
    const panels = [
      panel('stage1', 'teacher', graph(1)),
      panel('stage1', 'baseline student', graph(-1)),
    ];
    const svg = await chartToSvg(similarityHeatmapChartSpec(panels, labels, 'test'));
    expect(svg).toContain('teacher − student');
    expect(svg).toContain('edge weight');
    expect(svg).toMatch(/<text[^>]*>1<\/text>/);
  });

  it('wraps text at spaces into lines within the width Vega estimates (0.8 × font size a character)', () => {
    const text = 's = label smoothness (cross-class edge weight, lower is more class-aligned)';
    const lines = wrapText(text, 200, 10); // 25 characters a line
    expect(lines.join(' ')).toBe(text);
    expect(lines.every((line) => line.length <= 25)).toBe(true);
    expect(lines.length).toBe(4);
    expect(wrapText('teacher', 124, 8)).toEqual(['teacher']);
    expect(wrapText('student, before (seed 1)', 124, 8)).toEqual(['student, before', '(seed 1)']);
    expect(wrapText('a-very-long-single-word', 40, 10)).toEqual(['a-very-long-single-word']);
  });

  it('renders a tight figure: no blank margin right of the panels, whatever the title length', async () => {
    const labels6 = [0, 0, 1, 1, 1, 2];
    const panels = ['stage1', 'pool'].flatMap((tap) =>
      ['teacher', 'student, before (seed 1)', 'baseline, after', 'gkd-dense, after'].map(
        (label, k) => panel(tap, label, graph(k + 1)),
      ),
    );
    const svg = await chartToSvg(
      similarityHeatmapChartSpec(
        panels,
        labels6,
        'teacher small-cnn-16-32-64 vs student small-cnn-4-8, 6 test images, preset default',
      ),
    );
    const width = Number(/<svg[^>]* width="(\d+)"/.exec(svg)![1]);
    // The drawn content's right edge: the last pixel column that is not white.
    const image = new Resvg(svg, { background: 'white' }).render();
    const { pixels } = image;
    let right = 0;
    for (let y = 0; y < image.height; y++) {
      for (let x = image.width - 1; x > right; x--) {
        const k = (y * image.width + x) * 4;
        if (pixels[k]! < 250 || pixels[k + 1]! < 250 || pixels[k + 2]! < 250) {
          right = x;
          break;
        }
      }
    }
    // 6 columns of 124-pixel panels (4 graphs, 2 differences) and the y axis: about 800 pixels.
    expect(image.width).toBe(width);
    expect(width - 1 - right).toBeLessThanOrEqual(12);
    expect(width).toBeLessThan(6 * 124 + 5 * 6 + 60);
  });
});
