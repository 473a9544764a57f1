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
 * The npm package `webgpu`, or, when `GEOKD_DAWN_NODE` names a `dawn.node` file, that addon
 * itself (for a bundled script brought to a machine without node_modules).
 */
async function importDawn(): Promise<DawnModule> {
  const addon = process.env.GEOKD_DAWN_NODE;
  if (addon !== undefined && addon !== '') {
    const { createRequire } = await import('node:module');
    return createRequire(import.meta.url)(addon) as DawnModule;
  }
  const moduleName = 'webgpu';
  return (await import(/* @vite-ignore */ moduleName)) as DawnModule;
}

/**
 * Loads Dawn (the optional npm package `webgpu`, or the addon `GEOKD_DAWN_NODE` names) in Node once, puts its WebGPU constants
 * (`GPUBufferUsage`, `GPUMapMode`, …) on `globalThis` and its entry point at `navigator.gpu`,
 * where tfjs-backend-webgpu looks for them (its backend refuses to start without
 * `navigator.gpu`). An existing `navigator` (Node 21+) only gains `gpu`.
 */
export function loadDawn(): Promise<GpuLike> {
  if (dawn === undefined) {
    dawn = (async () => {
      const mod = await importDawn();
      for (const [name, value] of Object.entries(mod.globals)) {
        if (!(name in globalThis)) (globalThis as Record<string, unknown>)[name] = value;
      }
      // GEOKD_DAWN_FLAGS: Dawn options, e.g. 'enable-dawn-features=allow_unsafe_apis' (timestamps).
      const flags = (process.env.GEOKD_DAWN_FLAGS ?? '').split(/\s+/).filter(Boolean);
      const gpu = mod.create(flags);
      const holder = globalThis as { navigator?: object };
      if (holder.navigator === undefined) {
        Object.defineProperty(globalThis, 'navigator', {
          value: { gpu },
          configurable: true,
          writable: true,
        });
      } else if (!('gpu' in holder.navigator)) {
        Object.defineProperty(holder.navigator, 'gpu', { value: gpu, configurable: true });
      }
      return gpu;
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

/**
 * Cheap probe, without loading Dawn, for a GPU that Dawn could use: on Linux a GPU device node
 * (`/dev/nvidia0`…, a DRM render node `/dev/dri/renderD*`, WSL's `/dev/dxg`); Vulkan driver
 * manifests say nothing, since Mesa installs them for every vendor. macOS (Metal) and Windows
 * (D3D12) are assumed to have one. Used only to decide whether the default order may load the
 * optional `webgpu` package; the adapter Dawn then reports decides.
 */
export async function mayHaveHardwareGpu(): Promise<{ likely: boolean; reason: string }> {
  if (process.platform === 'darwin' || process.platform === 'win32') {
    return { likely: true, reason: `${process.platform} has a native GPU API` };
  }
  if (process.platform !== 'linux')
    return { likely: false, reason: `platform ${process.platform}` };
  const { readdir } = await import('node:fs/promises');
  const dev = await readdir('/dev').catch(() => [] as string[]);
  const dri = await readdir('/dev/dri').catch(() => [] as string[]);
  const nodes = [
    ...dev.filter((name) => /^nvidia\d+$/.test(name) || name === 'dxg').map((n) => `/dev/${n}`),
    ...dri.filter((name) => name.startsWith('renderD')).map((n) => `/dev/dri/${n}`),
  ];
  if (nodes.length > 0) return { likely: true, reason: `GPU device ${nodes.join(', ')}` };
  return { likely: false, reason: 'no GPU device in /dev (nvidia*, dri/renderD*, dxg)' };
}
