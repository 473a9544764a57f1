import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../init-backend';

/** Whether the webgpu tests can run here, and why not. Test helper; not exported by the package. */
export interface WebGpuTestSetup {
  available: boolean;
  /** Why webgpu is unavailable (empty when available). */
  reason: string;
  /** Whether a missing adapter must fail the tests instead of skipping them (CI=true). */
  required: boolean;
  /** Whether the adapter is a software one (lavapipe in CI). */
  software: boolean;
}

/**
 * Activates the `webgpu` backend on whatever adapter there is, software included (lavapipe in
 * CI), then switches back to `cpu`. Outside CI a missing adapter skips the webgpu tests with the
 * reason printed; with `CI=true` it is a failure, so CI really runs them.
 */
export async function setUpWebGpuForTests(): Promise<WebGpuTestSetup> {
  const required = process.env.CI === 'true';
  try {
    const info = await initBackend({
      prefer: ['webgpu'],
      allowSoftwareAdapter: true,
      quiet: true,
    });
    await tf.setBackend('cpu');
    return { available: true, reason: '', required, software: info.adapter?.software === true };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (!required) {
      console.warn(
        `[geokd] skipping the webgpu tests: ${reason}. Install Mesa's lavapipe (mesa-vulkan-drivers from bookworm-backports), see packages/backend/README.md.`,
      );
    }
    return { available: false, reason, required, software: false };
  }
}

/** The active webgpu backend's count of GPU buffers in use (tfjs's buffer manager). */
export function webGpuBuffersInUse(): number {
  const backend = tf.findBackend('webgpu') as unknown as {
    bufferManager: { getNumUsedBuffers(): number };
  } | null;
  if (backend === null) throw new Error('the webgpu backend is not initialised');
  return backend.bufferManager.getNumUsedBuffers();
}
