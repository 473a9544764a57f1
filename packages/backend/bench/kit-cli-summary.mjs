// Device kit: summarises a `geokd-bench run` (results.json) of the paper-cifar10 preset on
// synthetic data: seconds of each run's epoch, ms per step, and the full protocol projected from
// them (200 epochs × 390 steps of batch 128 on CIFAR-10, 10 seeds). These per-step times are
// upper bounds: each run's time includes its first steps' shader compilation, its evaluation and
// (first seed) its heatmap snapshot. The step benchmark (gpu-step-bench.mjs) gives the steady pace.
//   node kit-cli-summary.mjs results.json [wall seconds of the whole command]
import { readFileSync } from 'node:fs';

const [file, wall] = process.argv.slice(2);
const results = JSON.parse(readFileSync(file, 'utf8'));
const { spec } = results;
const batch = spec.studentTraining.batchSize;
const trainSize = spec.data.trainSize ?? 50_000;
const maxSteps = spec.studentTraining.maxSteps ?? Number.POSITIVE_INFINITY;
const stepsPerEpoch = Math.min(Math.floor(trainSize / batch), maxSteps);
const epochs = spec.studentTraining.epochs;
const full = { epochs: 200, stepsPerEpoch: Math.floor(50_000 / 128), seeds: 10 };
const fmt = (s) =>
  s >= 3600 ? `${(s / 3600).toFixed(1)} h` : s >= 60 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(1)} s`;

console.log(
  `geokd-bench run: preset ${results.preset} on ${results.backend} ${results.backendDetails?.version ?? ''}, data ${spec.data.kind} (${trainSize} train / ${spec.data.testSize ?? '?'} test), batch ${batch}, ${epochs} epoch(s) of ${stepsPerEpoch} steps, seeds ${spec.seeds.join(',')}${wall ? `, whole command ${wall} s` : ''}, total ${(results.totalDurationMs / 1000).toFixed(1)} s`,
);
console.log('| run | test acc | seconds (all epochs) | ms/step (upper bound) | projected 200-epoch run |');
console.log('|---|---:|---:|---:|---:|');
const perStep = (ms) => ms / (epochs * stepsPerEpoch);
const teacher = results.teacher;
// A cached teacher (a second attempt of run.sh's part 3) keeps the time of its training.
const teacherMs = perStep(teacher.durationMs);
{
  console.log(
    `| teacher ${teacher.model}${teacher.cached ? ' (cached)' : ''} | ${(teacher.accuracy * 100).toFixed(1)} % | ${(teacher.durationMs / 1000).toFixed(1)} | ${teacherMs.toFixed(0)} | ${fmt((teacherMs * full.epochs * full.stepsPerEpoch) / 1000)} |`,
  );
}
const byMethod = new Map();
for (const run of results.runs) {
  const ms = perStep(run.durationMs);
  if (!byMethod.has(run.method)) byMethod.set(run.method, ms);
  console.log(
    `| ${run.method} (seed ${run.seed}) | ${(run.accuracy * 100).toFixed(1)} % | ${(run.durationMs / 1000).toFixed(1)} | ${ms.toFixed(0)} | ${fmt((ms * full.epochs * full.stepsPerEpoch) / 1000)} |`,
  );
}
const studentMs = [...byMethod.values()].reduce((a, b) => a + b, 0);
const total = (full.epochs * full.stepsPerEpoch * (teacherMs + full.seeds * studentMs)) / 1000;
console.log(
  `Projected full protocol from these runs (${full.epochs} epochs × ${full.stepsPerEpoch} steps, teacher once + ${full.seeds} seeds × ${byMethod.size} methods: ${[...byMethod.keys()].join(', ')}; upper bound): ${fmt(total)}`,
);
