import type * as tf from '@tensorflow/tfjs-core';

/**
 * The most threads the wasm build can use: Emscripten pre-spawns 8 workers and tfjs caps its
 * XNNPACK thread pool at 8.
 */
export const MAX_WASM_THREADS = 8;

const PACKAGE = '@tensorflow/tfjs-backend-wasm';
const FACTORY_FILE = 'wasm-out/tfjs-backend-wasm-threaded-simd.js';
const WORKER_FILE = 'wasm-out/tfjs-backend-wasm-threaded-simd.worker.js';
const INIT_TIMEOUT_MS = 30_000;

/** The Emscripten module of the threaded SIMD build, as tfjs's `BackendWasm` expects it. */
type WasmModule = {
  PThread?: { runningWorkers?: { unref?: () => void }[] };
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: number[]) => number;
  tfjs?: Record<string, (...args: number[]) => number>;
};
type ModuleFactory = (config: Record<string, unknown>) => Promise<WasmModule>;

/** True where Node's worker threads and shared wasm memory are available. */
export function canUseWasmThreads(): boolean {
  return (
    typeof process !== 'undefined' &&
    typeof process.versions?.node === 'string' &&
    typeof SharedArrayBuffer !== 'undefined'
  );
}

/** The default thread count: the logical cores Node may use, at most {@link MAX_WASM_THREADS}. */
export async function defaultWasmThreads(): Promise<number> {
  if (!canUseWasmThreads()) return 1;
  const os = await import('node:os');
  const cores =
    typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(cores, MAX_WASM_THREADS));
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    timer.unref?.();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Writes the pthread worker script once per tfjs version into the temp folder. tfjs ships it as a
 * string meant for a `blob:` URL, which Node's `Worker` cannot load (tfjs issue 3830); a file
 * path works. Written to a temporary name and renamed, so a concurrent process never reads half.
 */
async function workerScriptPath(workerContents: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  const { mkdir, readFile, rename, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  // Inside the template string, "\n" escapes became real newlines; restore them as tfjs does.
  const script = workerContents.replace(/\n/g, '\\n');
  const hash = createHash('sha256').update(script).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'geokd-wasm-threads');
  const path = join(dir, `pthread-worker-${hash}.cjs`);
  const existing = await readFile(path, 'utf8').catch(() => undefined);
  if (existing === script) return path;
  await mkdir(dir, { recursive: true });
  const partial = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(partial, script);
  await rename(partial, path);
  return path;
}

/**
 * Loads the Emscripten factory with a private `require` whose `os.cpus()` reports two logical
 * cores per wanted thread: tfjs's C++ side caps its pool at half the logical cores (it assumes
 * hyper-threading), which would leave one thread on a 2-core machine. Nothing global is patched.
 */
async function loadFactory(factoryPath: string, threads: number): Promise<ModuleFactory> {
  const { createRequire } = await import('node:module');
  const { readFile } = await import('node:fs/promises');
  const { dirname } = await import('node:path');
  const os = await import('node:os');
  const source = await readFile(factoryPath, 'utf8');
  const requireFromFactory = createRequire(factoryPath);
  const realCpus = os.cpus();
  const osForFactory = {
    ...os,
    cpus: () => Array.from({ length: 2 * threads }, (_, i) => realCpus[i % realCpus.length]),
  };
  const scopedRequire = (id: string): unknown =>
    id === 'os' || id === 'node:os' ? osForFactory : requireFromFactory(id);
  const moduleObject: { exports: unknown } = { exports: {} };
  const evaluate = new Function('require', 'module', 'exports', '__filename', '__dirname', source);
  evaluate(scopedRequire, moduleObject, moduleObject.exports, factoryPath, dirname(factoryPath));
  const factory = moduleObject.exports as ModuleFactory | { default?: ModuleFactory };
  const fn = typeof factory === 'function' ? factory : factory.default;
  if (typeof fn !== 'function') throw new Error(`${FACTORY_FILE} did not export a module factory`);
  return fn;
}

/**
 * Instantiates tfjs's multi-threaded SIMD wasm build in Node with `threads` XNNPACK threads and
 * returns a `tf.KernelBackend` factory for it. Stock tfjs-backend-wasm never uses this build in
 * Node; every kernel registered for `wasm` (stock and ours) runs on it unchanged.
 *
 * @throws Error when the build cannot start (no worker threads, no shared memory, timeout).
 */
export async function createThreadedWasmBackend(threads: number): Promise<tf.KernelBackend> {
  if (!canUseWasmThreads()) throw new Error('worker threads or SharedArrayBuffer are unavailable');
  const wasmPackage = await import('@tensorflow/tfjs-backend-wasm');
  const { createRequire } = await import('node:module');
  const { join } = await import('node:path');
  const requireHere = createRequire(import.meta.url);
  const packageRoot = join(requireHere.resolve(`${PACKAGE}/package.json`), '..');
  const factoryPath = join(packageRoot, FACTORY_FILE);
  const { wasmWorkerContents } = requireHere(join(packageRoot, WORKER_FILE)) as {
    wasmWorkerContents: string;
  };
  const workerPath = await workerScriptPath(wasmWorkerContents);
  const factory = await loadFactory(factoryPath, threads);

  // Emscripten assigns Node's Worker to globalThis.Worker while it spawns its worker pool;
  // put back what was there so nothing else mistakes Node for a browser.
  const hadWorker = Object.getOwnPropertyDescriptor(globalThis, 'Worker');
  let pending: Promise<WasmModule>;
  try {
    pending = factory({
      locateFile: (file: string) =>
        file.endsWith('.worker.js') ? workerPath : join(packageRoot, 'wasm-out', file),
      // Workers evaluate this file to get the factory; a path works in Node, a Blob does not.
      mainScriptUrlOrBlob: factoryPath,
    });
  } finally {
    if (hadWorker === undefined) delete (globalThis as { Worker?: unknown }).Worker;
    else Object.defineProperty(globalThis, 'Worker', hadWorker);
  }
  const module = await withTimeout(pending, INIT_TIMEOUT_MS, 'the threaded wasm module');
  // The C entry points BackendWasm calls, under the names tfjs's own loader gives them.
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  wasmPackage.setThreadsCount(threads);
  const backend = new wasmPackage.BackendWasm(module as never);
  const actual = wasmPackage.getThreadsCount();
  if (actual !== threads) {
    backend.dispose();
    throw new Error(`asked for ${threads} threads, the thread pool has ${actual}`);
  }
  // The pool's threads wait for work for the life of the process; unreferenced, they no longer
  // keep Node from exiting when the program is done (Emscripten references them at spawn).
  for (const worker of module.PThread?.runningWorkers ?? []) worker.unref?.();
  return backend;
}
