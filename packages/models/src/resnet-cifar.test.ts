import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { countParameters } from './count-parameters';
import { resNetCifar } from './resnet-cifar';

/**
 * Hand-derived trainable count of the CIFAR ResNet with option-B shortcuts: stem 3·3·3·16 +
 * 2·16; stage s with c channels and n blocks: n·(2·9c² + 4c), the first block of stages 2 and 3
 * has 9·(c/2)·c instead of 9c² in its first conv plus a (c/2)·c + 2c shortcut; dense 64·10 + 10.
 */
function resnetTrainable(depth: number): number {
  const n = (depth - 2) / 6;
  let total = 9 * 3 * 16 + 32;
  total += n * (2 * 9 * 16 * 16 + 4 * 16);
  for (const c of [32, 64]) {
    total += n * (2 * 9 * c * c + 4 * c) - 9 * c * c + 9 * (c / 2) * c + (c / 2) * c + 2 * c;
  }
  return total + 64 * 10 + 10;
}

describe('resNetCifar', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });

  it('has 272,474 trainable parameters for ResNet-20 with option-B shortcuts', () => {
    const model = resNetCifar({ depth: 20 });
    expect(countParameters(model).trainable).toBe(272_474);
    model.dispose();
  });

  it.each([8, 20, 32, 56])('matches the hand-derived formula for ResNet-%i', (depth) => {
    const model = resNetCifar({ depth });
    expect(countParameters(model).trainable).toBe(resnetTrainable(depth));
    model.dispose();
  });

  it('returns stage1 [B,32,32,16], stage2 [B,16,16,32], pool [B,64] and logits [B,10] for 32×32 inputs', () => {
    const model = resNetCifar({ depth: 8, seed: 1 });
    expect(model.name).toBe('resnet-8');
    const x = tf.zeros([1, 32, 32, 3]) as tf.Tensor4D;
    const out = model.apply(x);
    expect(out.logits.shape).toEqual([1, 10]);
    expect(out.features.stage1?.shape).toEqual([1, 32, 32, 16]);
    expect(out.features.stage2?.shape).toEqual([1, 16, 16, 32]);
    expect(out.features.pool?.shape).toEqual([1, 64]);
    tf.dispose([x, out.logits, ...Object.values(out.features)]);
    model.dispose();
  });

  it('rejects a depth that is not 6n + 2', () => {
    expect(() => resNetCifar({ depth: 21 })).toThrow(
      'resNetCifar: options.depth must be 6n + 2 for an integer n >= 1 (e.g. 20, 32, 56), received 21',
    );
    expect(() => resNetCifar({ depth: 2 })).toThrow(
      'resNetCifar: options.depth must be an integer >= 8, received 2',
    );
  });
});
