import * as tf from '@tensorflow/tfjs-core';
import type { ModelParameter } from './feature-model';
import { deriveSeed, SeededRandom } from './seeded-random';

let nextModelId = 0;

/**
 * Creates a model's variables with seeded initial values and records them as
 * {@link ModelParameter}s. Variable names in the tfjs registry get a per-model prefix so that
 * several models can live side by side; the parameter names stay stable for save/load.
 * @internal
 */
export class ParameterBuilder {
  readonly parameters: ModelParameter[] = [];
  private readonly prefix: string;

  constructor(
    private readonly seed: number,
    modelName: string,
  ) {
    nextModelId += 1;
    this.prefix = `geokd${nextModelId}_${modelName}`;
  }

  /** A stream of random numbers for one parameter, from the model seed and the parameter name. */
  random(name: string): SeededRandom {
    return new SeededRandom(deriveSeed(this.seed, name));
  }

  /** Creates one variable and records it. */
  add(
    name: string,
    shape: number[],
    values: Float32Array,
    options: { trainable: boolean; weightDecay: boolean },
  ): tf.Variable {
    const variable = tf.tidy(() =>
      tf.variable(tf.tensor(values, shape, 'float32'), options.trainable, `${this.prefix}/${name}`),
    );
    this.parameters.push({
      name,
      variable,
      trainable: options.trainable,
      weightDecay: options.weightDecay,
    });
    return variable;
  }

  /** A variable filled with a constant. */
  constant(
    name: string,
    shape: number[],
    value: number,
    options: { trainable: boolean; weightDecay: boolean },
  ): tf.Variable {
    const size = shape.reduce((a, b) => a * b, 1);
    return this.add(name, shape, new Float32Array(size).fill(value), options);
  }
}
