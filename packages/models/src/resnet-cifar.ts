import { InvalidArgumentError } from '@geokd/errors';
import type { FeatureModel } from './feature-model';
import { checkInputShape, checkInteger, checkSeed } from './validate-options';
import { residualNetwork } from './wide-resnet';

/** Options of {@link resNetCifar}. */
export interface ResNetCifarOptions {
  /** Depth; must be 6n + 2 (n basic blocks per stage), e.g. 20, 32, 56, 110. */
  depth: number;
  /** Number of classes. @default 10 */
  numClasses?: number;
  /** Input shape `[H, W, C]`. @default [32, 32, 3] */
  inputShape?: [number, number, number];
  /** Seed of the weight initialisation. @default 0 */
  seed?: number;
}

/**
 * The CIFAR ResNet of He et al. (ResNet-20/32/56/110): a 3×3 conv with 16 channels, BN, ReLU;
 * three stages of (depth − 2)/6 basic blocks with 16, 32, 64 channels and strides 1, 2, 2;
 * global average pooling; a dense layer. Shortcuts that change shape use option B (1×1 conv +
 * BN), so ResNet-20 has 272,474 trainable parameters (option A, zero-padding, would have
 * 269,722). Taps: `'stage1'`, `'stage2'`, `'pool'`, as for {@link wideResNet}.
 *
 * @throws {@link InvalidArgumentError} when depth is not 6n + 2 or another option is invalid.
 * @see He, Zhang, Ren & Sun, "Deep Residual Learning for Image Recognition", CVPR 2016.
 * @example
 * ```ts
 * const student = resNetCifar({ depth: 20, seed: 3 });
 * ```
 */
export function resNetCifar(options: ResNetCifarOptions): FeatureModel {
  const fn = 'resNetCifar';
  const depth = checkInteger(fn, 'options.depth', options.depth, 8);
  if ((depth - 2) % 6 !== 0) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'options.depth',
      expected: '6n + 2 for an integer n >= 1 (e.g. 20, 32, 56)',
      received: String(depth),
    });
  }
  const numClasses = checkInteger(fn, 'options.numClasses', options.numClasses ?? 10, 2);
  const inputShape = checkInputShape(fn, options.inputShape ?? [32, 32, 3]);
  const seed = checkSeed(fn, options.seed ?? 0);
  return residualNetwork({
    name: `resnet-${depth}`,
    config: { architecture: 'resnet', depth, numClasses, inputShape, seed },
    blocksPerStage: (depth - 2) / 6,
    channels: [16, 16, 32, 64],
    numClasses,
    inputShape,
    seed,
  });
}
