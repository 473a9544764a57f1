import { InvalidArgumentError } from '@geokd/errors';
import * as tf from '@tensorflow/tfjs-core';
import { BasicBlock } from './basic-block';
import { BatchNormLayer } from './batch-norm-layer';
import { Conv2dLayer } from './conv2d-layer';
import { DenseLayer } from './dense-layer';
import type { FeatureModel } from './feature-model';
import { FunctionalModel } from './functional-model';
import { ParameterBuilder } from './parameter-builder';
import { checkInputShape, checkInteger, checkSeed } from './validate-options';

/** Options of {@link wideResNet}. */
export interface WideResNetOptions {
  /** Depth; must be 6n + 4 (n basic blocks per stage), e.g. 16, 28, 40. */
  depth: number;
  /** Width multiplier w: the stages have floor(16w), floor(32w), floor(64w) channels. */
  width: number;
  /** Number of classes. @default 10 */
  numClasses?: number;
  /** Input shape `[H, W, C]`. @default [32, 32, 3] */
  inputShape?: [number, number, number];
  /** Seed of the weight initialisation. @default 0 */
  seed?: number;
}

/** The tap names of {@link wideResNet} and {@link resNetCifar}. */
export const RESIDUAL_FEATURE_NAMES = ['stage1', 'stage2', 'pool'] as const;

/**
 * The seed's Wide-ResNet WRN-depth-width for CIFAR-sized inputs: a 3×3 conv with 16 channels
 * (whatever the width), BN, ReLU; three stages of (depth − 4)/6 basic blocks (conv3×3 → BN → ReLU
 * → conv3×3 → BN, plus a 1×1 conv + BN shortcut when the shape changes, ReLU after the sum) with
 * floor(16w), floor(32w), floor(64w) channels and strides 1, 2, 2; global average pooling (the
 * 8×8 average pool for 32×32 inputs); a dense layer with bias. Convs have no bias.
 *
 * Taps: `'stage1'` and `'stage2'` (stage outputs, NHWC) and `'pool'` (the pooled stage-3
 * vector, `[batch, floor(64w)]`). Trainable parameters: WRN-28-1 369,690; WRN-28-0.5 94,154.
 *
 * @throws {@link InvalidArgumentError} when depth is not 6n + 4, width gives a stage with no
 * channel, or another option is invalid.
 * @see Zagoruyko & Komodakis, "Wide Residual Networks", BMVC 2016.
 * @example
 * ```ts
 * const teacher = wideResNet({ depth: 16, width: 1, seed: 1 });
 * const { logits, features } = teacher.apply(x, { training: true });
 * features.stage1; // [batch, 32, 32, 16]
 * ```
 */
export function wideResNet(options: WideResNetOptions): FeatureModel {
  const fn = 'wideResNet';
  const depth = checkInteger(fn, 'options.depth', options.depth, 10);
  if ((depth - 4) % 6 !== 0) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'options.depth',
      expected: '6n + 4 for an integer n >= 1 (e.g. 16, 28, 40)',
      received: String(depth),
    });
  }
  const width = options.width;
  if (typeof width !== 'number' || !Number.isFinite(width) || Math.floor(16 * width) < 1) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'options.width',
      expected: 'a finite number >= 1/16',
      received: String(width),
    });
  }
  const numClasses = checkInteger(fn, 'options.numClasses', options.numClasses ?? 10, 2);
  const inputShape = checkInputShape(fn, options.inputShape ?? [32, 32, 3]);
  const seed = checkSeed(fn, options.seed ?? 0);
  const name = `wrn-${depth}-${width}`;
  const channels = [16, Math.floor(16 * width), Math.floor(32 * width), Math.floor(64 * width)];
  return residualNetwork({
    name,
    config: { architecture: 'wrn', depth, width, numClasses, inputShape, seed },
    blocksPerStage: (depth - 4) / 6,
    channels: channels as [number, number, number, number],
    numClasses,
    inputShape,
    seed,
  });
}

/** @internal */
export interface ResidualNetworkSpec {
  name: string;
  config: Record<string, unknown>;
  blocksPerStage: number;
  /** Stem channels, then the three stages' channels. */
  channels: [number, number, number, number];
  numClasses: number;
  inputShape: [number, number, number];
  seed: number;
}

/** The stem + three stages + pool + dense body shared by WRN and the CIFAR ResNets. @internal */
export function residualNetwork(spec: ResidualNetworkSpec): FeatureModel {
  const builder = new ParameterBuilder(spec.seed, spec.name);
  const stemConv = new Conv2dLayer(
    builder,
    'stem/conv',
    spec.inputShape[2],
    spec.channels[0],
    3,
    1,
  );
  const stemBn = new BatchNormLayer(builder, 'stem/bn', spec.channels[0]);
  const stages: BasicBlock[][] = [];
  let inChannels = spec.channels[0];
  for (let s = 0; s < 3; s++) {
    const out = spec.channels[s + 1] as number;
    const blocks: BasicBlock[] = [];
    for (let b = 0; b < spec.blocksPerStage; b++) {
      const stride = b === 0 && s > 0 ? 2 : 1;
      blocks.push(new BasicBlock(builder, `stage${s + 1}/block${b}`, inChannels, out, stride));
      inChannels = out;
    }
    stages.push(blocks);
  }
  const dense = new DenseLayer(builder, 'fc', inChannels, spec.numClasses);
  return new FunctionalModel({
    name: spec.name,
    config: spec.config,
    inputShape: spec.inputShape,
    numClasses: spec.numClasses,
    featureNames: RESIDUAL_FEATURE_NAMES,
    parameters: builder.parameters,
    anySpatialSize: true,
    forward(x, training) {
      let h = tf.relu(stemBn.apply(stemConv.apply(x), training));
      const stageOutputs: tf.Tensor4D[] = [];
      for (const blocks of stages) {
        for (const block of blocks) h = block.apply(h, training);
        stageOutputs.push(h);
      }
      const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
      const logits = dense.apply(pooled);
      return {
        logits,
        features: {
          stage1: stageOutputs[0] as tf.Tensor4D,
          stage2: stageOutputs[1] as tf.Tensor4D,
          pool: pooled,
        },
      };
    },
  });
}
