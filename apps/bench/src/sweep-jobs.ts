import type { BenchSpec } from './bench-spec';
import { jobId } from './job-id';
import { type StudentJob, studentLossTerms } from './run-benchmark';
import type { SweepSpec } from './sweep-spec';

/** One job of a sweep: one student run, with everything a worker needs to run it. */
export interface SweepJob extends StudentJob {
  /** Stable id: hash of the resolved config (see {@link jobConfig}). */
  id: string;
  /** The run spec the job's context (data, teacher) comes from. */
  spec: BenchSpec;
}

/** One point of the sweep's grid: a table of its own over the sweep's methods and seeds. */
export interface SweepVariant {
  /** Label, e.g. `gkd=10,gkd.k=4`; `default` without grids. */
  label: string;
  /** Loss weights of this point. */
  lossWeights: Record<string, number>;
  /** Loss options of this point. */
  lossOptions: Record<string, Record<string, unknown>>;
  /** Ids of its jobs, seeds outer and methods inner (the order of a single-process run). */
  jobIds: string[];
}

/** A sweep expanded: its variants and its distinct jobs (a job shared by variants runs once). */
export interface ExpandedSweep {
  /** The grid's points. */
  variants: SweepVariant[];
  /** Distinct jobs, in first-seen order. */
  jobs: SweepJob[];
}

/**
 * The resolved config of a job, which its id hashes: what shapes the data, the teacher and the
 * student's training, the method, the seed and the loss terms as they will run. Labels (preset
 * name, method list, other seeds) are not part of it, and neither are weights of losses the
 * method does not use, so the baseline is one job however many λ a sweep tries.
 */
export function jobConfig(spec: BenchSpec, job: StudentJob): unknown {
  return {
    data: spec.data,
    teacher: spec.teacher,
    student: spec.student,
    teacherTraining: spec.teacherTraining,
    studentTraining: spec.studentTraining,
    taps: spec.taps,
    heatmapBatchSize: spec.heatmapBatchSize,
    backend: spec.backend ?? null,
    method: job.method,
    seed: job.seed,
    losses: studentLossTerms(job, spec, spec.taps),
  };
}

function cartesian<T>(axes: readonly (readonly T[])[]): T[][] {
  return axes.reduce<T[][]>(
    (points, axis) => points.flatMap((point) => axis.map((value) => [...point, value])),
    [[]],
  );
}

/** Expands a sweep into its variants (grid points) and its jobs (method × seed per variant). */
export function expandSweep(sweep: SweepSpec): ExpandedSweep {
  const axes: { label: string; apply: (variant: SweepVariant, value: unknown) => void }[] = [];
  for (const loss of Object.keys(sweep.grid.lossWeights)) {
    axes.push({
      label: loss,
      apply: (variant, value) => {
        variant.lossWeights[loss] = value as number;
      },
    });
  }
  const values: unknown[][] = Object.values(sweep.grid.lossWeights).map((list) => [...list]);
  for (const [loss, options] of Object.entries(sweep.grid.lossOptions)) {
    for (const [option, list] of Object.entries(options)) {
      axes.push({
        label: `${loss}.${option}`,
        apply: (variant, value) => {
          variant.lossOptions[loss] = { ...(variant.lossOptions[loss] ?? {}), [option]: value };
        },
      });
      values.push([...list]);
    }
  }
  const jobs = new Map<string, SweepJob>();
  const variants = cartesian(values).map((point) => {
    const variant: SweepVariant = { label: '', lossWeights: {}, lossOptions: {}, jobIds: [] };
    point.forEach((value, index) => {
      axes[index]!.apply(variant, value);
    });
    variant.label =
      point.length === 0
        ? 'default'
        : point.map((value, index) => `${axes[index]!.label}=${JSON.stringify(value)}`).join(',');
    for (const seed of sweep.base.seeds) {
      for (const method of sweep.base.methods) {
        const studentJob: StudentJob = {
          method,
          seed,
          ...(Object.keys(variant.lossWeights).length > 0
            ? { lossWeights: { ...variant.lossWeights } }
            : {}),
          ...(Object.keys(variant.lossOptions).length > 0
            ? { lossOptions: structuredClone(variant.lossOptions) }
            : {}),
        };
        const id = jobId(jobConfig(sweep.base, studentJob));
        if (!jobs.has(id)) jobs.set(id, { id, spec: sweep.base, ...studentJob });
        variant.jobIds.push(id);
      }
    }
    return variant;
  });
  return { variants, jobs: [...jobs.values()] };
}
