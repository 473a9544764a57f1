import { InvalidArgumentError } from '@geokd/errors';
import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError } from './backend-unavailable-error';
import { restoreErrorHandlers, snapshotErrorHandlers } from './process-error-handlers';
import { registerWasmTrainingKernels } from './register-wasm-training-kernels';
import { createThreadedWasmBackend, defaultWasmThreads, MAX_WASM_THREADS } from './threaded-wasm';
import type { WebGpuAdapterInfo } from './webgpu-adapter';
import { loadWebGpu } from './webgpu-backend';

/** A backend name that {@link initBackend} knows how to load. */
export type BackendName = 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];
/** The priority tfjs-backend-wasm registers itself with. */
const WASM_PRIORITY = 2;

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /** Backends to try, in order; the first that loads wins. `GEOKD_BACKEND` overrides it.
   * In the default order, `webgpu` is tried only where a hardware GPU is likely (in Node the
   * optional package `webgpu` is not even loaded otherwise); naming it in `prefer` always tries it.
   * @default ['tensorflow', 'webgpu', 'wasm', 'cpu'] */
  prefer?: BackendName[];
  /** Accept a software WebGPU adapter (lavapipe/llvmpipe, SwiftShader): for tests only, it is
   * slower than wasm. `GEOKD_WEBGPU_ALLOW_SOFTWARE=1` sets it too.
   * @default false */
  allowSoftwareAdapter?: boolean;
  /** Do not print the line saying which backend runs and why.
   * @default false */
  quiet?: boolean;
  /** Threads of the wasm backend in Node (tfjs's multi-threaded SIMD build, which stock tfjs
   * never uses in Node); 1 uses the single-threaded build. `GEOKD_WASM_THREADS` overrides it.
   * Ignored by other backends and when wasm was already initialised.
   * @default the logical cores available to Node, at most 8 */
  threads?: number;
}

/** What {@link initBackend} chose. */
export interface BackendInfo {
  /** The active tfjs backend. */
  name: BackendName;
  /** Version of the backend package (tfjs-node) or of tfjs-core (wasm, cpu). */
  version: string;
  /** Threads the backend computes with. */
  threads: number;
  /** Whether the wasm SIMD build runs (false for other backends). */
  simd: boolean;
  /** The WebGPU adapter, when `name` is `'webgpu'`. */
  adapter?: WebGpuAdapterInfo;
  /** Why preferred backends were skipped, or why wasm runs on fewer threads than asked. */
  fallbackReason?: string;
  /** Each preferred backend that was skipped, and why (same facts as `fallbackReason`). */
  skipped?: { backend: BackendName; reason: string }[];
}

let current: Promise<BackendInfo> | undefined;
let currentKey = '';

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

async function loadTensorflow(): Promise<string> {
  const moduleName = '@tensorflow/tfjs-node';
  const mod = (await import(/* @vite-ignore */ moduleName)) as {
    version?: { 'tfjs-node'?: string };
  };
  if (tf.findBackend('tensorflow') === null) {
    throw new Error(
      'tfjs-node loaded but registered its backend on another copy of @tensorflow/tfjs-core',
    );
  }
  if (!(await tf.setBackend('tensorflow'))) throw new Error('tf.setBackend returned false');
  return mod.version?.['tfjs-node'] ?? tf.version_core;
}

async function loadWasm(
  threads: number,
): Promise<{ threads: number; simd: boolean; note?: string }> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  registerWasmTrainingKernels();
  if (tf.findBackendFactory('wasm') === null) {
    throw new Error('tfjs-backend-wasm registered on another copy of @tensorflow/tfjs-core');
  }
  let note: string | undefined;
  const alreadyInitialised = tf.engine().registry.wasm !== undefined;
  if (threads > 1 && !alreadyInitialised) {
    try {
      const backend = await createThreadedWasmBackend(threads);
      tf.removeBackend('wasm');
      tf.registerBackend('wasm', () => backend, WASM_PRIORITY);
    } catch (error) {
      note = `wasm threads unavailable (${describe(error)}), using 1 thread`;
    }
  }
  if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend returned false');
  await tf.ready();
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const result: { threads: number; simd: boolean; note?: string } = {
    simd,
    threads: Math.max(1, wasm.getThreadsCount()),
  };
  if (note !== undefined) result.note = note;
  return result;
}

async function loadCpu(): Promise<void> {
  await import('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend('cpu'))) throw new Error('tf.setBackend returned false');
  await tf.ready();
}

interface InitialiseOptions {
  order: BackendName[];
  forced: boolean;
  /** Whether `webgpu` was named by the caller (prefer or GEOKD_BACKEND), not just defaulted. */
  webgpuAsked: boolean;
  allowSoftwareAdapter: boolean;
  quiet: boolean;
  wasmThreads: number | undefined;
}

function describeChoice(info: BackendInfo): string {
  const details =
    info.name === 'wasm'
      ? `threads ${info.threads}, simd ${info.simd}`
      : info.adapter !== undefined
        ? `${info.adapter.vendor || 'unknown vendor'} ${info.adapter.description || info.adapter.architecture}${info.adapter.software ? ', software' : ''}`
        : `threads ${info.threads}`;
  return `${info.name} ${info.version} (${details})`;
}

async function initialise(options: InitialiseOptions): Promise<BackendInfo> {
  const { order, forced, quiet } = options;
  const skipped: { backend: BackendName; reason: string }[] = [];
  for (const name of order) {
    try {
      let threads = 1;
      let simd = false;
      let version = tf.version_core;
      let adapter: WebGpuAdapterInfo | undefined;
      if (name === 'tensorflow') version = await loadTensorflow();
      else if (name === 'webgpu') {
        adapter = await loadWebGpu({
          onlyIfHardwareLikely: !options.webgpuAsked,
          allowSoftwareAdapter: options.allowSoftwareAdapter,
        });
      } else if (name === 'wasm') {
        let note: string | undefined;
        ({ threads, simd, note } = await loadWasm(
          options.wasmThreads ?? (await defaultWasmThreads()),
        ));
        if (note !== undefined) skipped.push({ backend: 'wasm', reason: note });
      } else await loadCpu();
      const info: BackendInfo = { name, version, threads, simd };
      if (adapter !== undefined) info.adapter = adapter;
      if (skipped.length > 0) {
        info.skipped = skipped;
        info.fallbackReason = skipped
          .map((s) => (s.backend === name ? s.reason : `${s.backend} unavailable (${s.reason})`))
          .join('; ');
      }
      if (!quiet) {
        const why = forced
          ? 'forced by GEOKD_BACKEND'
          : skipped.length > 0
            ? `fallback: ${info.fallbackReason}`
            : 'first choice';
        console.log(`[geokd] backend ${describeChoice(info)}: ${why}`);
      }
      return info;
    } catch (error) {
      if (forced) throw new BackendUnavailableError(name, describe(error), error);
      skipped.push({ backend: name, reason: describe(error) });
    }
  }
  throw new BackendUnavailableError(
    order.join(', '),
    skipped.map((s) => `${s.backend} unavailable (${s.reason})`).join('; '),
  );
}

/**
 * Runs {@link initialise} and then takes away the `uncaughtException`/`unhandledRejection`
 * handlers that Emscripten's wasm glue installs (issue 16: with them, any later uncaught error
 * prints ~55 KB of minified glue and exits with code 7).
 */
async function initialiseKeepingErrorHandlers(options: InitialiseOptions): Promise<BackendInfo> {
  const handlers = snapshotErrorHandlers();
  try {
    return await initialise(options);
  } finally {
    restoreErrorHandlers(handlers);
  }
}

function checkThreads(value: number, argument: string, received: string): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_WASM_THREADS) {
    throw new InvalidArgumentError({
      functionName: 'initBackend',
      argument,
      expected: `an integer from 1 to ${MAX_WASM_THREADS}`,
      received,
    });
  }
  return value;
}

/**
 * Picks and activates the fastest TensorFlow.js backend that loads: native `tensorflow`
 * (tfjs-node, an optional dependency), then `webgpu` on a hardware GPU adapter (in browsers
 * `navigator.gpu`; in Node Dawn from the optional package `webgpu`, with
 * {@link registerWebGpuTrainingKernels}), then `wasm` (with {@link registerWasmTrainingKernels}),
 * then the pure-JS `cpu`. A software WebGPU adapter (lavapipe, SwiftShader) is never chosen unless
 * `allowSoftwareAdapter`. The environment variable `GEOKD_BACKEND=tensorflow|webgpu|wasm|cpu`
 * forces one backend, with no fallback. Loading wasm leaves the process's
 * `uncaughtException`/`unhandledRejection` handlers as they were (Emscripten's are removed). In Node, wasm runs tfjs's multi-threaded SIMD build with `threads`
 * XNNPACK threads (default: the available cores, at most 8); if that build cannot start, it
 * falls back to one thread and says why in `fallbackReason`. Prints one line naming the backend
 * and why, unless `quiet`.
 * Idempotent: later calls with the same choice return the same result.
 *
 * @throws {InvalidArgumentError} when `GEOKD_BACKEND` or `prefer` names an unknown backend, or
 * `threads` / `GEOKD_WASM_THREADS` is not an integer from 1 to 8.
 * @throws {BackendUnavailableError} when the forced backend (or every preferred one) fails to load.
 * @example
 * ```ts
 * const info = await initBackend();
 * // [geokd] backend wasm 4.22.0 (threads 2, simd true): fallback: tensorflow unavailable (...)
 * ```
 */
export function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const env = typeof process === 'undefined' ? undefined : process.env.GEOKD_BACKEND;
  const forcedName = env === undefined || env === '' ? undefined : env.trim().toLowerCase();
  if (forcedName !== undefined && !BACKEND_NAMES.includes(forcedName as BackendName)) {
    throw new InvalidArgumentError({
      functionName: 'initBackend',
      argument: 'GEOKD_BACKEND',
      expected: `one of ${BACKEND_NAMES.join(', ')}`,
      received: `'${env}'`,
    });
  }
  const prefer = options.prefer ?? [...BACKEND_NAMES];
  if (!Array.isArray(prefer) || prefer.length === 0) {
    throw new InvalidArgumentError({
      functionName: 'initBackend',
      argument: 'options.prefer',
      expected: 'a non-empty array of backend names',
      received: JSON.stringify(prefer),
    });
  }
  for (const [i, name] of prefer.entries()) {
    if (!BACKEND_NAMES.includes(name)) {
      throw new InvalidArgumentError({
        functionName: 'initBackend',
        argument: `options.prefer[${i}]`,
        expected: `one of ${BACKEND_NAMES.join(', ')}`,
        received: `'${String(name)}'`,
      });
    }
  }
  const threadsEnv = typeof process === 'undefined' ? undefined : process.env.GEOKD_WASM_THREADS;
  const threads =
    threadsEnv !== undefined && threadsEnv !== ''
      ? checkThreads(Number(threadsEnv.trim()), 'GEOKD_WASM_THREADS', `'${threadsEnv}'`)
      : options.threads === undefined
        ? undefined
        : checkThreads(options.threads, 'options.threads', String(options.threads));
  const order = forcedName === undefined ? prefer : [forcedName as BackendName];
  const softwareEnv =
    typeof process === 'undefined' ? undefined : process.env.GEOKD_WEBGPU_ALLOW_SOFTWARE;
  const allowSoftwareAdapter =
    options.allowSoftwareAdapter === true || softwareEnv === '1' || softwareEnv === 'true';
  const key = `${forcedName !== undefined}:${order.join(',')}:${threads ?? 'default'}:${allowSoftwareAdapter}`;
  if (current !== undefined && key === currentKey) return current;
  currentKey = key;
  current = initialiseKeepingErrorHandlers({
    order,
    forced: forcedName !== undefined,
    webgpuAsked: forcedName !== undefined || options.prefer !== undefined,
    allowSoftwareAdapter,
    quiet: options.quiet ?? false,
    wasmThreads: threads,
  });
  current.catch(() => {
    current = undefined;
    currentKey = '';
  });
  return current;
}
