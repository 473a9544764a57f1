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
  /** Test accuracy after the last epoch, in [0, 1] (the number the table compares). */
  accuracy: number;
  /**
   * Highest test accuracy over the epochs (from the per-epoch history; equals `accuracy` when
   * the history has no test accuracy). Picking the best epoch on the test set is optimistic:
   * it is reported beside the last epoch because papers report both, never instead of it.
   */
  bestAccuracy: number;
  /** Epoch (from 1) of `bestAccuracy`. */
  bestEpoch: number;
  /** Final test loss. */
  loss: number;
  /** Training time in ms. */
  durationMs: number;
  /** The loss terms the trainer minimised besides cross-entropy. */
  losses: unknown[];
  /** Per-epoch history. */
  history: EpochRecord[];
}

/** A Welch t-test of one method's last-epoch accuracy against another's, over seeds. */
export interface Comparison {
  /** The method compared. */
  method: string;
  /** The method it is compared with. */
  reference: string;
  /** Whether this comparison was fixed before the run as a primary one (the spec's `primaryComparisons`). */
  primary: boolean;
  /** mean(method) − mean(reference), accuracy in [−1, 1]. */
  difference: number;
  /** 95 % confidence interval of the difference (Welch). NaN with fewer than two seeds. */
  ciLow: number;
  /** Upper end of the 95 % confidence interval. */
  ciHigh: number;
  /** Two-sided Welch t-test p-value. NaN with fewer than two seeds. */
  pValue: number;
  /** Welch–Satterthwaite degrees of freedom. */
  degreesOfFreedom: number;
  /** Seeds of the method and of the reference. */
  n: [number, number];
}

/** The summary of one method over its seeds. */
export interface MethodSummary {
  /** Method name. */
  method: string;
  /** `'primary'` when it is in a primary comparison or the reference of one, else `'ablation'`. */
  role: 'primary' | 'ablation';
  /** Mean last-epoch test accuracy over seeds, in [0, 1]. */
  mean: number;
  /** Sample standard deviation of the last-epoch test accuracy over seeds. */
  std: number;
  /** Mean best-epoch test accuracy over seeds. */
  bestMean: number;
  /** Sample standard deviation of the best-epoch test accuracy. */
  bestStd: number;
  /** Number of seeds. */
  n: number;
  /** Mean accuracy minus the baseline's (absent when the baseline did not run). */
  deltaVsBaseline?: number;
  /** Welch test against the baseline (absent for the baseline and when it did not run). */
  vsBaseline?: Comparison;
  /** Mean training time in ms. */
  meanDurationMs: number;
}

/** Everything `results.json` holds. */
export interface BenchResults {
  /** Version of this layout. */
  schemaVersion: 2;
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
  /** The primary comparisons, fixed in the spec before the run, in its order. */
  comparisons: Comparison[];
  /**
   * One sentence per primary comparison, as measured: "significant" only when p < 0.05,
   * otherwise "within noise".
   */
  verdict: string;
  /** Total wall time of the benchmark in ms. */
  totalDurationMs: number;
}
