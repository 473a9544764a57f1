import * as tf from '@tensorflow/tfjs-core';
import type { OptimizedParameter } from './optimizer';
import type { OptimizerSlots } from './optimizer-slots';
import type { ParameterLayout } from './parameter-layout';

/** The new flat parameters and slots an update rule computes. @internal */
export interface FlatUpdate {
  /** New values of all parameters, in layout order. */
  parameters: tf.Tensor1D;
  /** New values of the slots, in the order the slots were passed to {@link applyFlatUpdate}. */
  slots: readonly tf.Tensor1D[];
}

/**
 * Applies an element-wise update rule to all parameters at once: concatenates the gradients
 * and the parameters into flat vectors (one `Concat` each), lets `rule` compute the new flat
 * parameters and slots, assigns the slots, and slices every parameter's new value back into
 * its variable (one `Slice` each). A dozen kernels plus one per parameter, where a rule
 * applied parameter by parameter costs its whole op count per parameter.
 *
 * A parameter without a gradient is left alone, as if skipped: the rule sees a zero gradient
 * for it, its variable is not assigned, and its slots keep their values (selected back with a
 * `'bool'` mask, only in steps that miss a gradient). Runs in `tf.tidy`.
 * @internal
 */
export function applyFlatUpdate(
  layout: ParameterLayout,
  parameters: readonly OptimizedParameter[],
  gradients: Record<string, tf.Tensor>,
  slots: readonly OptimizerSlots[],
  rule: (gradient: tf.Tensor1D, values: tf.Tensor1D) => FlatUpdate,
): void {
  const present = parameters.map((parameter) => gradients[parameter.name] !== undefined);
  if (!present.includes(true)) return;
  const complete = !present.includes(false);
  tf.tidy(() => {
    const gradient = layout.concat(
      parameters.map((parameter, index) =>
        present[index] ? gradients[parameter.name]! : tf.zeros(parameter.variable.shape),
      ),
    );
    const values = layout.concat(parameters.map((parameter) => parameter.variable));
    const update = rule(gradient, values);
    const keep = complete ? undefined : layout.fill((index) => (present[index] ? 1 : 0), 'bool');
    slots.forEach((slot, index) => {
      const updated = update.slots[index]!;
      slot.flat.assign(keep === undefined ? updated : tf.where(keep, updated, slot.flat));
    });
    parameters.forEach((parameter, index) => {
      if (present[index]) parameter.variable.assign(layout.slice(update.parameters, index));
    });
  });
}
