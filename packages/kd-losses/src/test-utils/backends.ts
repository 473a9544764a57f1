import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect } from 'vitest';

/** Every suite runs on both backends. */
export const BACKENDS = ['cpu', 'wasm'] as const;

export function useBackend(name: string): void {
  beforeAll(async () => {
    await tf.setBackend(name);
    await tf.ready();
  });
}

/** Reads a scalar loss and disposes it. */
export function read(loss: tf.Scalar): number {
  const value = loss.dataSync()[0]!;
  loss.dispose();
  return value;
}

/** |actual − expected| ≤ tolerance · max(1, |expected|), elementwise. */
export function expectClose(actual: number[], expected: number[], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((value, i) => {
    const bound = tolerance * Math.max(1, Math.abs(expected[i]!));
    if (!(Math.abs(value - expected[i]!) <= bound)) {
      throw new Error(`entry ${i}: ${value} differs from ${expected[i]} by more than ${bound}`);
    }
  });
}

/** Runs `body` `times` times and checks that no tensor is left behind. */
export function expectNoLeak(body: () => void, times = 100): void {
  body();
  const before = tf.memory().numTensors;
  for (let i = 0; i < times; i++) body();
  expect(tf.memory().numTensors).toBe(before);
}

/** The gradient of `loss(student)` w.r.t. `student`, as a nested array, with nothing leaked. */
export function gradientOf(loss: (student: tf.Tensor) => tf.Scalar, student: tf.Tensor): number[] {
  const gradient = tf.grad((x: tf.Tensor) => loss(x))(student);
  const values = Array.from(gradient.dataSync());
  gradient.dispose();
  return values;
}
