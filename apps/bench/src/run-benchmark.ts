import './register-gradients';
import fs from 'node:fs';
import path from 'node:path';
import { initBackend } from '@geokd/backend';
import { InvalidArgumentError } from '@geokd/errors';
import {
  countMacs,
  countParameters,
  createModel,
  type FeatureModel,
  loadModelWeights,
  saveModelWeights,
} from '@geokd/models';
import { distill, trainTeacher } from '@geokd/trainer';
import type * as tf from '@tensorflow/tfjs-core';
import { accuracyChartSpec } from './accuracy-chart';
import type { BenchSpec } from './bench-spec';
import { toEpochRecords } from './history-records';
import { learningCurvesChartSpec } from './learning-curves-chart';
import { type BenchData, loadBenchData } from './load-bench-data';
import { machineInfo } from './machine-info';
import { markdownTable } from './markdown-table';
import { ProgressDisplay, type TextSink } from './progress-display';
import { getMethod, isGkdMethod, type LossTermSpec } from './registry';
import { type RenderedChart, renderChart } from './render-chart';
import type { BackendDetails, BenchResults, RunResult, TeacherResult } from './results-schema';
import { type SimilarityPanel, similarityHeatmapChartSpec } from './similarity-heatmap-chart';
import { similaritySnapshot } from './similarity-snapshot';
import { sortByLabel, stratifiedIndices } from './stratified-indices';
import { bestEpochOf, primaryComparisons, summarizeRuns, verdict } from './summarize-runs';
import { datasetHash, TeacherCache, teacherCacheKey } from './teacher-cache';
import { ensureWritableDir } from './writable-dir';

/** Options of {@link runBenchmark}. */
export interface RunBenchmarkOptions {
  /** The resolved run spec. */
  spec: BenchSpec;
  /** Folder of the outputs (created). */
  outDir: string;
  /** Folder of the teacher cache. */
  cacheDir: string;
  /** Where the table and messages are printed. @default console.log */
  log?: (line: string) => void;
  /** Where the progress display writes. @default process.stderr */
  progressSink?: TextSink;
}

/** What {@link runBenchmark} wrote. */
export interface BenchOutputs {
  /** Everything results.json holds. */
  results: BenchResults;
  /** The Markdown table (also in `table.md`). */
  table: string;
  /** Paths of the files written. */
  files: { results: string; table: string; graphs: string; charts: RenderedChart[] };
}

/** Seed of the teacher's initialisation and data order (the teacher is shared by every run). */
export const TEACHER_SEED = 0;

function numberOf(value: unknown): number {
  if (typeof value === 'number') return value;
  const record = value as { trainable?: number; total?: number };
  return record.trainable ?? record.total ?? Number.NaN;
}

function budgetOf(model: FeatureModel): { params: number; macs: number } {
  return {
    params: numberOf(countParameters(model)),
    macs: numberOf(countMacs(model, model.inputShape)),
  };
}

function resolveTaps(spec: BenchSpec, teacher: FeatureModel, student: FeatureModel): string[] {
  const taps =
    spec.taps.length > 0
      ? spec.taps
      : student.featureNames.filter((name) => teacher.featureNames.includes(name));
  for (const tap of taps) {
    for (const [role, model] of [
      ['teacher', teacher],
      ['student', student],
    ] as const) {
      if (!model.featureNames.includes(tap)) {
        throw new InvalidArgumentError({
          functionName: 'geokd-bench',
          argument: 'taps',
          expected: `taps of the ${role} ${model.name} (${model.featureNames.join(', ')})`,
          received: `'${tap}'`,
        });
      }
    }
  }
  return [...taps];
}

/**
 * The data handed to the trainer. With `maxSteps`, the training set is cut to `maxSteps`
 * batches (the trainer drops the last incomplete batch), so every epoch stops after that many
 * steps.
 */
function trainerData(
  training: BenchSpec['teacherTraining'],
  train: BenchData['train'],
  test: BenchData['test'],
): Pick<BenchData, 'train' | 'test'> {
  if (training.maxSteps === undefined) return { train, test };
  const keep = Math.min(train.count, training.maxSteps * training.batchSize);
  if (keep >= train.count) return { train, test };
  return { train: train.subset(Array.from({ length: keep }, (_, index) => index)), test };
}

/** The part of a progress display the benchmark drives. */
export interface BenchProgress {
  /** A run starts. */
  startRun(kind: 'teacher' | 'student', label: string): void;
  /** A trainer event of the current run. */
  onEvent(event: never): void;
  /** The current run ended. */
  endRun(message: string): void;
}

/**
 * Everything the student runs of one spec share: the data, the trained (or cached) teacher, the
 * taps, the heatmap batch and the heatmap panels of the teacher and of the untrained student.
 * Free it with {@link disposeBenchContext}.
 */
export interface BenchContext {
  /** The spec (normalisation switched off for data without statistics). */
  spec: BenchSpec;
  /** The backend it runs on. */
  backendDetails: BackendDetails;
  /** Training and test data. */
  data: BenchData;
  /** The teacher, trained or loaded from the cache. */
  teacher: FeatureModel;
  /** The teacher's row of the results. */
  teacherResult: TeacherResult;
  /** Taps the feature losses act on. */
  taps: string[];
  /** The student's model, config and budget. */
  student: BenchResults['student'];
  /** The fixed, class-sorted test batch of the heatmaps. */
  heatmapBatch: { x: tf.Tensor4D; y: tf.Tensor1D };
  /** Heatmap panels of the teacher and of the student before training (first seed). */
  panels: SimilarityPanel[];
  /** Methods whose trained student (first seed) gets a heatmap panel. */
  heatmapMethods: string[];
  /** When the context was started (ms since the epoch). */
  started: number;
}

/** Options of {@link prepareBenchContext}. */
export interface PrepareBenchContextOptions {
  /** The resolved run spec. */
  spec: BenchSpec;
  /** Folder of the teacher cache. */
  cacheDir: string;
  /** Where messages are printed. */
  log: (line: string) => void;
  /** Builds the progress display once it is known whether the teacher is cached. */
  progress?: (teacherCached: boolean) => BenchProgress | undefined;
}

/** The methods whose trained student (first seed) gets a heatmap panel: baseline and the first GKD method. */
export function heatmapMethodsOf(methods: readonly string[]): string[] {
  return [
    methods.find((name) => name === 'baseline'),
    methods.find((name) => isGkdMethod(name)),
  ].filter((name): name is string => name !== undefined);
}

/**
 * Initialises the backend, loads the data, trains the teacher (or loads it from the cache, and
 * stores a newly trained one there) and prepares the heatmap batch.
 */
export async function prepareBenchContext(
  options: PrepareBenchContextOptions,
): Promise<BenchContext> {
  const { log } = options;
  let spec = options.spec;
  const started = Date.now();
  if (spec.backend !== undefined) process.env.GEOKD_BACKEND = spec.backend;
  const backendInfo = await initBackend({ quiet: true });
  const backendDetails: BackendDetails = {
    name: backendInfo.name,
    version: backendInfo.version,
    threads: backendInfo.threads,
    simd: backendInfo.simd,
    ...(backendInfo.fallbackReason ? { fallbackReason: backendInfo.fallbackReason } : {}),
  };
  log(`geokd-bench: preset ${spec.preset} on ${backendDetails.name} ${backendDetails.version}`);

  const data = await loadBenchData(spec.data);
  if (data.train.normalization === undefined && spec.data.normalize === true) {
    // Synthetic data carries no per-channel statistics: standardising it is undefined.
    log('geokd-bench: this dataset has no normalisation statistics; inputs are used as they are');
    spec = { ...spec, data: { ...spec.data, normalize: false } };
  }
  const teacher = createModel(spec.teacher.name, { ...spec.teacher.options, seed: TEACHER_SEED });
  const probe = createModel(spec.student.name, { ...spec.student.options, seed: spec.seeds[0]! });
  const taps = resolveTaps(spec, teacher, probe);
  const studentBudget = budgetOf(probe);
  const studentInfo = { model: probe.name, config: probe.config };
  const teacherBudget = budgetOf(teacher);

  const cache = new TeacherCache(options.cacheDir);
  const cacheKey = teacherCacheKey({
    teacherConfig: { name: teacher.name, config: teacher.config },
    dataHash: `${datasetHash(data.train)}:${datasetHash(data.test)}`,
    trainingConfig: {
      ...spec.teacherTraining,
      seed: TEACHER_SEED,
      augment: spec.data.augment ?? false,
      normalize: spec.data.normalize ?? false,
      backend: backendDetails.name,
    },
  });
  const cached = cache.lookup(cacheKey, log);
  const progress = options.progress?.(cached !== undefined);

  let teacherResult: TeacherResult;
  if (cached) {
    await loadModelWeights(teacher, cached.weightsDir);
    teacherResult = { ...cached.result, cached: true };
    log(
      `teacher ${teacher.name}: reused from the cache (${cacheKey}), test accuracy ${(teacherResult.accuracy * 100).toFixed(2)} %`,
    );
  } else {
    progress?.startRun('teacher', `teacher ${teacher.name}`);
    const trained = await trainTeacher({
      model: teacher,
      data: trainerData(spec.teacherTraining, data.train, data.test),
      ...trainingOptions(spec.teacherTraining, spec),
      seed: TEACHER_SEED,
      onEvent: (event: unknown) => progress?.onEvent(event as never),
    });
    teacherResult = {
      model: teacher.name,
      config: teacher.config,
      ...teacherBudget,
      accuracy: trained.test.accuracy,
      loss: trained.test.loss,
      durationMs: trained.durationMs,
      cached: false,
      cacheKey,
      history: toEpochRecords(trained.history),
    };
    progress?.endRun(`test accuracy ${(trained.test.accuracy * 100).toFixed(2)} %`);
    await cache.store(cacheKey, teacherResult, (dir) => saveModelWeights(teacher, dir));
  }

  // One fixed test batch, stratified and sorted by class, for the similarity-graph heatmaps.
  const heatmapIndices = sortByLabel(
    stratifiedIndices(data.test.labels, spec.heatmapBatchSize),
    data.test.labels,
  );
  const heatmapSet = data.test.subset(heatmapIndices);
  const heatmapBatch = heatmapSet
    .batches({
      batchSize: heatmapIndices.length,
      shuffle: false,
      normalize: spec.data.normalize ?? false,
    })
    .next().value as { x: tf.Tensor4D; y: tf.Tensor1D };
  const panels: SimilarityPanel[] = [];
  panels.push(
    ...(await similaritySnapshot(teacher, heatmapBatch.x, heatmapBatch.y, taps, 'teacher')),
  );
  panels.push(
    ...(await similaritySnapshot(
      probe,
      heatmapBatch.x,
      heatmapBatch.y,
      taps,
      `student, before (seed ${spec.seeds[0]})`,
    )),
  );
  probe.dispose();
  return {
    spec,
    backendDetails,
    data,
    teacher,
    teacherResult,
    taps,
    student: { ...studentInfo, ...studentBudget },
    heatmapBatch,
    panels,
    heatmapMethods: heatmapMethodsOf(spec.methods),
    started,
  };
}

/** One student run: a method, a seed and optionally other loss weights or loss options. */
export interface StudentJob {
  /** Method name from the bench's registry. */
  method: string;
  /** Seed of the student's initialisation and data order. */
  seed: number;
  /** Loss weights by loss name (over the spec's `lossWeights`). */
  lossWeights?: Record<string, number>;
  /** Options merged into the options of each loss term with that loss name. */
  lossOptions?: Record<string, Record<string, unknown>>;
}

/** Options of {@link runStudent}. */
export interface RunStudentOptions {
  /** Receives the trainer's events. */
  onEvent?: (event: unknown) => void;
  /** Per-epoch checkpoints of the run; an existing checkpoint there is resumed. */
  checkpointDir?: string;
  /** Label of the heatmap panel of the trained student; no panel when absent. */
  panelLabel?: string;
}

/** The loss terms of a job: the method's terms with the job's weights and options. */
export function studentLossTerms(
  job: StudentJob,
  spec: BenchSpec,
  taps: readonly string[],
): LossTermSpec[] {
  const lossWeights = { ...(spec.lossWeights ?? {}), ...(job.lossWeights ?? {}) };
  const terms = getMethod(job.method).terms({
    taps,
    batchSize: spec.studentTraining.batchSize,
    ...(Object.keys(lossWeights).length > 0 ? { lossWeights } : {}),
  });
  return terms.map((term) => {
    const extra = job.lossOptions?.[term.loss];
    return extra === undefined ? term : { ...term, options: { ...(term.options ?? {}), ...extra } };
  });
}

/** Distils one student of `context` and returns its run record (and heatmap panels). */
export async function runStudent(
  context: BenchContext,
  job: StudentJob,
  options: RunStudentOptions = {},
): Promise<{ run: RunResult; panels: SimilarityPanel[]; resumedEpochs: number }> {
  const { spec, taps, heatmapBatch } = context;
  const student = createModel(spec.student.name, { ...spec.student.options, seed: job.seed });
  const losses = studentLossTerms(job, spec, taps);
  try {
    const result = await distill({
      teacher: context.teacher,
      student,
      data: trainerData(spec.studentTraining, context.data.studentTrain, context.data.test),
      losses,
      ...trainingOptions(spec.studentTraining, spec),
      seed: job.seed,
      ...(options.checkpointDir !== undefined
        ? { checkpointDir: options.checkpointDir, resume: true }
        : {}),
      onEvent: (event: unknown) => options.onEvent?.(event),
    });
    const history = toEpochRecords(result.history);
    const run: RunResult = {
      method: job.method,
      seed: job.seed,
      accuracy: result.test.accuracy,
      ...bestEpochOf(history, result.test.accuracy),
      loss: result.test.loss,
      durationMs: result.durationMs,
      losses,
      history,
    };
    const panels =
      options.panelLabel === undefined
        ? []
        : await similaritySnapshot(
            student,
            heatmapBatch.x,
            heatmapBatch.y,
            taps,
            options.panelLabel,
          );
    return { run, panels, resumedEpochs: result.resumedEpochs };
  } finally {
    student.dispose();
  }
}

/** Frees the teacher and the heatmap batch of a context. */
export function disposeBenchContext(context: BenchContext): void {
  context.heatmapBatch.x.dispose();
  context.heatmapBatch.y.dispose();
  context.teacher.dispose();
}

/**
 * Builds results.json from finished runs and writes every output (table, charts) into `outDir`.
 * `panels` are the trained students' heatmap panels, after the context's own.
 */
export async function finishBenchmark(
  context: BenchContext,
  runs: readonly RunResult[],
  panels: readonly SimilarityPanel[],
  outDir: string,
  log: (line: string) => void,
  methods: readonly string[] = context.spec.methods,
): Promise<BenchOutputs> {
  const { spec } = context;
  const summary = summarizeRuns(runs, methods, spec.primaryComparisons);
  const comparisons = primaryComparisons(runs, spec.primaryComparisons);
  const results: BenchResults = {
    schemaVersion: 2,
    preset: spec.preset,
    backend: context.backendDetails.name,
    backendDetails: context.backendDetails,
    machine: machineInfo(),
    date: new Date().toISOString(),
    spec,
    taps: context.taps,
    student: context.student,
    teacher: context.teacherResult,
    runs: [...runs],
    summary,
    comparisons,
    verdict: verdict(comparisons),
    totalDurationMs: Date.now() - context.started,
  };
  const heatmapLabels = Array.from(await context.heatmapBatch.y.data());
  return writeOutputs(results, [...context.panels, ...panels], heatmapLabels, outDir, log);
}

/**
 * Runs a whole benchmark: trains (or loads from the cache) the teacher, distils one student
 * per method and seed, and writes `results.json`, `table.md`, `similarity-graphs.json` and the
 * charts (SVG + PNG) into `outDir`.
 *
 * @example
 * ```ts
 * const spec = resolveSpec({ preset: 'quick' });
 * const { table } = await runBenchmark({ spec, outDir: 'results/quick', cacheDir: '.cache' });
 * ```
 */
export async function runBenchmark(options: RunBenchmarkOptions): Promise<BenchOutputs> {
  // Before any training: an unusable output or cache folder is found now, not after an hour.
  ensureWritableDir(options.outDir, '--out');
  ensureWritableDir(options.cacheDir, '--cache-dir');
  const log = options.log ?? ((line: string) => console.log(line));
  const { spec } = options;
  let progress: ProgressDisplay | undefined;
  const context = await prepareBenchContext({
    spec,
    cacheDir: options.cacheDir,
    log,
    progress: (teacherCached) => {
      progress = new ProgressDisplay({
        totalRuns: spec.methods.length * spec.seeds.length,
        studentEpochs: spec.studentTraining.epochs,
        teacherEpochs: teacherCached ? 0 : spec.teacherTraining.epochs,
        ...(options.progressSink ? { sink: options.progressSink } : {}),
      });
      return progress;
    },
  });
  const runs: RunResult[] = [];
  const panels: SimilarityPanel[] = [];
  try {
    for (const seed of context.spec.seeds) {
      for (const method of context.spec.methods) {
        progress?.startRun('student', `${method} (seed ${seed})`);
        const heatmap = seed === context.spec.seeds[0] && context.heatmapMethods.includes(method);
        const done = await runStudent(
          context,
          { method, seed },
          {
            onEvent: (event) => progress?.onEvent(event as never),
            ...(heatmap ? { panelLabel: `${method}, after` } : {}),
          },
        );
        runs.push(done.run);
        panels.push(...done.panels);
        progress?.endRun(`test accuracy ${(done.run.accuracy * 100).toFixed(2)} %`);
      }
    }
    return await finishBenchmark(context, runs, panels, options.outDir, log);
  } finally {
    disposeBenchContext(context);
  }
}

type TrainerOptions = Parameters<typeof distill>[0];

function trainingOptions(training: BenchSpec['teacherTraining'], spec: BenchSpec) {
  return {
    epochs: training.epochs,
    batchSize: training.batchSize,
    // The spec holds plain JSON; the trainer validates these and names any bad field.
    optimizer: training.optimizer as unknown as TrainerOptions['optimizer'],
    schedule: training.schedule as unknown as TrainerOptions['schedule'],
    augment: spec.data.augment ?? false,
    normalize: spec.data.normalize ?? false,
  };
}

/** Writes results.json, table.md, similarity-graphs.json and the charts; prints the table. */
export async function writeOutputs(
  results: BenchResults,
  panels: readonly SimilarityPanel[],
  heatmapLabels: readonly number[],
  outDir: string,
  log: (line: string) => void,
): Promise<BenchOutputs> {
  fs.mkdirSync(outDir, { recursive: true });
  const table = markdownTable(results);
  const resultsPath = path.join(outDir, 'results.json');
  const tablePath = path.join(outDir, 'table.md');
  const graphsPath = path.join(outDir, 'similarity-graphs.json');
  fs.writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(tablePath, table);
  fs.writeFileSync(graphsPath, `${JSON.stringify({ labels: heatmapLabels, panels })}\n`);
  const charts = [
    await renderChart(accuracyChartSpec(results), path.join(outDir, 'accuracy')),
    await renderChart(learningCurvesChartSpec(results), path.join(outDir, 'learning-curves')),
    await renderChart(
      similarityHeatmapChartSpec(
        panels,
        heatmapLabels,
        `teacher ${results.teacher.model} vs student ${results.student.model}, ${heatmapLabels.length} test images, preset ${results.preset}`,
      ),
      path.join(outDir, 'similarity-graphs'),
    ),
  ];
  log(table);
  for (const chart of charts) {
    log(`wrote ${chart.svg}${chart.png ? ` and ${chart.png}` : ` (no PNG: ${chart.pngError})`}`);
  }
  log(`wrote ${resultsPath}, ${tablePath}, ${graphsPath}`);
  return {
    results,
    table,
    files: { results: resultsPath, table: tablePath, graphs: graphsPath, charts },
  };
}
