import * as tf from '@tensorflow/tfjs-core';
import { recordMacs } from './mac-counter';
import type { ParameterBuilder } from './parameter-builder';

/**
 * A fully connected layer `x·W + b`. W is uniform in ±1/sqrt(in) (PyTorch's `nn.Linear`
 * default), b starts at zero.
 * @internal
 */
export class DenseLayer {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;

  constructor(
    builder: ParameterBuilder,
    readonly name: string,
    readonly inFeatures: number,
    readonly outFeatures: number,
  ) {
    const values = builder
      .random(`${name}/kernel`)
      .uniformArray(inFeatures * outFeatures, 1 / Math.sqrt(inFeatures));
    this.kernel = builder.add(`${name}/kernel`, [inFeatures, outFeatures], values, {
      trainable: true,
      weightDecay: true,
    });
    this.bias = builder.constant(`${name}/bias`, [outFeatures], 0, {
      trainable: true,
      weightDecay: false,
    });
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    recordMacs((x.shape[0] as number) * this.inFeatures * this.outFeatures);
    return tf.add(tf.matMul(x, this.kernel as tf.Tensor2D), this.bias);
  }
}
