import path from 'node:path';
import type { JobRecord } from './job-record';
import type { RunResult } from './results-schema';
import { type BenchContext, type BenchOutputs, finishBenchmark } from './run-benchmark';
import type { SimilarityPanel } from './similarity-heatmap-chart';
import type { ExpandedSweep, SweepVariant } from './sweep-jobs';

/** The outputs of one variant of a sweep. */
export interface VariantOutputs {
  /** The variant. */
  variant: SweepVariant;
  /** Its folder. */
  outDir: string;
  /** Ids of its jobs that had no result (left out of its table). */
  missing: string[];
  /** What was written. */
  outputs: BenchOutputs;
}

/** Folder of a variant: the sweep's folder itself when there is one variant. */
export function variantDir(outDir: string, sweep: ExpandedSweep, variant: SweepVariant): string {
  if (sweep.variants.length === 1) return outDir;
  return path.join(outDir, 'variants', variant.label.replace(/[^A-Za-z0-9=.,_-]+/g, '_'));
}

/**
 * Builds the usual outputs (table, charts, results.json) of every variant of a sweep from the
 * stored job records, in the order a single-process run would have produced the runs: seeds
 * outer, methods inner; the heatmap panels of the first seed's baseline and GKD students.
 */
export async function collectResults(
  context: BenchContext,
  sweep: ExpandedSweep,
  records: ReadonlyMap<string, JobRecord>,
  outDir: string,
  log: (line: string) => void,
): Promise<VariantOutputs[]> {
  const written: VariantOutputs[] = [];
  const { spec } = context;
  for (const variant of sweep.variants) {
    const runs: RunResult[] = [];
    const panels: SimilarityPanel[] = [];
    const missing: string[] = [];
    variant.jobIds.forEach((id, index) => {
      const record = records.get(id);
      if (record === undefined) {
        missing.push(id);
        return;
      }
      runs.push(record.run);
      const method = spec.methods[index % spec.methods.length]!;
      const seed = spec.seeds[Math.floor(index / spec.methods.length)]!;
      if (seed === spec.seeds[0] && context.heatmapMethods.includes(method)) {
        panels.push(...record.panels);
      }
    });
    const lossWeights = { ...(spec.lossWeights ?? {}), ...variant.lossWeights };
    const variantContext: BenchContext = {
      ...context,
      spec: {
        ...spec,
        ...(Object.keys(lossWeights).length > 0 ? { lossWeights } : {}),
      },
    };
    const dir = variantDir(outDir, sweep, variant);
    if (sweep.variants.length > 1) log(`variant ${variant.label}:`);
    if (missing.length > 0) {
      log(`  ${missing.length} job(s) without a result are left out: ${missing.join(', ')}`);
    }
    const outputs = await finishBenchmark(variantContext, runs, panels, dir, log);
    written.push({ variant, outDir: dir, missing, outputs });
  }
  return written;
}
