import * as tf from '@tensorflow/tfjs-core';
import { registerWebGpuTrainingKernels } from './register-webgpu-training-kernels';
import {
  browserGpu,
  describeAdapter,
  type GpuAdapterLike,
  type GpuLike,
  isNode,
  loadDawn,
  mayHaveHardwareGpu,
  type WebGpuAdapterInfo,
} from './webgpu-adapter';

/** The priority tfjs-backend-webgpu registers itself with. */
const WEBGPU_PRIORITY = 3;

/** Options of {@link loadWebGpu}. */
export interface LoadWebGpuOptions {
  /** Skip (throw) without loading Dawn when no hardware GPU is likely (the default order). */
  onlyIfHardwareLikely: boolean;
  /** Accept a software adapter (lavapipe, SwiftShader). */
  allowSoftwareAdapter: boolean;
}

let active: { adapter: WebGpuAdapterInfo } | undefined;

/** The limits tfjs's webgpu backend relies on, raised to what the adapter offers. */
function deviceDescriptor(adapter: GpuAdapterLike): object {
  const limits = adapter.limits as Record<string, number>;
  const wanted = [
    'maxComputeWorkgroupStorageSize',
    'maxComputeWorkgroupsPerDimension',
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxComputeWorkgroupSizeX',
    'maxComputeInvocationsPerWorkgroup',
  ];
  const requiredLimits: Record<string, number> = {};
  for (const name of wanted) {
    const value = limits[name];
    if (typeof value === 'number') requiredLimits[name] = value;
  }
  const requiredFeatures = ['timestamp-query'].filter((name) => adapter.features.has(name));
  return { requiredLimits, requiredFeatures };
}

async function gpuEntryPoint(onlyIfHardwareLikely: boolean): Promise<GpuLike> {
  const inBrowser = browserGpu();
  if (inBrowser !== undefined) return inBrowser;
  if (!isNode()) throw new Error('this browser has no navigator.gpu');
  if (onlyIfHardwareLikely) {
    const probe = await mayHaveHardwareGpu();
    if (!probe.likely) throw new Error(`no hardware GPU (${probe.reason})`);
  }
  try {
    return await loadDawn();
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new Error(`the optional package 'webgpu' (Dawn) did not load: ${message}`);
  }
}

/**
 * Activates tfjs's `webgpu` backend on the best adapter there is, with the @geokd/backend
 * training kernels, and returns what the adapter is. A backend already initialised (by an
 * earlier call or by the user) is reused.
 *
 * @throws Error saying why when there is no adapter, only a software one (unless allowed), or
 * the backend cannot start.
 */
export async function loadWebGpu(options: LoadWebGpuOptions): Promise<WebGpuAdapterInfo> {
  const existing = tf.engine().registry.webgpu;
  if (existing !== undefined && active !== undefined) {
    if (active.adapter.software && !options.allowSoftwareAdapter) {
      throw new Error(softwareMessage(active.adapter));
    }
    registerWebGpuTrainingKernels();
    if (!(await tf.setBackend('webgpu'))) throw new Error('tf.setBackend returned false');
    return active.adapter;
  }
  const gpu = await gpuEntryPoint(options.onlyIfHardwareLikely);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) throw new Error('no WebGPU adapter');
  const info = describeAdapter(adapter);
  if (info.software && !options.allowSoftwareAdapter) throw new Error(softwareMessage(info));
  const webgpu = await import('@tensorflow/tfjs-backend-webgpu');
  const device = await adapter.requestDevice(deviceDescriptor(adapter));
  const backend = new webgpu.WebGPUBackend(
    device as ConstructorParameters<typeof webgpu.WebGPUBackend>[0],
    adapter.info as ConstructorParameters<typeof webgpu.WebGPUBackend>[1],
  );
  if (tf.findBackendFactory('webgpu') !== null) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => backend, WEBGPU_PRIORITY);
  registerWebGpuTrainingKernels();
  if (!(await tf.setBackend('webgpu'))) throw new Error('tf.setBackend returned false');
  await tf.ready();
  active = { adapter: info };
  return info;
}

function softwareMessage(info: WebGpuAdapterInfo): string {
  return `only a software adapter (${info.description || info.vendor}), slower than wasm; allowSoftwareAdapter or GEOKD_WEBGPU_ALLOW_SOFTWARE=1 accepts it`;
}
