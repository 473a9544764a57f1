import type { TopLevelSpec } from 'vega-lite';
import type { BenchResults } from './results-schema';

/**
 * Test accuracy per method: the mean over seeds as a tick with a ±1 std error bar, each seed
 * as a dot, the teacher as a dashed rule.
 */
export function accuracyChartSpec(results: BenchResults): TopLevelSpec {
  const order = results.summary.map((row) => row.method);
  const summary = results.summary.map((row) => ({
    method: row.method,
    mean: row.mean * 100,
    low: (row.mean - row.std) * 100,
    high: (row.mean + row.std) * 100,
    n: row.n,
  }));
  const runs = results.runs.map((run) => ({
    method: run.method,
    seed: run.seed,
    accuracy: run.accuracy * 100,
  }));
  const all = [
    ...summary.flatMap((row) => [row.low, row.high]),
    ...runs.map((run) => run.accuracy),
  ];
  const min = Math.max(0, Math.floor(Math.min(...all, results.teacher.accuracy * 100) - 2));
  const max = Math.min(100, Math.ceil(Math.max(...all, results.teacher.accuracy * 100) + 1));
  const y = { field: 'method', type: 'nominal' as const, sort: order, title: null };
  const x = {
    type: 'quantitative' as const,
    scale: { domain: [min, max] },
    title: 'test accuracy (%)',
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `Student test accuracy per method (mean ± std over ${results.spec.seeds.length} seeds)`,
      subtitle: `preset ${results.preset} · ${results.backend} · dashed: teacher ${(results.teacher.accuracy * 100).toFixed(2)} %`,
    },
    width: 520,
    height: { step: 26 },
    config: { font: 'DejaVu Sans' },
    layer: [
      {
        data: { values: summary },
        mark: { type: 'tick', color: '#08519c', thickness: 3, size: 18 },
        encoding: { y, x: { ...x, field: 'mean' } },
      },
      {
        data: { values: summary },
        mark: { type: 'rule', color: '#08519c', strokeWidth: 2 },
        encoding: { y, x: { ...x, field: 'low' }, x2: { field: 'high' } },
      },
      {
        data: { values: runs },
        mark: { type: 'point', filled: true, color: '#de2d26', size: 30 },
        encoding: { y, x: { ...x, field: 'accuracy' }, tooltip: [{ field: 'seed' }] },
      },
      {
        data: { values: summary },
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 },
        encoding: { y, x: { ...x, field: 'high' }, text: { field: 'mean', format: '.2f' } },
      },
      {
        data: { values: [{ teacher: results.teacher.accuracy * 100 }] },
        mark: { type: 'rule', strokeDash: [6, 4], color: '#444' },
        encoding: { x: { ...x, field: 'teacher' } },
      },
    ],
  };
}
