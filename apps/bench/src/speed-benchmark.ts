import './register-gradients';
import fs from 'node:fs';
import path from 'node:path';
import { initBackend } from '@geokd/backend';
import { similarityGraph } from '@geokd/graph-construction';
import { createModel } from '@geokd/models';
import * as tf from '@tensorflow/tfjs-core';
import type { BenchSpec } from './bench-spec';
import { createDistillationStep } from './distillation-step';
import { machineInfo } from './machine-info';
import { getMethod } from './registry';
import type { BackendDetails, MachineInfo } from './results-schema';

/** Options of {@link runSpeedBenchmark}. */
export interface SpeedBenchmarkOptions {
  /** Spec whose teacher, student, taps, batch size and methods are timed. */
  spec: BenchSpec;
  /** Timed steps per method (at least; more until 0.5 s has passed), after two warm-up steps. @default 5 */
  steps?: number;
  /** Feature widths D of the graph construction benchmark. @default [64, 512, 4096, 16384] */
  widths?: number[];
  /** Batch sizes B of the graph construction benchmark. @default [64, 128, 256] */
  batchSizes?: number[];
  /** Report on a PyTorch comparison (none exists yet: the report says so). @default true */
  pytorch?: boolean;
  /** Output folder (speed.json, speed.md). */
  outDir: string;
  /** Where the tables are printed. @default console.log */
  log?: (line: string) => void;
}

/** Timing of one method's training step. */
export interface StepTiming {
  /** Method name (`plain student` for the step without teacher). */
  method: string;
  /** Mean ms per step. */
  ms: number;
  /** ms divided by the plain student step's ms, measured in the same run. */
  ratio: number;
}

/** Timing of one similarity graph size. */
export interface GraphTiming {
  /** Batch size B. */
  batchSize: number;
  /** Feature width D. */
  width: number;
  /** ms per graph, forward only. */
  forwardMs: number;
  /** ms per graph, forward and gradient with respect to the features. */
  backwardMs: number;
  /** Graphs per second, forward only. */
  graphsPerSecond: number;
}

/** Everything speed.json holds. */
export interface SpeedResults {
  /** Preset whose models were timed. */
  preset: string;
  /** Backend name. */
  backend: string;
  /** Backend details. */
  backendDetails: BackendDetails;
  /** The machine. */
  machine: MachineInfo;
  /** ISO date. */
  date: string;
  /** Models, batch size and steps of the step timings. */
  setup: { teacher: string; student: string; batchSize: number; steps: number; taps: string[] };
  /** ms of the teacher's inference forward pass alone (part of every distillation step). */
  teacherForwardMs: number;
  /** Per-method step timings, the plain student step first. */
  steps: StepTiming[];
  /** Graph construction throughput. */
  graphs: GraphTiming[];
  /** The PyTorch comparison from @geokd/backend, or why it is absent. */
  pytorch: { available: boolean; reason?: string; result?: unknown };
}

async function timeIt(run: () => unknown, minimumRuns: number, minimumMs: number): Promise<number> {
  await run(); // warm-up (twice): kernel compilation, memory pools
  await run();
  let runs = 0;
  const started = performance.now();
  while (runs < minimumRuns || performance.now() - started < minimumMs) {
    await run();
    runs += 1;
    if (runs >= 50) break;
  }
  return (performance.now() - started) / runs;
}

/**
 * Measures ms per distillation step of each method against the plain student step, the
 * similarity graph's throughput for several batch sizes and widths, and (when available)
 * @geokd/backend's PyTorch comparison. Writes speed.json and speed.md.
 */
export async function runSpeedBenchmark(options: SpeedBenchmarkOptions): Promise<SpeedResults> {
  const { spec } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  if (spec.backend !== undefined) process.env.GEOKD_BACKEND = spec.backend;
  const info = await initBackend({ quiet: true });
  const backendDetails: BackendDetails = {
    name: info.name,
    version: info.version,
    threads: info.threads,
    simd: info.simd,
    ...(info.fallbackReason ? { fallbackReason: info.fallbackReason } : {}),
  };
  const stepsPerMethod = options.steps ?? 5;
  const batchSize = spec.studentTraining.batchSize;
  const teacher = createModel(spec.teacher.name, { ...spec.teacher.options, seed: 0 });
  const student = createModel(spec.student.name, { ...spec.student.options, seed: 1 });
  const teacherName = teacher.name;
  const studentName = student.name;
  const taps =
    spec.taps.length > 0
      ? spec.taps
      : student.featureNames.filter((name) => teacher.featureNames.includes(name));
  const [height, width, channels] = student.inputShape;
  const x = tf.randomUniform(
    [batchSize, height, width, channels],
    0,
    1,
    'float32',
    7,
  ) as tf.Tensor4D;
  const y = tf.tensor1d(
    Array.from({ length: batchSize }, (_, index) => index % student.numClasses),
    'int32',
  );

  const timings: { method: string; ms: number }[] = [];
  const timeStep = async (
    method: string,
    terms: ReturnType<ReturnType<typeof getMethod>['terms']>,
  ) => {
    const step = createDistillationStep(student, teacher, terms);
    try {
      const ms = await timeIt(() => step.run(x, y), stepsPerMethod, 500);
      timings.push({ method, ms });
      log(`  ${method}: ${ms.toFixed(1)} ms/step`);
    } finally {
      step.dispose();
    }
  };
  log(
    `speed: ${studentName} student, ${teacherName} teacher, batch ${batchSize}, ${backendDetails.name}`,
  );
  await timeStep('plain student', []);
  for (const name of spec.methods) {
    if (name === 'baseline') continue;
    const terms = getMethod(name).terms({
      taps,
      batchSize,
      ...(spec.lossWeights ? { lossWeights: spec.lossWeights } : {}),
    });
    await timeStep(name, terms);
  }
  const teacherForwardMs = await timeIt(
    async () => {
      const logits = tf.tidy(() => teacher.apply(x, { training: false }).logits);
      await logits.data();
      logits.dispose();
    },
    stepsPerMethod,
    200,
  );
  log(`  teacher forward (inference): ${teacherForwardMs.toFixed(1)} ms`);
  const plain = timings[0]!.ms;
  const steps = timings.map((timing) => ({ ...timing, ratio: timing.ms / plain }));
  x.dispose();
  y.dispose();
  teacher.dispose();
  student.dispose();

  const graphs: GraphTiming[] = [];
  for (const b of options.batchSizes ?? [64, 128, 256]) {
    for (const d of options.widths ?? [64, 512, 4096, 16384]) {
      const features = tf.randomNormal([b, d], 0, 1, 'float32', 3) as tf.Tensor2D;
      const gradient = tf.grad((input: tf.Tensor) => tf.sum(tf.square(similarityGraph(input))));
      const forwardMs = await timeIt(
        async () => {
          const graph = similarityGraph(features);
          await graph.data();
          graph.dispose();
        },
        3,
        200,
      );
      const backwardMs = await timeIt(
        async () => {
          const grad = gradient(features);
          await grad.data();
          grad.dispose();
        },
        3,
        200,
      );
      features.dispose();
      graphs.push({
        batchSize: b,
        width: d,
        forwardMs,
        backwardMs,
        graphsPerSecond: 1000 / forwardMs,
      });
      log(
        `  graph B=${b} D=${d}: ${forwardMs.toFixed(2)} ms forward, ${backwardMs.toFixed(2)} ms with gradient`,
      );
    }
  }

  const pytorch = pytorchComparison(options.pytorch ?? true);
  const results: SpeedResults = {
    preset: spec.preset,
    backend: backendDetails.name,
    backendDetails,
    machine: machineInfo(),
    date: new Date().toISOString(),
    setup: {
      teacher: teacherName,
      student: studentName,
      batchSize,
      steps: stepsPerMethod,
      taps,
    },
    teacherForwardMs,
    steps,
    graphs,
    pytorch,
  };
  fs.mkdirSync(options.outDir, { recursive: true });
  const table = speedTable(results);
  fs.writeFileSync(
    path.join(options.outDir, 'speed.json'),
    `${JSON.stringify(results, null, 2)}\n`,
  );
  fs.writeFileSync(path.join(options.outDir, 'speed.md'), table);
  log(table);
  log(`wrote ${path.join(options.outDir, 'speed.json')} and speed.md`);
  return results;
}

function pytorchComparison(enabled: boolean): SpeedResults['pytorch'] {
  if (!enabled) return { available: false, reason: 'skipped (--no-pytorch)' };
  // No package of geokd implements a PyTorch comparison yet; say so rather than look for one.
  return { available: false, reason: 'geokd has no PyTorch comparison yet' };
}

/** The speed results as Markdown tables. */
export function speedTable(results: SpeedResults): string {
  const lines = [
    `## geokd bench speed (${results.date})`,
    '',
    `- Backend: ${results.backendDetails.name} ${results.backendDetails.version} (${results.backendDetails.threads} thread(s)${results.backendDetails.simd ? ', SIMD' : ''})`,
    `- Machine: ${results.machine.cpuModel}, ${results.machine.cores} cores, Node ${results.machine.node}`,
    `- Step: student ${results.setup.student}, teacher ${results.setup.teacher}, batch ${results.setup.batchSize}, taps ${results.setup.taps.join(', ')}, mean over at least ${results.setup.steps} steps (and 0.5 s) after two warm-up steps`,
    '',
    '| Method | ms / step | × plain student step |',
    '|---|---:|---:|',
    ...results.steps.map(
      (step) => `| ${step.method} | ${step.ms.toFixed(1)} | ${step.ratio.toFixed(2)} |`,
    ),
    '',
    `Teacher forward (inference) alone: ${results.teacherForwardMs.toFixed(1)} ms per batch; it is part of every distillation step.`,
    '',
    '| B | D | graph forward (ms) | forward + gradient (ms) | graphs / s |',
    '|---:|---:|---:|---:|---:|',
    ...results.graphs.map(
      (graph) =>
        `| ${graph.batchSize} | ${graph.width} | ${graph.forwardMs.toFixed(2)} | ${graph.backwardMs.toFixed(2)} | ${graph.graphsPerSecond.toFixed(1)} |`,
    ),
    '',
    results.pytorch.available
      ? `PyTorch comparison (@geokd/backend): ${JSON.stringify(results.pytorch.result)}`
      : `PyTorch comparison: not available (${results.pytorch.reason}).`,
    '',
  ];
  return lines.join('\n');
}
