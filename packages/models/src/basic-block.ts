import * as tf from '@tensorflow/tfjs-core';
import { BatchNormLayer } from './batch-norm-layer';
import { Conv2dLayer } from './conv2d-layer';
import type { ParameterBuilder } from './parameter-builder';

/**
 * The post-activation residual basic block of the CIFAR ResNets and of the seed's Wide-ResNet:
 * conv3×3 → BN → ReLU → conv3×3 → BN, plus a shortcut (1×1 conv + BN when the stride or the
 * channel count changes — option B of He et al. — identity otherwise), then ReLU after the sum.
 * @internal
 */
export class BasicBlock {
  private readonly conv1: Conv2dLayer;
  private readonly bn1: BatchNormLayer;
  private readonly conv2: Conv2dLayer;
  private readonly bn2: BatchNormLayer;
  private readonly shortcutConv: Conv2dLayer | undefined;
  private readonly shortcutBn: BatchNormLayer | undefined;

  constructor(
    builder: ParameterBuilder,
    name: string,
    inChannels: number,
    outChannels: number,
    stride: number,
  ) {
    this.conv1 = new Conv2dLayer(builder, `${name}/conv1`, inChannels, outChannels, 3, stride);
    this.bn1 = new BatchNormLayer(builder, `${name}/bn1`, outChannels);
    this.conv2 = new Conv2dLayer(builder, `${name}/conv2`, outChannels, outChannels, 3, 1);
    this.bn2 = new BatchNormLayer(builder, `${name}/bn2`, outChannels);
    if (stride !== 1 || inChannels !== outChannels) {
      this.shortcutConv = new Conv2dLayer(
        builder,
        `${name}/shortcut/conv`,
        inChannels,
        outChannels,
        1,
        stride,
      );
      this.shortcutBn = new BatchNormLayer(builder, `${name}/shortcut/bn`, outChannels);
    }
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    let y = tf.relu(this.bn1.apply(this.conv1.apply(x), training));
    y = this.bn2.apply(this.conv2.apply(y), training);
    const shortcut =
      this.shortcutConv !== undefined && this.shortcutBn !== undefined
        ? this.shortcutBn.apply(this.shortcutConv.apply(x), training)
        : x;
    return tf.relu(tf.add(y, shortcut) as tf.Tensor4D);
  }
}
