/** The size of a benchmark protocol: what a projection multiplies step times by. */
export interface ProtocolSize {
  /** Epochs of the teacher and of each student run. */
  epochs: number;
  /** Training steps per epoch (the trainer drops the last incomplete batch). */
  stepsPerEpoch: number;
  /** Evaluation batches per epoch (the test set, the last batch partial). */
  evalBatchesPerEpoch: number;
  /** Seeds per method. */
  seeds: number;
}

/** Measured ms of the pieces of a protocol. */
export interface ProtocolStepTimes {
  /** ms of one teacher training step (trained once, shared by every student run). */
  teacherStepMs: number;
  /** ms of one teacher evaluation batch. */
  teacherEvalMs: number;
  /** ms of one student evaluation batch. */
  studentEvalMs: number;
  /** ms of one student training step, by method. */
  methodStepMs: Readonly<Record<string, number>>;
}

/** Projected seconds of a protocol. */
export interface ProtocolProjection {
  /** Seconds to train (and evaluate every epoch) the teacher. */
  teacherSeconds: number;
  /** Seconds of one student run (all epochs), by method. */
  runSeconds: Record<string, number>;
  /** Seconds of one epoch of a student run, by method. */
  epochSeconds: Record<string, number>;
  /** Teacher plus every method × seed run. */
  totalSeconds: number;
}

/**
 * Projects a protocol's wall time from step times: per epoch, `stepsPerEpoch` training steps and
 * `evalBatchesPerEpoch` evaluation batches; the teacher once, each method `seeds` times. Data
 * loading, augmentation and checkpoints are not counted (they are not steps).
 */
export function projectProtocol(size: ProtocolSize, times: ProtocolStepTimes): ProtocolProjection {
  const epochMs = (stepMs: number, evalMs: number) =>
    size.stepsPerEpoch * stepMs + size.evalBatchesPerEpoch * evalMs;
  const teacherSeconds = (size.epochs * epochMs(times.teacherStepMs, times.teacherEvalMs)) / 1000;
  const epochSeconds: Record<string, number> = {};
  const runSeconds: Record<string, number> = {};
  let totalSeconds = teacherSeconds;
  for (const [method, stepMs] of Object.entries(times.methodStepMs)) {
    epochSeconds[method] = epochMs(stepMs, times.studentEvalMs) / 1000;
    runSeconds[method] = size.epochs * epochSeconds[method]!;
    totalSeconds += size.seeds * runSeconds[method]!;
  }
  return { teacherSeconds, runSeconds, epochSeconds, totalSeconds };
}

/** Seconds as `1 h 23 min`, `4 min 5 s` or `12.3 s`. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'n/a';
  if (seconds >= 3600 * 48) return `${(seconds / 86400).toFixed(1)} days`;
  const minutes = Math.round(seconds / 60);
  if (minutes >= 60) return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  if (seconds >= 60) {
    const whole = Math.round(seconds);
    return `${Math.floor(whole / 60)} min ${whole % 60} s`;
  }
  return `${seconds.toFixed(1)} s`;
}
