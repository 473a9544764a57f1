import type { TopLevelSpec } from 'vega-lite';
import type { BenchResults } from './results-schema';

/** Test accuracy after each epoch, mean over seeds, one line per method (plus the teacher). */
export function learningCurvesChartSpec(results: BenchResults): TopLevelSpec {
  const points: { method: string; epoch: number; accuracy: number; seed: number }[] = [];
  for (const run of results.runs) {
    for (const record of run.history) {
      if (record.testAccuracy === undefined) continue;
      points.push({
        method: run.method,
        epoch: record.epoch,
        accuracy: record.testAccuracy * 100,
        seed: run.seed,
      });
    }
  }
  for (const record of results.teacher.history) {
    if (record.testAccuracy === undefined) continue;
    points.push({
      method: 'teacher',
      epoch: record.epoch,
      accuracy: record.testAccuracy * 100,
      seed: 0,
    });
  }
  const order = ['teacher', ...results.summary.map((row) => row.method)];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Learning curves: test accuracy after each epoch',
      subtitle: `mean over seeds, band: ±1 std over seeds · preset ${results.preset}`,
    },
    width: 560,
    height: 300,
    padding: 10,
    config: { font: 'DejaVu Sans' },
    data: { values: points },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1 }, title: 'epoch' },
      color: {
        field: 'method',
        type: 'nominal',
        sort: order,
        scale: { scheme: 'tableau10' },
        // Below the plot, in columns, never truncated: method names like 'rkd-distance' fit.
        legend: {
          symbolOpacity: 1,
          symbolType: 'stroke',
          orient: 'bottom',
          direction: 'horizontal',
          columns: 4,
          labelLimit: 0,
          title: null,
        },
      },
    },
    layer: [
      {
        mark: { type: 'errorband', extent: 'stdev', opacity: 0.15 },
        encoding: {
          y: {
            field: 'accuracy',
            type: 'quantitative',
            title: 'test accuracy (%)',
            scale: { zero: false },
          },
        },
      },
      {
        mark: { type: 'line', point: true },
        encoding: { y: { aggregate: 'mean', field: 'accuracy', type: 'quantitative' } },
      },
    ],
  };
}
