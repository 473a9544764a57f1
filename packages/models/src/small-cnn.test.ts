import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { countParameters } from './count-parameters';
import { smallCnn } from './small-cnn';

describe('smallCnn', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });

  it('counts 9·Cin·C + 2C per block plus the dense layer (5,178 for the defaults)', () => {
    const model = smallCnn();
    // block1: 9·1·16 + 32, block2: 9·16·32 + 64, dense: 32·10 + 10
    expect(countParameters(model)).toEqual({
      trainable: 176 + 4672 + 330,
      total: 176 + 4672 + 330 + 96,
    });
    model.dispose();
  });

  it('halves the spatial size per block and exposes block1, block2 and pool', () => {
    const model = smallCnn({ channels: [4, 6], numClasses: 5, seed: 2 });
    expect(model.featureNames).toEqual(['block1', 'block2', 'pool']);
    expect(model.name).toBe('small-cnn-4-6');
    const x = tf.zeros([3, 28, 28, 1]) as tf.Tensor4D;
    const out = model.apply(x, { training: true });
    expect(out.features.block1?.shape).toEqual([3, 14, 14, 4]);
    expect(out.features.block2?.shape).toEqual([3, 7, 7, 6]);
    expect(out.features.pool?.shape).toEqual([3, 6]);
    expect(out.logits.shape).toEqual([3, 5]);
    tf.dispose([x, out.logits, ...Object.values(out.features)]);
    model.dispose();
  });

  it('rejects an empty channel list and a non-integer channel count', () => {
    expect(() => smallCnn({ channels: [] })).toThrow(
      'smallCnn: options.channels must be a non-empty array of integers >= 1, received []',
    );
    expect(() => smallCnn({ channels: [8, 2.5] })).toThrow(
      'smallCnn: options.channels[1] must be an integer >= 1, received 2.5',
    );
  });

  it('rejects an input with the wrong number of channels, naming the model', () => {
    const model = smallCnn();
    const x = tf.zeros([1, 28, 28, 3]) as tf.Tensor4D;
    expect(() => model.apply(x)).toThrow(
      'small-cnn-16-32.apply: x must be 1 channels (input shape [28, 28, 1]), received 3 channels (shape [1, 28, 28, 3])',
    );
    x.dispose();
    model.dispose();
  });
});
