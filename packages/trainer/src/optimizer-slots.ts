import { InvalidArgumentError } from '@geokd/errors';
import * as tf from '@tensorflow/tfjs-core';
import type { ParameterLayout } from './parameter-layout';

/**
 * One zero-initialised slot (e.g. SGD's momentum) of every parameter, held as one flat
 * variable in the order of a {@link ParameterLayout} so that an update is a few element-wise
 * ops on it. Outside, in checkpoints and `getState`/`setState`, the slot is per parameter,
 * named `${prefix}/${parameter}` with the parameter's shape, as it always was.
 * @internal
 */
export class OptimizerSlots {
  /** The slot of all parameters, in layout order. */
  readonly flat: tf.Variable<tf.Rank.R1>;
  /** The per-parameter copies handed out by the last {@link collect}, owned here. */
  private views: tf.Tensor[] = [];

  constructor(
    readonly prefix: string,
    readonly layout: ParameterLayout,
  ) {
    // The initial zeros are a tensor of their own: dispose them once the variable holds them.
    const zeros = tf.zeros([layout.size], 'float32');
    this.flat = tf.variable(zeros, false, undefined, 'float32') as tf.Variable<tf.Rank.R1>;
    zeros.dispose();
  }

  /**
   * Adds every parameter's slot to `into` under `${prefix}/${name}`: copies of the current
   * values (one `Slice` each), owned by this object and valid until its next `collect`,
   * `restore` or `dispose`.
   */
  collect(into: Record<string, tf.Tensor>): void {
    tf.dispose(this.views);
    this.views = this.layout.spans.map((_, index) =>
      tf.tidy(() => this.layout.slice(this.flat, index)),
    );
    this.layout.spans.forEach((span, index) => {
      into[`${this.prefix}/${span.name}`] = this.views[index]!;
    });
  }

  /**
   * Replaces every slot by the tensor `slots[`${prefix}/${name}`]`.
   * @throws InvalidArgumentError (naming `functionName`) when one is missing or has another
   *   shape; nothing is changed then.
   */
  restore(slots: Record<string, tf.Tensor>, functionName: string): void {
    for (const span of this.layout.spans) {
      const key = `${this.prefix}/${span.name}`;
      const value = slots[key];
      if (value === undefined) {
        throw new InvalidArgumentError({
          functionName,
          argument: `state.slots['${key}']`,
          expected: 'present',
          received: 'nothing',
        });
      }
      if (value.shape.join(',') !== span.shape.join(',')) {
        throw new InvalidArgumentError({
          functionName,
          argument: `state.slots['${key}']`,
          expected: `shape [${span.shape.join(', ')}]`,
          received: `shape [${value.shape.join(', ')}]`,
        });
      }
    }
    const values = this.layout.spans.map((span) => slots[`${this.prefix}/${span.name}`]!);
    // Slots handed out by `collect` may be among the values: release them only afterwards.
    tf.tidy(() => {
      if (this.layout.size > 0) this.flat.assign(this.layout.concat(values));
    });
    tf.dispose(this.views);
    this.views = [];
  }

  dispose(): void {
    tf.dispose(this.views);
    this.views = [];
    this.flat.dispose();
  }
}
