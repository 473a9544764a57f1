import { describe, expect, it } from 'vitest';
import { chartToSvg } from './render-chart';
import {
  classTicks,
  type SimilarityPanel,
  similarityHeatmapChartSpec,
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
    expect(row.map((cell) => cell.title.text[0])).toEqual([
      'teacher',
      'student, before (seed 1)',
      'gkd-knn student (seed 1)',
      'teacher − student',
    ]);
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
});
