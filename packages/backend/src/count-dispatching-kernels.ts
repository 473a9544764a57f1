import * as tf from '@tensorflow/tfjs-core';

/** What {@link countDispatchingKernels} returns. */
export interface DispatchingKernelCount {
  /** Kernels that would launch GPU work on WebGPU. */
  total: number;
  /** The same, by kernel name (e.g. `{ Multiply: 32, Conv2D: 15 }`). */
  byKernel: Record<string, number>;
}

/** Kernels that never launch GPU work on WebGPU: they only relabel the input's data. */
const FREE_KERNELS: ReadonlySet<string> = new Set([tf.Identity, tf.Reshape]);

/**
 * Runs `fn` under `tf.profile` and counts the kernels that dispatch work on a GPU backend: the
 * registered kernels it ran, except `Identity`, `Reshape` and a `Cast` to the input's own dtype
 * (free on WebGPU: no dispatch), and except the scopes of `tf.customGrad` (the kernels inside
 * them are counted). On WebGPU each dispatch costs tens to hundreds of microseconds of
 * overhead whatever its size, so this count is what a small-tensor training step costs there.
 * Deterministic on any backend (run it on `cpu` in tests). Disposes the tensors `fn` returns.
 *
 * Multi-dispatch kernels count once: on WebGPU a `Concat` of more inputs than
 * `maxStorageBuffersPerShaderStage − 1` is several, and `SplitV` / `Unpack` are one per output.
 *
 * @example
 * ```ts
 * const { total, byKernel } = await countDispatchingKernels(() => model.apply(x, { training: true }));
 * ```
 */
export async function countDispatchingKernels(
  fn: () => tf.TensorContainer | Promise<tf.TensorContainer>,
): Promise<DispatchingKernelCount> {
  // tf.profile reports kernel names and shapes but not dtypes: note the same-dtype casts as
  // they are requested (every op reaches its kernel through engine.runKernel).
  const engine = tf.engine();
  type RunKernel = typeof engine.runKernel;
  const runKernel: RunKernel = engine.runKernel;
  let sameDtypeCasts = 0;
  engine.runKernel = function (this: typeof engine, kernelName, inputs, attrs) {
    const x = inputs.x as tf.TensorInfo | undefined;
    if (kernelName === tf.Cast && x !== undefined && x.dtype === attrs?.dtype) sameDtypeCasts++;
    return runKernel.call(this, kernelName, inputs, attrs);
  } as RunKernel;
  let profile: Awaited<ReturnType<typeof tf.profile>>;
  try {
    profile = await tf.profile(fn);
  } finally {
    engine.runKernel = runKernel;
  }
  tf.dispose(profile.result);
  const backend = tf.getBackend();
  const byKernel: Record<string, number> = {};
  for (const kernel of profile.kernels) {
    if (FREE_KERNELS.has(kernel.name) || tf.getKernel(kernel.name, backend) === undefined) continue;
    byKernel[kernel.name] = (byKernel[kernel.name] ?? 0) + 1;
  }
  if (sameDtypeCasts > 0) {
    const casts = (byKernel[tf.Cast] ?? 0) - sameDtypeCasts;
    if (casts > 0) byKernel[tf.Cast] = casts;
    else delete byKernel[tf.Cast];
  }
  const total = Object.values(byKernel).reduce((sum, count) => sum + count, 0);
  return { total, byKernel };
}
