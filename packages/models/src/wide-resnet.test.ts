import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { countParameters } from './count-parameters';
import { wideResNet } from './wide-resnet';

/**
 * Hand-derived trainable-parameter count of the seed's WRN: stem conv 3·3·C·16 + BN 2·16; per
 * block two 3×3 convs + two BNs (2 per channel), plus a 1×1 conv + BN shortcut when the shape
 * changes; dense 64w·classes + classes.
 */
function wrnTrainable(depth: number, width: number, classes = 10, inChannels = 3): number {
  const n = (depth - 4) / 6;
  const ch = [16, Math.floor(16 * width), Math.floor(32 * width), Math.floor(64 * width)];
  let total = 9 * inChannels * 16 + 2 * 16;
  for (let s = 1; s <= 3; s++) {
    const cin = ch[s - 1] as number;
    const c = ch[s] as number;
    const stride = s === 1 ? 1 : 2;
    total += 9 * cin * c + 2 * c + 9 * c * c + 2 * c;
    if (stride !== 1 || cin !== c) total += cin * c + 2 * c;
    total += (n - 1) * (2 * 9 * c * c + 4 * c);
  }
  return total + (ch[3] as number) * classes + classes;
}

/** Moving statistics: two per channel of every BN. */
function wrnBnChannels(depth: number, width: number): number {
  const n = (depth - 4) / 6;
  const ch = [16, Math.floor(16 * width), Math.floor(32 * width), Math.floor(64 * width)];
  let total = 16;
  for (let s = 1; s <= 3; s++) {
    const c = ch[s] as number;
    total += 2 * c * n;
    if (s > 1 || ch[0] !== c) total += c;
  }
  return total;
}

describe('wideResNet', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });

  it('has exactly the seed parameter counts: WRN-28-1 369,690 and WRN-28-0.5 94,154', () => {
    const a = wideResNet({ depth: 28, width: 1 });
    const b = wideResNet({ depth: 28, width: 0.5 });
    expect(countParameters(a).trainable).toBe(369_690);
    expect(countParameters(b).trainable).toBe(94_154);
    a.dispose();
    b.dispose();
  });

  it.each([
    [16, 1],
    [16, 2],
    [28, 1],
    [28, 0.5],
    [40, 1],
    [10, 4],
  ])('matches the hand-derived formula for WRN-%i-%s (trainable and total)', (depth, width) => {
    const model = wideResNet({ depth, width });
    const counts = countParameters(model);
    expect(counts.trainable).toBe(wrnTrainable(depth, width));
    expect(counts.total).toBe(wrnTrainable(depth, width) + 2 * wrnBnChannels(depth, width));
    model.dispose();
  });

  it('returns logits and the stage1, stage2 and pool taps with the expected shapes', () => {
    const model = wideResNet({
      depth: 10,
      width: 1,
      numClasses: 7,
      inputShape: [16, 16, 3],
      seed: 1,
    });
    expect(model.featureNames).toEqual(['stage1', 'stage2', 'pool']);
    expect(model.name).toBe('wrn-10-1');
    const x = tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const out = model.apply(x);
    expect(out.logits.shape).toEqual([2, 7]);
    expect(out.features.stage1?.shape).toEqual([2, 16, 16, 16]);
    expect(out.features.stage2?.shape).toEqual([2, 8, 8, 32]);
    expect(out.features.pool?.shape).toEqual([2, 64]);
    tf.dispose([x, out.logits, ...Object.values(out.features)]);
    model.dispose();
  });

  it('gives the same initial weights for the same seed and different ones for another seed', () => {
    const a = wideResNet({ depth: 10, width: 0.5, seed: 5 });
    const b = wideResNet({ depth: 10, width: 0.5, seed: 5 });
    const c = wideResNet({ depth: 10, width: 0.5, seed: 6 });
    const first = (m: typeof a) => Array.from(m.parameters[0]?.variable.dataSync() ?? []);
    expect(first(a)).toEqual(first(b));
    expect(first(a)).not.toEqual(first(c));
    for (const m of [a, b, c]) m.dispose();
  });

  it('initialises conv kernels He-normal: std sqrt(2 / fan-in) within 5%', () => {
    const model = wideResNet({ depth: 28, width: 1, seed: 2 });
    const kernel = model.parameters.find((p) => p.name === 'stage3/block1/conv1/kernel');
    const values = kernel?.variable.dataSync() ?? new Float32Array();
    let sumSq = 0;
    for (const v of values) sumSq += v * v;
    const std = Math.sqrt(sumSq / values.length);
    expect(values.length).toBe(9 * 64 * 64);
    expect(Math.abs(std / Math.sqrt(2 / (9 * 64)) - 1)).toBeLessThan(0.05);
    model.dispose();
  });

  it('flags batch-norm parameters and biases as free of weight decay and moving statistics as untrainable', () => {
    const model = wideResNet({ depth: 10, width: 1 });
    for (const p of model.parameters) {
      const isBn = /\/(gamma|beta|moving_mean|moving_variance)$/.test(p.name);
      const isBias = p.name.endsWith('/bias');
      expect(p.weightDecay).toBe(!isBn && !isBias);
      expect(p.trainable).toBe(!p.name.includes('moving_'));
    }
    model.dispose();
  });

  it('rejects a depth that is not 6n + 4 and a width with no channels', () => {
    expect(() => wideResNet({ depth: 20, width: 1 })).toThrow(
      'wideResNet: options.depth must be 6n + 4 for an integer n >= 1 (e.g. 16, 28, 40), received 20',
    );
    expect(() => wideResNet({ depth: 16, width: 0.05 })).toThrow(
      'wideResNet: options.width must be a finite number >= 1/16, received 0.05',
    );
    expect(() => wideResNet({ depth: 16, width: 1, inputShape: [32, 32] as never })).toThrow(
      'wideResNet: options.inputShape must be [height, width, channels] of positive integers, received [32,32]',
    );
  });
});
