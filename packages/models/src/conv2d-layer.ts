import * as tf from '@tensorflow/tfjs-core';
import { recordMacs } from './mac-counter';
import type { ParameterBuilder } from './parameter-builder';

/**
 * A 2-D convolution without bias (NHWC), He-normal initialised (std = sqrt(2 / (k·k·Cin)),
 * fan-in mode as in PyTorch's `kaiming_normal_`). Padding is symmetric, `floor(k/2)` on each
 * side, as in the PyTorch CIFAR models (`padding=1` for 3×3).
 * @internal
 */
export class Conv2dLayer {
  readonly kernel: tf.Variable;

  constructor(
    builder: ParameterBuilder,
    readonly name: string,
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    readonly stride: number,
  ) {
    const fanIn = kernelSize * kernelSize * inChannels;
    const size = fanIn * outChannels;
    const values = builder.random(`${name}/kernel`).normalArray(size, Math.sqrt(2 / fanIn));
    this.kernel = builder.add(
      `${name}/kernel`,
      [kernelSize, kernelSize, inChannels, outChannels],
      values,
      { trainable: true, weightDecay: true },
    );
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    const pad = Math.floor(this.kernelSize / 2);
    const y = tf.conv2d(
      x,
      this.kernel as tf.Tensor4D,
      [this.stride, this.stride],
      pad === 0 ? 'valid' : pad,
    );
    const [batch, height, width, channels] = y.shape;
    recordMacs(
      batch * height * width * channels * this.kernelSize * this.kernelSize * this.inChannels,
    );
    return y;
  }
}
