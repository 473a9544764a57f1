import type { BenchSpec } from './bench-spec';
import { getMethod, type LossTermSpec } from './registry';

/**
 * The loss terms each method of `spec` adds to cross-entropy, as the students get them (with
 * the spec's batch size, taps and loss weights). `taps` is the spec's list; an empty list means
 * every tap the teacher and student share, resolved when the models are built.
 */
export function resolvedMethodTerms(spec: BenchSpec): Record<string, LossTermSpec[]> {
  const terms: Record<string, LossTermSpec[]> = {};
  for (const name of spec.methods) {
    terms[name] = getMethod(name).terms({
      taps: spec.taps,
      batchSize: spec.studentTraining.batchSize,
      ...(spec.lossWeights ? { lossWeights: spec.lossWeights } : {}),
    });
  }
  return terms;
}
