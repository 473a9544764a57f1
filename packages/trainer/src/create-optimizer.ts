import { UnknownNameError } from '@geokd/errors';
import { type AdamOptimizerOptions, createAdamOptimizer } from './adam-optimizer';
import type { OptimizedParameter, TrainingOptimizer } from './optimizer';
import { createSgdOptimizer, type SgdOptimizerOptions } from './sgd-optimizer';

/** Options selecting and configuring an optimiser. */
export type OptimizerOptions = SgdOptimizerOptions | AdamOptimizerOptions;

/**
 * Builds the optimiser named by `options.type` over `parameters`.
 *
 * @throws UnknownNameError for a type other than `'sgd'` or `'adam'`.
 */
export function createOptimizer(
  parameters: readonly OptimizedParameter[],
  options: OptimizerOptions,
): TrainingOptimizer {
  switch (options.type) {
    case 'sgd':
      return createSgdOptimizer(parameters, options);
    case 'adam':
      return createAdamOptimizer(parameters, options);
    default:
      throw new UnknownNameError({
        kind: 'optimizer',
        name: String((options as { type: unknown }).type),
        validNames: ['sgd', 'adam'],
      });
  }
}
