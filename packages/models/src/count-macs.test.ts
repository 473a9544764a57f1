import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { countMacs } from './count-macs';
import type { FeatureModel } from './feature-model';
import { mlp } from './mlp';
import { resNetCifar } from './resnet-cifar';
import { smallCnn } from './small-cnn';
import { wideResNet } from './wide-resnet';

/** Hand-derived MACs of the residual nets: Hout·Wout·Cout·k·k·Cin per conv, in·out for the dense. */
function residualMacs(
  blocks: number,
  channels: number[],
  size: number,
  inChannels = 3,
  classes = 10,
): number {
  let macs = size * size * 16 * 9 * inChannels;
  let cin = 16;
  let s = size;
  channels.forEach((c, stage) => {
    for (let b = 0; b < blocks; b++) {
      const stride = b === 0 && stage > 0 ? 2 : 1;
      const out = s / stride;
      macs += out * out * c * 9 * cin + out * out * c * 9 * c;
      if (stride !== 1 || cin !== c) macs += out * out * c * cin;
      cin = c;
      s = out;
    }
  });
  return macs + cin * classes;
}

describe('countMacs', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });

  it('counts the MLP as the sum of in·out', () => {
    const model = mlp({ hidden: [32, 16] });
    expect(countMacs(model)).toBe(784 * 32 + 32 * 16 + 16 * 10);
    model.dispose();
  });

  it('counts the small CNN as Hout·Wout·Cout·9·Cin per conv plus the dense layer (1,031,744)', () => {
    const model = smallCnn();
    // Stride-1 convs before each 2×2 pool: conv1 at 28×28, 28·28·16·9·1 = 112,896; conv2 at
    // 14×14, 14·14·32·9·16 = 903,168; dense on the flattened 7·7·32 = 1,568 features, 15,680.
    expect(countMacs(model)).toBe(28 * 28 * 16 * 9 * 1 + 14 * 14 * 32 * 9 * 16 + 7 * 7 * 32 * 10);
    expect(countMacs(model)).toBe(1_031_744);
    model.dispose();
  });

  it.each<[string, () => FeatureModel, number]>([
    ['ResNet-20', () => resNetCifar({ depth: 20 }), residualMacs(3, [16, 32, 64], 32)],
    ['WRN-16-1', () => wideResNet({ depth: 16, width: 1 }), residualMacs(2, [16, 32, 64], 32)],
    ['WRN-16-2', () => wideResNet({ depth: 16, width: 2 }), residualMacs(2, [32, 64, 128], 32)],
  ])('matches the hand-derived count for %s at 32×32', (_, make, expected) => {
    const model = make();
    expect(countMacs(model)).toBe(expected);
    model.dispose();
  });

  it('scales with the input size given', () => {
    // A ResNet, whose global pool takes any size (the small CNN's dense layer fixes its input).
    const model = resNetCifar({ depth: 8 });
    expect(countMacs(model, [16, 16, 3])).toBe(residualMacs(1, [16, 32, 64], 16));
    model.dispose();
  });

  it('leaks no tensor and leaves counting off afterwards', () => {
    const model = smallCnn({ channels: [4] });
    const before = tf.memory().numTensors;
    countMacs(model);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('rejects an invalid input shape', () => {
    const model = smallCnn({ channels: [4] });
    expect(() => countMacs(model, [28, 28] as never)).toThrow(
      'countMacs: options.inputShape must be [height, width, channels] of positive integers, received [28,28]',
    );
    model.dispose();
  });
});
