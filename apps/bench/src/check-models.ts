import { initBackend } from '@geokd/backend';
import { createModel } from '@geokd/models';
import type { BenchSpec } from './bench-spec';

/**
 * Builds the teacher and the student once (on the run's backend, which `runBenchmark` then
 * reuses) and disposes them: an unknown model name or a bad model option is reported before
 * any training (the models' factories validate their options).
 *
 * @throws UnknownNameError / InvalidArgumentError from `createModel`.
 */
export async function checkModels(spec: BenchSpec): Promise<void> {
  if (spec.backend !== undefined) process.env.GEOKD_BACKEND = spec.backend;
  await initBackend({ quiet: true });
  for (const model of [spec.teacher, spec.student]) {
    createModel(model.name, { ...model.options, seed: 0 }).dispose();
  }
}
