/**
 * Entry point of the GPU step benchmark (bundled into the device kit by
 * packages/backend/bench/make-device-kit.sh; not part of the CLI). Times geokd's own training
 * steps on webgpu with @geokd/backend's kernels and with tfjs's stock ones, counts kernels and GPU
 * programs per step, and projects the paper-cifar10 protocol from the measured steps. Prints each
 * row as soon as it is measured, so a run cut short by a timeout still leaves numbers.
 *
 *   node gpu-step-bench.mjs [--part=core|methods|all] [--steps=10] [--warmup=3]
 *     [--kernels=geokd,stock] [--backend=webgpu] [--allow-software] [--smoke] [--batch=N]
 *
 * `core`: the WRN-16-1 plain step (batch 64) and the GKD step (WRN-28-1 → WRN-28-0.5, batch 128,
 * the preset's taps and λ) with both kernel sets. `methods`: with geokd's kernels only, the
 * teacher's step, every method of the preset and the evaluation passes, then the projection.
 * `--smoke`: WRN-10 nets, batch 2, one timed step, software adapters allowed (checks the script
 * end to end; its times mean nothing). `--batch=N`: every step at batch N instead (kernel and
 * program counts do not depend on the batch, so a software adapter can count the full-size nets).
 */
import { initBackend } from '@geokd/backend';
import type { OptimizerOptions } from '@geokd/trainer';
import * as tf from '@tensorflow/tfjs-core';
import {
  type GpuKernelSet,
  type GpuStepCase,
  type GpuStepRow,
  runGpuStepBenchmark,
} from './gpu-step-benchmark';
import { getPreset } from './presets';
import { formatSeconds, projectProtocol } from './protocol-projection';

/** CIFAR-10's sizes, which the paper-cifar10 preset reads from its files. */
const CIFAR10_TRAIN = 50_000;
const CIFAR10_TEST = 10_000;
/** The trainer's default evaluation batch. */
const EVAL_BATCH = 256;

const args = new Map(
  process.argv.slice(2).map((arg) => {
    const [key, value] = arg.replace(/^--/, '').split('=');
    return [key!, value ?? 'true'] as const;
  }),
);
const smoke = args.has('smoke');
const part = args.get('part') ?? 'all';
const steps = Number(args.get('steps') ?? (smoke ? 1 : 10));
const warmup = Number(args.get('warmup') ?? (smoke ? 1 : 3));
const kernels = (args.get('kernels') ?? 'geokd,stock').split(',') as GpuKernelSet[];
const backend = args.get('backend') ?? 'webgpu';

const preset = getPreset('paper-cifar10');
const teacherName = smoke ? 'wrn-10-1' : preset.teacher.name;
const studentName = smoke ? 'wrn-10-0.5' : preset.student.name;
const plainName = smoke ? 'wrn-10-1' : 'wrn-16-1';
const batchOverride = args.has('batch') ? Number(args.get('batch')) : undefined;
if (batchOverride !== undefined && !(Number.isInteger(batchOverride) && batchOverride >= 1)) {
  throw new Error(`--batch must be an integer >= 1, received ${args.get('batch')}`);
}
const batch = batchOverride ?? (smoke ? 2 : preset.studentTraining.batchSize);
const plainBatch = batchOverride ?? (smoke ? 2 : 64);
const evalBatch = batchOverride ?? (smoke ? 2 : EVAL_BATCH);
const optimizer = preset.studentTraining.optimizer as unknown as OptimizerOptions;
const distillation = {
  model: studentName,
  teacher: teacherName,
  batchSize: batch,
  taps: preset.taps,
  ...(preset.lossWeights ? { lossWeights: preset.lossWeights } : {}),
  optimizer,
};

const info = await initBackend({
  prefer: [backend as 'webgpu'],
  quiet: true,
  allowSoftwareAdapter: smoke || args.has('allow-software'),
});
const adapter = info.adapter
  ? `, adapter ${info.adapter.vendor} ${info.adapter.description}${info.adapter.software ? ' (software)' : ''}`
  : '';
console.log(
  `geokd step benchmark: ${info.name} ${info.version}${adapter}, tfjs ${tf.version_core}, median of ${steps} steps after ${warmup} warm-up${smoke ? ', SMOKE sizes (times mean nothing)' : ''}`,
);

const header =
  '| step (geokd trainer) | batch | kernels | ms/step | kernels/step | GPU programs/step | loss |';
const line = (row: GpuStepRow) =>
  row.error !== undefined
    ? `| ${row.label} | ${row.batchSize} | ${row.kernels} | failed: ${row.error} | | | |`
    : `| ${row.label} | ${row.batchSize} | ${row.kernels} | ${row.msPerStep.toFixed(1)} | ${row.kernelsPerStep ?? ''} | ${row.programsPerStep ?? 'n/a'} | ${row.loss?.toFixed(3) ?? ''} |`;
const onRow = (row: GpuStepRow) => console.log(line(row));
const rows: GpuStepRow[] = [];
const gkdLabel = `GKD step (${teacherName} → ${studentName}, gkd-dense)`;

if (part === 'core' || part === 'all') {
  console.log(`\n${header}\n|---|---:|---|---:|---:|---:|---:|`);
  const cases: GpuStepCase[] = [
    {
      label: `${plainName} plain step`,
      mode: 'train',
      model: plainName,
      batchSize: plainBatch,
      optimizer,
    },
    { label: gkdLabel, mode: 'train', method: 'gkd-dense', ...distillation },
  ];
  rows.push(...(await runGpuStepBenchmark({ cases, kernels, steps, warmup, onRow })));
  const pick = (label: string, set: string) =>
    rows.find((row) => row.label === label && row.kernels === set && row.error === undefined);
  for (const benchCase of cases) {
    const stock = pick(benchCase.label, 'stock');
    const ours = pick(benchCase.label, 'geokd');
    if (stock && ours) {
      console.log(
        `  ${benchCase.label}: stock / geokd = ${(stock.msPerStep / ours.msPerStep).toFixed(2)}×, GPU programs ${stock.programsPerStep ?? '?'} → ${ours.programsPerStep ?? '?'}, ms per program (geokd) ${ours.programsPerStep ? (ours.msPerStep / ours.programsPerStep).toFixed(3) : 'n/a'}`,
      );
    }
  }
}

if (part === 'methods' || part === 'all') {
  const ours: GpuKernelSet[] = kernels.includes('geokd') ? ['geokd'] : [kernels[0]!];
  console.log(
    `\nEvery method of paper-cifar10 (geokd kernels), batch ${batch}, for the projection:\n${header}\n|---|---:|---|---:|---:|---:|---:|`,
  );
  const methods = preset.methods.filter(
    (method) => method !== 'gkd-dense' || !rows.some((row) => row.label === gkdLabel),
  );
  const cases: GpuStepCase[] = [
    {
      label: `teacher ${teacherName} step`,
      mode: 'train',
      model: teacherName,
      batchSize: batch,
      optimizer,
    },
    ...methods.map(
      (method): GpuStepCase => ({
        label: method === 'gkd-dense' ? gkdLabel : `${studentName} ${method}`,
        mode: 'train',
        method,
        ...distillation,
      }),
    ),
    {
      label: `teacher ${teacherName} eval`,
      mode: 'inference',
      model: teacherName,
      batchSize: evalBatch,
    },
    {
      label: `student ${studentName} eval`,
      mode: 'inference',
      model: studentName,
      batchSize: evalBatch,
    },
  ];
  rows.push(...(await runGpuStepBenchmark({ cases, kernels: ours, steps, warmup, onRow })));
  const ms = (label: string) =>
    rows.find((row) => row.label === label && row.kernels !== 'stock')?.msPerStep ?? Number.NaN;
  const measured = preset.methods.map(
    (method) =>
      [method, ms(method === 'gkd-dense' ? gkdLabel : `${studentName} ${method}`)] as const,
  );
  // A failed method (no time) is left out of the total, and the total says so.
  const methodStepMs = Object.fromEntries(measured.filter(([, value]) => Number.isFinite(value)));
  const missing = measured.filter(([, value]) => !Number.isFinite(value)).map(([method]) => method);
  const size = {
    epochs: preset.studentTraining.epochs,
    stepsPerEpoch: Math.floor(CIFAR10_TRAIN / preset.studentTraining.batchSize),
    evalBatchesPerEpoch: Math.ceil(CIFAR10_TEST / EVAL_BATCH),
    seeds: preset.seeds.length,
  };
  const projection = projectProtocol(size, {
    teacherStepMs: ms(`teacher ${teacherName} step`),
    teacherEvalMs: ms(`teacher ${teacherName} eval`),
    studentEvalMs: ms(`student ${studentName} eval`),
    methodStepMs,
  });
  console.log(
    `\nProjected paper-cifar10 protocol on this backend from these step times (${size.epochs} epochs × ${size.stepsPerEpoch} steps of batch ${preset.studentTraining.batchSize} + ${size.evalBatchesPerEpoch} eval batches of ${EVAL_BATCH}; teacher once; ${size.seeds} seeds × ${preset.methods.length} methods; data loading not counted)${smoke ? ' — SMOKE step times, meaningless' : ''}:`,
  );
  console.log('| run | one epoch | one run (all epochs) |\n|---|---:|---:|');
  console.log(
    `| teacher ${teacherName} | ${formatSeconds(projection.teacherSeconds / size.epochs)} | ${formatSeconds(projection.teacherSeconds)} |`,
  );
  for (const method of preset.methods) {
    const epoch = projection.epochSeconds[method];
    const run = projection.runSeconds[method];
    console.log(
      `| ${method} | ${epoch === undefined ? 'failed' : formatSeconds(epoch)} | ${run === undefined ? 'failed' : formatSeconds(run)} |`,
    );
  }
  const without = missing.length > 0 ? `, WITHOUT ${missing.join(', ')} (failed)` : '';
  console.log(
    `| **whole protocol** (teacher + ${size.seeds} seeds × ${Object.keys(methodStepMs).length} methods${without}) | | **${formatSeconds(projection.totalSeconds)}** |`,
  );
}
// Exit now rather than wait for the GPU device and thread pools to wind down.
process.exit(0);
