/** What {@link initBackend} learned about the WebGPU adapter it was given. */
export interface WebGpuAdapterInfo {
  /** The adapter's vendor, e.g. `'nvidia'`, `'mesa'`, `'google'` (may be empty). */
  vendor: string;
  /** The adapter's architecture, e.g. `'hopper'` (may be empty). */
  architecture: string;
  /** The adapter's description or device name, e.g. `'llvmpipe (LLVM 19.1.7, 256 bits)'`. */
  description: string;
  /** True for a CPU-emulated adapter (lavapipe/llvmpipe, SwiftShader, WARP): slower than wasm. */
  software: boolean;
}

/** The parts of a WebGPU adapter that @geokd/backend uses (structural, to stay free of DOM types). */
export interface GpuAdapterLike {
  readonly features: { has(name: string): boolean };
  readonly limits: Record<string, number> | object;
  readonly info?: Record<string, unknown>;
  readonly isFallbackAdapter?: boolean;
  requestDevice(descriptor?: object): Promise<unknown>;
}

/** The parts of `navigator.gpu` (or Dawn's `create()`) that @geokd/backend uses. */
export interface GpuLike {
  requestAdapter(options?: object): Promise<GpuAdapterLike | null>;
}

const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|swiftshader|software|microsoft basic render|\bwarp\b/i;

/** Reads vendor, architecture and description of an adapter and classifies it as software or not. */
export function describeAdapter(adapter: GpuAdapterLike): WebGpuAdapterInfo {
  const info = adapter.info ?? {};
  const text = (key: string): string => {
    const value = info[key];
    return typeof value === 'string' ? value : '';
  };
  const description = text('description') || text('device');
  const fallback = adapter.isFallbackAdapter === true || info.isFallbackAdapter === true;
  const software =
    fallback ||
    SOFTWARE_ADAPTER.test(`${description} ${text('device')} ${text('architecture')}`) ||
    // Dawn reports lavapipe as vendor 'mesa' with architecture 'llvm'.
    (text('vendor') === 'mesa' && text('architecture') === 'llvm');
  return {
    vendor: text('vendor'),
    architecture: text('architecture'),
    description,
    software,
  };
}

type DawnModule = {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
};

let dawn: Promise<GpuLike> | undefined;

/**
 * Loads Dawn (the optional npm package `webgpu`) in Node once, and puts its WebGPU constants
 * (`GPUBufferUsage`, `GPUMapMode`, …) on `globalThis`, where tfjs-backend-webgpu looks for them.
 * `navigator` is left alone.
 */
export function loadDawn(): Promise<GpuLike> {
  if (dawn === undefined) {
    dawn = (async () => {
      const moduleName = 'webgpu';
      const mod = (await import(/* @vite-ignore */ moduleName)) as DawnModule;
      for (const [name, value] of Object.entries(mod.globals)) {
        if (!(name in globalThis)) (globalThis as Record<string, unknown>)[name] = value;
      }
      return mod.create([]);
    })();
    dawn.catch(() => {
      dawn = undefined;
    });
  }
  return dawn;
}

/** The browser's `navigator.gpu`, when there is one. */
export function browserGpu(): GpuLike | undefined {
  const nav = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
  return nav?.gpu ?? undefined;
}

/** True in Node (where WebGPU comes from Dawn), false in browsers and workers. */
export function isNode(): boolean {
  return (
    typeof process !== 'undefined' &&
    typeof process.versions?.node === 'string' &&
    browserGpu() === undefined
  );
}

const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
const SOFTWARE_ICD = /lvp|lavapipe|swiftshader|llvmpipe/i;

/**
 * Cheap probe, without loading Dawn, for a hardware GPU that Dawn could use: on Linux a Vulkan
 * driver manifest (ICD) other than a software one; on macOS (Metal) and Windows (D3D12) always
 * assumed. Used only to decide whether the default order may load the optional `webgpu` package.
 */
export async function mayHaveHardwareGpu(): Promise<{ likely: boolean; reason: string }> {
  if (process.platform === 'darwin' || process.platform === 'win32') {
    return { likely: true, reason: `${process.platform} has a native GPU API` };
  }
  if (process.platform !== 'linux')
    return { likely: false, reason: `platform ${process.platform}` };
  const { readdir } = await import('node:fs/promises');
  const explicit = process.env.VK_ICD_FILENAMES ?? process.env.VK_DRIVER_FILES ?? '';
  const manifests = explicit === '' ? [] : explicit.split(':');
  if (manifests.length === 0) {
    for (const dir of ICD_DIRS) {
      const names = await readdir(dir).catch(() => [] as string[]);
      manifests.push(...names.filter((name) => name.endsWith('.json')));
    }
  }
  const hardware = manifests.filter((name) => !SOFTWARE_ICD.test(name));
  if (hardware.length > 0) return { likely: true, reason: `Vulkan drivers ${hardware.join(', ')}` };
  return {
    likely: false,
    reason:
      manifests.length === 0
        ? 'no Vulkan driver installed'
        : `only software Vulkan drivers (${manifests.join(', ')})`,
  };
}
