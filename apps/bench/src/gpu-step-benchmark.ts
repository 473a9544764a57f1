import './register-gradients';
import { registerWebGpuTrainingKernels, unregisterWebGpuTrainingKernels } from '@geokd/backend';
import { createModel, type FeatureModel } from '@geokd/models';
import type { OptimizerOptions } from '@geokd/trainer';
import * as tf from '@tensorflow/tfjs-core';
import { createDistillationStep } from './distillation-step';
import { getMethod } from './registry';

/** One step to time: geokd's training step of a student (with a teacher and a method), or a forward pass. */
export interface GpuStepCase {
  /** Label printed in the table. */
  label: string;
  /** `train`: the trainer's step (forward, backward, update, loss read); `inference`: one evaluation forward pass and its read. */
  mode: 'train' | 'inference';
  /** Model name for `createModel` (the student, or the model of an inference case), e.g. `'wrn-28-0.5'`. */
  model: string;
  /** Teacher model name; needed by every method but `baseline`. */
  teacher?: string;
  /** Method of the bench registry (`baseline` is the plain step without teacher). @default 'baseline' */
  method?: string;
  /** Batch size. */
  batchSize: number;
  /** Feature taps of the feature losses. @default every tap the two models share */
  taps?: readonly string[];
  /** Loss weights by loss name (e.g. `{ gkd: 25 }`). */
  lossWeights?: Readonly<Record<string, number>>;
  /** Optimiser of the step. @default SGD, learning rate 0.01 */
  optimizer?: OptimizerOptions;
}

/** Which kernels run a case: tfjs's stock webgpu kernels, or @geokd/backend's on top of them. */
export type GpuKernelSet = 'geokd' | 'stock';

/** Options of {@link runGpuStepBenchmark}. */
export interface GpuStepBenchmarkOptions {
  /** The steps to time, in order (rows are printed as they finish). */
  cases: readonly GpuStepCase[];
  /** Kernel sets to time each case with (webgpu only; other backends time each case once). @default ['geokd', 'stock'] */
  kernels?: readonly GpuKernelSet[];
  /** Timed steps (median reported). @default 10 */
  steps?: number;
  /** Untimed warm-up steps (shader compilation, memory pools). @default 3 */
  warmup?: number;
  /** Receives each row as soon as it is measured. */
  onRow?: (row: GpuStepRow) => void;
}

/** The measurement of one case with one kernel set. */
export interface GpuStepRow {
  /** The case's label. */
  label: string;
  /** Batch size. */
  batchSize: number;
  /** Kernel set (`backend` on a backend other than webgpu). */
  kernels: GpuKernelSet | 'backend';
  /** Median ms per step (each ending with its one read), NaN when the case failed. */
  msPerStep: number;
  /** Loss of the last step (train cases). */
  loss?: number;
  /** Kernels one step runs through the engine, without the ones that dispatch nothing (Identity, Reshape, Cast to the same dtype). */
  kernelsPerStep?: number;
  /** GPU programs one step dispatches (webgpu: calls of the backend's `runWebGPUProgram`). */
  programsPerStep?: number;
  /** Why the case failed. */
  error?: string;
}

interface Counts {
  kernels: number;
  programs: number | undefined;
}

type RunKernel = (name: string, inputs: tf.NamedTensorMap, attrs?: tf.NamedAttrMap) => unknown;
type RunProgram = (...args: unknown[]) => unknown;

/**
 * Runs `run` once while counting the kernels it runs through the engine (those that dispatch
 * work: not Identity, Reshape or a Cast to the same dtype) and, on webgpu, the GPU programs it
 * dispatches. The counts are deterministic for a given step, unlike its time.
 */
export async function countStepKernels(run: () => Promise<unknown>): Promise<Counts> {
  const engine = tf.engine() as unknown as { runKernel: RunKernel };
  const backend = tf.backend() as unknown as { runWebGPUProgram?: RunProgram };
  const originalKernel = engine.runKernel;
  const originalProgram = backend.runWebGPUProgram;
  const counts: Counts = { kernels: 0, programs: originalProgram ? 0 : undefined };
  engine.runKernel = function (this: unknown, name, inputs, attrs) {
    const input = Object.values(inputs ?? {})[0] as tf.Tensor | undefined;
    const sameDtypeCast = name === 'Cast' && input?.dtype === (attrs as { dtype?: string })?.dtype;
    if (name !== 'Identity' && name !== 'Reshape' && !sameDtypeCast) counts.kernels += 1;
    return originalKernel.call(this, name, inputs, attrs);
  };
  if (originalProgram) {
    backend.runWebGPUProgram = function (this: unknown, ...args: unknown[]) {
      counts.programs = (counts.programs ?? 0) + 1;
      return originalProgram.apply(this, args);
    };
  }
  try {
    await run();
  } finally {
    engine.runKernel = originalKernel;
    if (originalProgram) {
      // Remove the own property: the prototype's method is back.
      delete backend.runWebGPUProgram;
      if (backend.runWebGPUProgram !== originalProgram) backend.runWebGPUProgram = originalProgram;
    }
  }
  return counts;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function sharedTaps(student: FeatureModel, teacher: FeatureModel | undefined): string[] {
  if (teacher === undefined) return [];
  return student.featureNames.filter((name) => teacher.featureNames.includes(name));
}

/** Builds the timed function of a case and what frees it. */
function prepareCase(
  benchCase: GpuStepCase,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
): { run: () => Promise<number | undefined>; dispose: () => void } {
  const model = createModel(benchCase.model, { numClasses: 10, seed: 1 });
  const method = benchCase.method ?? 'baseline';
  if (benchCase.mode === 'inference') {
    return {
      run: async () => {
        const logits = tf.tidy(() => model.apply(x, { training: false }).logits);
        await logits.data();
        logits.dispose();
        return undefined;
      },
      dispose: () => model.dispose(),
    };
  }
  const teacher =
    benchCase.teacher === undefined
      ? undefined
      : createModel(benchCase.teacher, { numClasses: 10, seed: 0 });
  const disposeModels = () => {
    model.dispose();
    teacher?.dispose();
  };
  try {
    const terms =
      method === 'baseline'
        ? []
        : getMethod(method).terms({
            taps: benchCase.taps ?? sharedTaps(model, teacher),
            batchSize: benchCase.batchSize,
            ...(benchCase.lossWeights ? { lossWeights: benchCase.lossWeights } : {}),
          });
    const learningRate = benchCase.optimizer?.learningRate ?? 0.01;
    const step = createDistillationStep(
      model,
      teacher,
      terms,
      learningRate,
      benchCase.optimizer ?? { type: 'sgd', learningRate },
    );
    return {
      run: () => step.run(x, y),
      dispose: () => {
        step.dispose();
        disposeModels();
      },
    };
  } catch (error) {
    disposeModels();
    throw error;
  }
}

async function measureCase(
  benchCase: GpuStepCase,
  kernels: GpuStepRow['kernels'],
  steps: number,
  warmup: number,
): Promise<GpuStepRow> {
  const row: GpuStepRow = {
    label: benchCase.label,
    batchSize: benchCase.batchSize,
    kernels,
    msPerStep: Number.NaN,
  };
  const x = tf.randomUniform([benchCase.batchSize, 32, 32, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
  const y = tf.tensor1d(
    Array.from({ length: benchCase.batchSize }, (_, index) => index % 10),
    'int32',
  );
  let prepared: ReturnType<typeof prepareCase> | undefined;
  try {
    prepared = prepareCase(benchCase, x, y);
    let loss: number | undefined;
    for (let i = 0; i < warmup; i++) loss = await prepared.run();
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const start = performance.now();
      loss = await prepared.run();
      times.push(performance.now() - start);
    }
    row.msPerStep = median(times);
    if (loss !== undefined) row.loss = loss;
    const run = prepared.run;
    const counts = await countStepKernels(() => run());
    row.kernelsPerStep = counts.kernels;
    if (counts.programs !== undefined) row.programsPerStep = counts.programs;
  } catch (error) {
    row.error = error instanceof Error ? error.message.split('\n')[0]! : String(error);
  } finally {
    prepared?.dispose();
    tf.dispose([x, y]);
  }
  return row;
}

/**
 * Times geokd's own training steps (the trainer's `createTrainingStep` with @geokd/models' nets
 * and @geokd/kd-losses' losses, as `distill` runs them) on the active backend: on webgpu once
 * with @geokd/backend's training kernels and once with tfjs's stock kernels; counts the kernels
 * and (webgpu) GPU programs of one step. A failing case gives a row with `error`, and the others
 * still run. Leaves @geokd/backend's kernels registered.
 *
 * @example
 * ```ts
 * const rows = await runGpuStepBenchmark({
 *   cases: [{ label: 'GKD', mode: 'train', model: 'wrn-28-0.5', teacher: 'wrn-28-1', method: 'gkd-dense', batchSize: 128 }],
 *   onRow: (row) => console.log(row),
 * });
 * ```
 */
export async function runGpuStepBenchmark(options: GpuStepBenchmarkOptions): Promise<GpuStepRow[]> {
  const webgpu = tf.getBackend() === 'webgpu';
  const kernelSets: GpuStepRow['kernels'][] = webgpu
    ? [...(options.kernels ?? ['geokd', 'stock'])]
    : ['backend'];
  const rows: GpuStepRow[] = [];
  try {
    for (const benchCase of options.cases) {
      for (const kernels of kernelSets) {
        if (kernels === 'stock') unregisterWebGpuTrainingKernels();
        if (kernels === 'geokd') registerWebGpuTrainingKernels();
        const row = await measureCase(benchCase, kernels, options.steps ?? 10, options.warmup ?? 3);
        rows.push(row);
        options.onRow?.(row);
      }
    }
  } finally {
    if (webgpu) registerWebGpuTrainingKernels();
  }
  return rows;
}
