import { InvalidArgumentError } from '@geokd/errors';
import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError } from './backend-unavailable-error';
import { registerWasmTrainingKernels } from './register-wasm-training-kernels';

/** A backend name that {@link initBackend} knows how to load. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /** Backends to try, in order; the first that loads wins. `GEOKD_BACKEND` overrides it.
   * @default ['tensorflow', 'wasm', 'cpu'] */
  prefer?: BackendName[];
  /** Do not print the line saying which backend runs and why.
   * @default false */
  quiet?: boolean;
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
  /** Why preferred backends were skipped, when some were. */
  fallbackReason?: string;
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

async function loadWasm(): Promise<{ threads: number; simd: boolean }> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  registerWasmTrainingKernels();
  if (tf.findBackendFactory('wasm') === null) {
    throw new Error('tfjs-backend-wasm registered on another copy of @tensorflow/tfjs-core');
  }
  if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend returned false');
  await tf.ready();
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const multithread = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
  return { simd, threads: multithread ? wasm.getThreadsCount() : 1 };
}

async function loadCpu(): Promise<void> {
  await import('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend('cpu'))) throw new Error('tf.setBackend returned false');
  await tf.ready();
}

async function initialise(order: BackendName[], forced: boolean, quiet: boolean) {
  const skipped: string[] = [];
  for (const name of order) {
    try {
      let threads = 1;
      let simd = false;
      let version = tf.version_core;
      if (name === 'tensorflow') version = await loadTensorflow();
      else if (name === 'wasm') ({ threads, simd } = await loadWasm());
      else await loadCpu();
      const info: BackendInfo = { name, version, threads, simd };
      if (skipped.length > 0) info.fallbackReason = skipped.join('; ');
      if (!quiet) {
        const why = forced
          ? 'forced by GEOKD_BACKEND'
          : skipped.length > 0
            ? `fallback: ${info.fallbackReason}`
            : 'first choice';
        console.log(
          `[geokd] backend ${name} ${version} (threads ${threads}${name === 'wasm' ? `, simd ${simd}` : ''}): ${why}`,
        );
      }
      return info;
    } catch (error) {
      if (forced) throw new BackendUnavailableError(name, describe(error), error);
      skipped.push(`${name} unavailable (${describe(error)})`);
    }
  }
  throw new BackendUnavailableError(order.join(', '), skipped.join('; '));
}

/**
 * Picks and activates the fastest TensorFlow.js backend that loads: native `tensorflow`
 * (tfjs-node, an optional dependency), then `wasm` (with {@link registerWasmTrainingKernels}),
 * then the pure-JS `cpu`. The environment variable `GEOKD_BACKEND=tensorflow|wasm|cpu` forces one
 * backend, with no fallback. Prints one line naming the backend and why, unless `quiet`.
 * Idempotent: later calls with the same choice return the same result.
 *
 * @throws {InvalidArgumentError} when `GEOKD_BACKEND` or `prefer` names an unknown backend.
 * @throws {BackendUnavailableError} when the forced backend (or every preferred one) fails to load.
 * @example
 * ```ts
 * const info = await initBackend();
 * // [geokd] backend wasm 4.22.0 (threads 1, simd true): fallback: tensorflow unavailable (...)
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
  const order = forcedName === undefined ? prefer : [forcedName as BackendName];
  const key = `${forcedName !== undefined}:${order.join(',')}`;
  if (current !== undefined && key === currentKey) return current;
  currentKey = key;
  current = initialise(order, forcedName !== undefined, options.quiet ?? false);
  current.catch(() => {
    current = undefined;
    currentKey = '';
  });
  return current;
}
