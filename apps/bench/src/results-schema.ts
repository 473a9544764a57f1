import type { BenchSpec } from './bench-spec';

/** The machine a benchmark ran on. */
export interface MachineInfo {
  /** CPU model from `os.cpus()[0].model`. */
  cpuModel: string;
  /** Logical cores from `os.cpus().length`. */
  cores: number;
  /** Total memory in GiB. */
  memoryGiB: number;
  /** `process.platform`-`process.arch`. */
  platform: string;
  /** Node.js version. */
  node: string;
}

/** The TensorFlow.js backend a benchmark ran on. */
export interface BackendDetails {
  /** Backend name: `wasm`, `cpu` or `tensorflow`. */
  name: string;
  /** Version of the backend package. */
  version: string;
  /** Threads the backend uses. */
  threads: number;
  /** Whether SIMD is on (wasm). */
  simd: boolean;
  /** Why a preferred backend was not used, if one was not. */
  fallbackReason?: string;
}

/** One epoch of a learning curve. */
export interface EpochRecord {
  /** Epoch number, from 1. */
  epoch: number;
  /** Mean training loss (total) over the epoch's steps, when reported. */
  trainLoss?: number;
  /** Training accuracy over the epoch, when reported. */
  trainAccuracy?: number;
  /** Test accuracy after the epoch. */
  testAccuracy?: number;
  /** Test loss after the epoch. */
  testLoss?: number;
}

/** The teacher of a benchmark. */
export interface TeacherResult {
  /** Model registry name. */
  model: string;
  /** The model's JSON config. */
  config: Record<string, unknown>;
  /** Trainable parameters. */
  params: number;
  /** Multiply-accumulates of one forward pass of one image. */
  macs: number;
  /** Test accuracy in [0, 1]. */
  accuracy: number;
  /** Test loss. */
  loss: number;
  /** Training time in ms (of the run that trained it, also when reused from the cache). */
  durationMs: number;
  /** Whether this run reused the cached teacher. */
  cached: boolean;
  /** Cache key: hash of (teacher config, data hash, training config). */
  cacheKey: string;
  /** Per-epoch history of its training. */
  history: EpochRecord[];
}

/** One student run: one method, one seed. */
export interface RunResult {
  /** Method name from the bench registry. */
  method: string;
  /** Seed of the student's initialisation and data order. */
  seed: number;
  /** Final test accuracy in [0, 1]. */
  accuracy: number;
  /** Final test loss. */
  loss: number;
  /** Training time in ms. */
  durationMs: number;
  /** The loss terms the trainer minimised besides cross-entropy. */
  losses: unknown[];
  /** Per-epoch history. */
  history: EpochRecord[];
}

/** The summary of one method over its seeds. */
export interface MethodSummary {
  /** Method name. */
  method: string;
  /** Mean test accuracy over seeds, in [0, 1]. */
  mean: number;
  /** Sample standard deviation of the test accuracy over seeds. */
  std: number;
  /** Number of seeds. */
  n: number;
  /** Mean accuracy minus the baseline's (absent when the baseline did not run). */
  deltaVsBaseline?: number;
  /** Mean training time in ms. */
  meanDurationMs: number;
}

/** Everything `results.json` holds. */
export interface BenchResults {
  /** Version of this layout. */
  schemaVersion: 1;
  /** Preset name. */
  preset: string;
  /** Backend name (`wasm`, `cpu`, `tensorflow`). */
  backend: string;
  /** Details of the backend. */
  backendDetails: BackendDetails;
  /** The machine. */
  machine: MachineInfo;
  /** ISO date and time of the end of the run. */
  date: string;
  /** The full run spec. */
  spec: BenchSpec;
  /** Feature taps the feature losses used. */
  taps: string[];
  /** The student's budget. */
  student: { model: string; config: Record<string, unknown>; params: number; macs: number };
  /** The teacher. */
  teacher: TeacherResult;
  /** Every run, in the order they ran. */
  runs: RunResult[];
  /** One row per method, in the spec's order. */
  summary: MethodSummary[];
  /** One sentence on GKD against the baseline, stated as measured. */
  verdict: string;
  /** Total wall time of the benchmark in ms. */
  totalDurationMs: number;
}
