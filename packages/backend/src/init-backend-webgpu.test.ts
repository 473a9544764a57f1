import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackendUnavailableError } from './backend-unavailable-error';
import { initBackend } from './init-backend';
import { webGpuConv2dBackpropFilterConfig } from './kernels/webgpu-conv2d-backprop-filter';
import { setUpWebGpuForTests } from './kernels/webgpu-test-setup';

const setup = await setUpWebGpuForTests();
// These tests expect what CI has: a software adapter (lavapipe) and no hardware one.
describe.skipIf((!setup.available && !setup.required) || (setup.available && !setup.software))(
  'initBackend with webgpu (software adapter)',
  () => {
    afterEach(() => {
      vi.unstubAllEnvs();
      vi.restoreAllMocks();
    });

    it('skips a software adapter named in prefer, says why, and falls back', async () => {
      vi.stubEnv('GEOKD_BACKEND', '');
      vi.stubEnv('GEOKD_WEBGPU_ALLOW_SOFTWARE', '');
      const info = await initBackend({ prefer: ['webgpu', 'cpu'], quiet: true });
      expect(info.name).toBe('cpu');
      expect(info.skipped?.[0]?.backend).toBe('webgpu');
      expect(info.skipped?.[0]?.reason).toMatch(
        /^only a software adapter \(llvmpipe|^only a software adapter \(/,
      );
      expect(info.fallbackReason).toMatch(/^webgpu unavailable \(only a software adapter/);
    });

    it('uses the software adapter when allowed, reports it, and trains through our kernel', async () => {
      vi.stubEnv('GEOKD_BACKEND', '');
      const log = vi.spyOn(console, 'log').mockImplementation(() => {});
      const info = await initBackend({ prefer: ['webgpu', 'cpu'], allowSoftwareAdapter: true });
      expect(info.name).toBe('webgpu');
      expect(tf.getBackend()).toBe('webgpu');
      expect(info.adapter?.software).toBe(true);
      expect(info.adapter?.description).not.toBe('');
      expect(String(log.mock.calls[0]?.[0])).toMatch(
        /^\[geokd\] backend webgpu .*software\): first choice/,
      );
      expect(tf.getKernel(tf.Conv2DBackpropFilter, 'webgpu')).toBe(
        webGpuConv2dBackpropFilterConfig,
      );
      const x = tf.ones([1, 4, 4, 2]) as tf.Tensor4D;
      const w = tf.ones([3, 3, 2, 1]) as tf.Tensor4D;
      const grad = tf.grad((f: tf.Tensor) => tf.sum(tf.conv2d(x, f as tf.Tensor4D, 1, 'valid')))(w);
      // Each filter tap sees all four 2×2 output positions of a ones input.
      expect(Array.from(await grad.data())).toEqual(new Array(18).fill(4));
      tf.dispose([x, w, grad]);
    });

    it('is forced by GEOKD_BACKEND=webgpu with GEOKD_WEBGPU_ALLOW_SOFTWARE=1', async () => {
      vi.stubEnv('GEOKD_BACKEND', 'webgpu');
      vi.stubEnv('GEOKD_WEBGPU_ALLOW_SOFTWARE', '1');
      const info = await initBackend({ quiet: true });
      expect(info.name).toBe('webgpu');
      expect(info.fallbackReason).toBeUndefined();
    });

    it('throws BackendUnavailableError for a forced webgpu with only a software adapter', async () => {
      vi.stubEnv('GEOKD_BACKEND', 'webgpu');
      vi.stubEnv('GEOKD_WEBGPU_ALLOW_SOFTWARE', '');
      const error = await initBackend({ quiet: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BackendUnavailableError);
      expect((error as Error).message).toMatch(
        /^initBackend: backend 'webgpu' was requested but could not be loaded: only a software adapter/,
      );
    });
  },
);
