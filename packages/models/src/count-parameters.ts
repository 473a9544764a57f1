import type { FeatureModel } from './feature-model';

/** The result of {@link countParameters}. */
export interface ParameterCount {
  /** Scalars in the trainable variables (what an optimiser updates). */
  trainable: number;
  /** Scalars in all variables, batch-norm moving statistics included. */
  total: number;
}

/**
 * Counts a model's parameters (scalars, not variables).
 * @example
 * ```ts
 * countParameters(wideResNet({ depth: 28, width: 1 })); // { trainable: 369690, total: 371706 }
 * ```
 */
export function countParameters(model: FeatureModel): ParameterCount {
  let trainable = 0;
  let total = 0;
  for (const p of model.parameters) {
    total += p.variable.size;
    if (p.trainable) trainable += p.variable.size;
  }
  return { trainable, total };
}
