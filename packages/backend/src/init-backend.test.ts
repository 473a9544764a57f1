import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackendUnavailableError } from './backend-unavailable-error';
import { initBackend } from './init-backend';

describe('initBackend', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('falls back to wasm here because tfjs-node cannot load, and says why', async () => {
    vi.stubEnv('GEOKD_BACKEND', '');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const info = await initBackend();
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.simd).toBe(true);
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(info.version).toBe(tf.version_core);
    expect(info.fallbackReason).toMatch(
      /^tensorflow unavailable \(.+\); webgpu unavailable \(.+\)/,
    );
    // No hardware GPU here (CI, this machine): webgpu is skipped without loading Dawn, or, with
    // lavapipe and a GPU device node, because a software adapter is never chosen by default.
    expect(info.skipped?.map((s) => s.backend)).toEqual(['tensorflow', 'webgpu']);
    expect(info.skipped?.[1]?.reason).toMatch(/^no hardware GPU|^only a software adapter/);
    expect(info.adapter).toBeUndefined();
    expect(log).toHaveBeenCalledTimes(1);
    expect(String(log.mock.calls[0]?.[0])).toMatch(
      /backend wasm .*fallback: tensorflow unavailable/,
    );
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it('returns the same result when called again', async () => {
    vi.stubEnv('GEOKD_BACKEND', '');
    const first = await initBackend({ quiet: true });
    const second = await initBackend({ quiet: true });
    expect(second).toBe(first);
  });

  it('uses the cpu backend when GEOKD_BACKEND=cpu', async () => {
    vi.stubEnv('GEOKD_BACKEND', 'cpu');
    const info = await initBackend({ quiet: true });
    expect(info.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(info.fallbackReason).toBeUndefined();
  });

  it('throws BackendUnavailableError when the forced backend fails to load, without falling back', async () => {
    vi.stubEnv('GEOKD_BACKEND', 'tensorflow');
    const before = tf.getBackend();
    const error = await initBackend({ quiet: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toMatch(
      /^initBackend: backend 'tensorflow' was requested but could not be loaded: .+/,
    );
    expect(tf.getBackend()).toBe(before);
  });

  it('rejects an unknown GEOKD_BACKEND', () => {
    vi.stubEnv('GEOKD_BACKEND', 'gpu');
    expect(() => initBackend()).toThrow(
      "initBackend: GEOKD_BACKEND must be one of tensorflow, webgpu, wasm, cpu, received 'gpu'",
    );
  });

  it('rejects an unknown preferred backend', () => {
    vi.stubEnv('GEOKD_BACKEND', '');
    expect(() => initBackend({ prefer: ['wasm', 'gpu' as 'cpu'] })).toThrow(
      "initBackend: options.prefer[1] must be one of tensorflow, webgpu, wasm, cpu, received 'gpu'",
    );
  });
});
