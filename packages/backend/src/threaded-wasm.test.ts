import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { initBackend } from './init-backend';
import { canUseWasmThreads, createThreadedWasmBackend } from './threaded-wasm';

async function on<T>(backend: string, f: () => T): Promise<T> {
  await tf.setBackend(backend);
  return f();
}

describe('threaded wasm in Node', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('can use worker threads and shared memory here', () => {
    expect(canUseWasmThreads()).toBe(true);
  });

  it('initBackend runs wasm on 2 threads, and the kernels give the cpu results', async () => {
    vi.stubEnv('GEOKD_BACKEND', 'wasm');
    const info = await initBackend({ quiet: true, threads: 2 });
    expect(info).toMatchObject({ name: 'wasm', threads: 2, simd: true });
    expect(info.fallbackReason).toBeUndefined();
    // Node must not look like a browser afterwards.
    expect((globalThis as { Worker?: unknown }).Worker).toBeUndefined();

    const x = tf.randomNormal([8, 12, 12, 16], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 16, 24], 0, 1, 'float32', 2) as tf.Tensor4D;
    const a = tf.randomNormal([96, 80], 0, 1, 'float32', 3);
    const b = tf.randomNormal([80, 72], 0, 1, 'float32', 4);
    const run = () => [
      tf.conv2d(x, w, 1, 'same').arraySync(),
      tf.matMul(a, b).arraySync(),
      tf
        .grad((input) => tf.sum(tf.square(tf.conv2d(input as tf.Tensor4D, w, 2, 'same'))))(x)
        .arraySync(),
    ];
    const threaded = await on('wasm', run);
    const reference = await on('cpu', run);
    await tf.setBackend('wasm');
    for (const [i, result] of threaded.entries()) {
      const got = tf.tensor(result as number[]);
      const want = tf.tensor(reference[i] as number[]);
      const relative = tf.div(tf.norm(tf.sub(got, want)), tf.norm(want)).dataSync()[0];
      expect(relative).toBeLessThan(1e-5);
    }

    // No leaks across repeated threaded kernels.
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) tf.conv2d(x, w, 1, 'same').dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a thread count out of range, naming the argument', () => {
    vi.stubEnv('GEOKD_WASM_THREADS', '');
    expect(() => initBackend({ threads: 0 })).toThrow(
      'initBackend: options.threads must be an integer from 1 to 8, received 0',
    );
    vi.stubEnv('GEOKD_WASM_THREADS', 'two');
    expect(() => initBackend()).toThrow(
      "initBackend: GEOKD_WASM_THREADS must be an integer from 1 to 8, received 'two'",
    );
  });

  it('a standalone threaded backend reports its thread count', async () => {
    const backend = await createThreadedWasmBackend(2);
    expect(backend).toBeDefined();
    backend.dispose();
  });
});
