import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../register-wasm-training-kernels';
import { wasmTrainingKernelConfigs } from './wasm-training-kernels';

describe('wasmTrainingKernelConfigs', () => {
  it('lists kernels that each have a wasm config with a kernel function', () => {
    expect(wasmTrainingKernelConfigs.length).toBeGreaterThan(0);
    for (const config of wasmTrainingKernelConfigs) {
      expect(config.backendName).toBe('wasm');
      expect(typeof config.kernelFunc).toBe('function');
    }
  });

  it('has no kernel name twice', () => {
    const names = wasmTrainingKernelConfigs.map((c) => c.kernelName);
    expect(new Set(names).size).toBe(names.length);
  });

  it('includes the Conv2DBackpropFilter kernel that stock wasm lacks', () => {
    expect(wasmTrainingKernelConfigs.map((c) => c.kernelName)).toContain('Conv2DBackpropFilter');
  });

  it('registers every listed kernel, idempotently', () => {
    const first = registerWasmTrainingKernels();
    const second = registerWasmTrainingKernels();
    expect(second).toEqual(first);
    for (const config of wasmTrainingKernelConfigs) {
      expect(tf.getKernel(config.kernelName, 'wasm')).toBe(config);
    }
  });
});
