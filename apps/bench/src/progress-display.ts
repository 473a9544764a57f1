import { formatDuration } from './markdown-table';

/** A writable text stream (process.stderr, or a collector in tests). */
export interface TextSink {
  write(text: string): unknown;
  /** True when the sink is an interactive terminal (the line is rewritten in place). */
  isTTY?: boolean;
}

/** The part of a trainer event (`@geokd/trainer`'s `TrainingEvent`) the progress display reads. */
export interface ProgressEvent {
  /** `epoch-start`, `step`, `epoch-end`, ... */
  type: string;
  /** Epoch, counted from 1 or 0 (see `epochBase`). */
  epoch?: number;
  /** Step within the epoch. */
  step?: number;
  /** Steps per epoch. */
  stepsPerEpoch?: number;
  /** Test metrics after the epoch (`epoch-end`). */
  test?: { accuracy: number };
}

/** Options of {@link ProgressDisplay}. */
export interface ProgressDisplayOptions {
  /** Student runs in the benchmark (methods × seeds). */
  totalRuns: number;
  /** Epochs of each student run. */
  studentEpochs: number;
  /** Epochs of the teacher, or 0 when it comes from the cache. */
  teacherEpochs: number;
  /** Where lines go. @default process.stderr */
  sink?: TextSink;
  /** Clock in ms (for tests). @default Date.now */
  now?: () => number;
}

/**
 * Progress of a benchmark: runs done / total, the current run's epoch and step, and the ETA
 * from the measured time per epoch. On a terminal one line is rewritten in place; otherwise
 * one line is printed per finished epoch.
 */
export class ProgressDisplay {
  private readonly sink: TextSink;
  private readonly now: () => number;
  private readonly options: ProgressDisplayOptions;
  private runsDone = 0;
  private label = '';
  private phase: 'teacher' | 'student' = 'teacher';
  private epochsDone = { teacher: 0, student: 0 };
  private phaseTime = { teacher: 0, student: 0 };
  private epochStartedAt = 0;
  private currentEpoch = 0;
  private currentEpochs = 0;
  private lastDraw = 0;
  private lineOpen = false;

  constructor(options: ProgressDisplayOptions) {
    this.options = options;
    this.sink = options.sink ?? process.stderr;
    this.now = options.now ?? Date.now;
  }

  /** A new training run starts: the teacher, or a student (`method`, `seed`). */
  startRun(kind: 'teacher' | 'student', label: string): void {
    this.phase = kind;
    this.label = label;
    this.currentEpoch = 0;
    this.currentEpochs =
      kind === 'teacher' ? this.options.teacherEpochs : this.options.studentEpochs;
    this.epochStartedAt = this.now();
    this.draw(true);
  }

  /** Feed a trainer event (`epoch-start`, `step`, `epoch-end`; others are ignored). */
  onEvent(event: ProgressEvent): void {
    if (event.type === 'epoch-start') {
      this.epochStartedAt = this.now();
      this.currentEpoch += 1;
      this.draw(false, event);
    } else if (event.type === 'step') {
      this.draw(false, event);
    } else if (event.type === 'epoch-end') {
      this.phaseTime[this.phase] += this.now() - this.epochStartedAt;
      this.epochsDone[this.phase] += 1;
      const accuracy =
        event.test === undefined ? '' : ` · test acc ${(event.test.accuracy * 100).toFixed(2)} %`;
      this.print(`${this.status()}${accuracy}`);
    }
  }

  /** The current run ended. */
  endRun(summary: string): void {
    if (this.phase === 'student') this.runsDone += 1;
    this.print(`${this.prefix()} ${this.label}: ${summary}`);
  }

  /** Remaining time estimate in ms, from the measured time per epoch of each phase. */
  etaMs(): number | undefined {
    const { teacherEpochs, studentEpochs, totalRuns } = this.options;
    const studentLeft = totalRuns * studentEpochs - this.epochsDone.student;
    const teacherLeft = Math.max(0, teacherEpochs - this.epochsDone.teacher);
    const perTeacher =
      this.epochsDone.teacher > 0 ? this.phaseTime.teacher / this.epochsDone.teacher : undefined;
    const perStudent =
      this.epochsDone.student > 0 ? this.phaseTime.student / this.epochsDone.student : undefined;
    if (teacherLeft > 0 && perTeacher === undefined) return undefined;
    if (studentLeft > 0 && perStudent === undefined) return undefined;
    return teacherLeft * (perTeacher ?? 0) + studentLeft * (perStudent ?? 0);
  }

  private prefix(): string {
    return `[runs ${this.runsDone}/${this.options.totalRuns}]`;
  }

  private status(event?: ProgressEvent): string {
    const step =
      event?.step !== undefined && event.stepsPerEpoch !== undefined
        ? ` · step ${event.step}/${event.stepsPerEpoch}`
        : '';
    const eta = this.etaMs();
    const etaText = eta === undefined ? 'ETA –' : `ETA ${formatDuration(eta)}`;
    return `${this.prefix()} ${this.label} · epoch ${Math.max(1, this.currentEpoch)}/${this.currentEpochs}${step} · ${etaText}`;
  }

  private draw(force: boolean, event?: ProgressEvent): void {
    if (!this.sink.isTTY) return;
    const now = this.now();
    if (!force && now - this.lastDraw < 200) return;
    this.lastDraw = now;
    this.sink.write(`\r\x1b[2K${this.status(event)}`);
    this.lineOpen = true;
  }

  private print(line: string): void {
    if (this.lineOpen) this.sink.write('\r\x1b[2K');
    this.lineOpen = false;
    this.sink.write(`${line}\n`);
  }
}
