import * as tf from '@tensorflow/tfjs-core';
import { BatchNormLayer } from './batch-norm-layer';
import { Conv2dLayer } from './conv2d-layer';
import { DenseLayer } from './dense-layer';
import type { FeatureModel } from './feature-model';
import { FunctionalModel } from './functional-model';
import { ParameterBuilder } from './parameter-builder';
import { checkInputShape, checkInteger, checkIntegerList, checkSeed } from './validate-options';

/** Options of {@link smallCnn}. */
export interface SmallCnnOptions {
  /** Channels of each block; one block per entry. @default [16, 32] */
  channels?: number[];
  /** Number of classes. @default 10 */
  numClasses?: number;
  /** Input shape `[H, W, C]`. @default [28, 28, 1] */
  inputShape?: [number, number, number];
  /** Seed of the weight initialisation. @default 0 */
  seed?: number;
}

/**
 * A small, fast CNN for MNIST-sized inputs: per entry of `channels`, a block conv3×3 with stride
 * 2 → BN → ReLU (28 → 14 → 7 …), then global average pooling and a dense layer. Downsampling by
 * strided convs avoids pooling kernels, so it trains on every backend.
 *
 * Taps: `'block1'`, `'block2'`, … (block outputs, NHWC) and `'pool'` (`[batch, lastChannels]`).
 * With the defaults (16, 32 channels, 28×28×1): 5,178 trainable parameters, 254,336 MACs.
 *
 * @throws {@link InvalidArgumentError} when an option is invalid.
 * @example
 * ```ts
 * const teacher = smallCnn({ channels: [32, 64], seed: 1 });
 * const student = smallCnn({ channels: [8, 16], seed: 2 });
 * ```
 */
export function smallCnn(options: SmallCnnOptions = {}): FeatureModel {
  const fn = 'smallCnn';
  const channels = checkIntegerList(fn, 'options.channels', options.channels ?? [16, 32]);
  const numClasses = checkInteger(fn, 'options.numClasses', options.numClasses ?? 10, 2);
  const inputShape = checkInputShape(fn, options.inputShape ?? [28, 28, 1]);
  const seed = checkSeed(fn, options.seed ?? 0);
  const name = `small-cnn-${channels.join('-')}`;
  const builder = new ParameterBuilder(seed, name);
  const blocks: { conv: Conv2dLayer; bn: BatchNormLayer }[] = [];
  let inChannels = inputShape[2];
  channels.forEach((out, i) => {
    blocks.push({
      conv: new Conv2dLayer(builder, `block${i + 1}/conv`, inChannels, out, 3, 2),
      bn: new BatchNormLayer(builder, `block${i + 1}/bn`, out),
    });
    inChannels = out;
  });
  const dense = new DenseLayer(builder, 'fc', inChannels, numClasses);
  const featureNames = [...channels.map((_, i) => `block${i + 1}`), 'pool'];
  return new FunctionalModel({
    name,
    config: { architecture: 'small-cnn', channels, numClasses, inputShape, seed },
    inputShape,
    numClasses,
    featureNames,
    parameters: builder.parameters,
    anySpatialSize: true,
    forward(x, training) {
      const features: Record<string, tf.Tensor> = {};
      let h = x;
      blocks.forEach((block, i) => {
        h = tf.relu(block.bn.apply(block.conv.apply(h), training));
        features[`block${i + 1}`] = h;
      });
      const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
      features.pool = pooled;
      return { logits: dense.apply(pooled), features };
    },
  });
}
