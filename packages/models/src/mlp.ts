import * as tf from '@tensorflow/tfjs-core';
import { DenseLayer } from './dense-layer';
import type { FeatureModel } from './feature-model';
import { FunctionalModel } from './functional-model';
import { ParameterBuilder } from './parameter-builder';
import { checkInputShape, checkInteger, checkIntegerList, checkSeed } from './validate-options';

/** Options of {@link mlp}. */
export interface MlpOptions {
  /** Width of each hidden layer; one layer per entry. @default [256, 128] */
  hidden?: number[];
  /** Number of classes. @default 10 */
  numClasses?: number;
  /** Input shape `[H, W, C]`; the input is flattened. @default [28, 28, 1] */
  inputShape?: [number, number, number];
  /** Seed of the weight initialisation. @default 0 */
  seed?: number;
}

/**
 * A multilayer perceptron: flatten, then per entry of `hidden` a dense layer + ReLU, then a
 * dense output layer. No batch norm, so training and inference mode give the same result.
 *
 * Taps: `'hidden1'`, `'hidden2'`, … (`[batch, hidden[i]]`, after the ReLU).
 *
 * @throws {@link InvalidArgumentError} when an option is invalid.
 * @example
 * ```ts
 * const student = mlp({ hidden: [64, 32], seed: 4 });
 * ```
 */
export function mlp(options: MlpOptions = {}): FeatureModel {
  const fn = 'mlp';
  const hidden = checkIntegerList(fn, 'options.hidden', options.hidden ?? [256, 128]);
  const numClasses = checkInteger(fn, 'options.numClasses', options.numClasses ?? 10, 2);
  const inputShape = checkInputShape(fn, options.inputShape ?? [28, 28, 1]);
  const seed = checkSeed(fn, options.seed ?? 0);
  const name = `mlp-${hidden.join('-')}`;
  const builder = new ParameterBuilder(seed, name);
  const inFeatures = inputShape[0] * inputShape[1] * inputShape[2];
  const layers: DenseLayer[] = [];
  let width = inFeatures;
  hidden.forEach((out, i) => {
    layers.push(new DenseLayer(builder, `hidden${i + 1}`, width, out));
    width = out;
  });
  const output = new DenseLayer(builder, 'fc', width, numClasses);
  return new FunctionalModel({
    name,
    config: { architecture: 'mlp', hidden, numClasses, inputShape, seed },
    inputShape,
    numClasses,
    featureNames: hidden.map((_, i) => `hidden${i + 1}`),
    parameters: builder.parameters,
    anySpatialSize: false,
    forward(x) {
      const features: Record<string, tf.Tensor> = {};
      let h = tf.reshape(x, [x.shape[0], inFeatures]) as tf.Tensor2D;
      layers.forEach((layer, i) => {
        h = tf.relu(layer.apply(h));
        features[`hidden${i + 1}`] = h;
      });
      return { logits: output.apply(h), features };
    },
  });
}
