import { InvalidArgumentError } from '@geokd/errors';
import * as tf from '@tensorflow/tfjs-core';
import type { FeatureModel } from './feature-model';

/** The `format` written into model artifacts and model.json files by this package. */
export const MODEL_WEIGHTS_FORMAT = 'geokd-weights';

/** The weights file name used in a weights folder (`model.json` + `weights.bin`). */
export const WEIGHTS_BIN_NAME = 'weights.bin';

const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/**
 * Encodes every variable of a model (moving statistics included) with tfjs's own weight format
 * (`tf.io.encodeWeights`): `weightSpecs` name each variable by its stable parameter name, and
 * `modelTopology` carries the model's config. Browser-safe.
 * @example
 * ```ts
 * const artifacts = await encodeModelWeights(model);
 * applyModelWeights(copy, artifacts);
 * ```
 */
export async function encodeModelWeights(model: FeatureModel): Promise<tf.io.ModelArtifacts> {
  const named: tf.NamedTensorMap = {};
  for (const p of model.parameters) named[p.name] = p.variable;
  const { data, specs } = await tf.io.encodeWeights(named);
  return {
    format: MODEL_WEIGHTS_FORMAT,
    generatedBy: '@geokd/models',
    modelTopology: { model: model.name, config: model.config },
    weightSpecs: specs,
    weightData: data,
  };
}

/**
 * Builds model artifacts from the text of a `model.json` written by {@link saveModelWeights}
 * (or its parsed object) and the bytes of its `weights.bin`, e.g. as fetched by a browser.
 * @throws {@link InvalidArgumentError} when the JSON is not a geokd weights manifest.
 */
export function parseModelWeights(
  modelJson: string | tf.io.ModelJSON,
  weightData: ArrayBuffer,
): tf.io.ModelArtifacts {
  const fn = 'parseModelWeights';
  let json: tf.io.ModelJSON;
  try {
    json = typeof modelJson === 'string' ? (JSON.parse(modelJson) as tf.io.ModelJSON) : modelJson;
  } catch (cause) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'modelJson',
      expected: 'valid JSON',
      received: String(cause),
      cause,
    });
  }
  if (
    json === null ||
    typeof json !== 'object' ||
    !Array.isArray(json.weightsManifest) ||
    !json.weightsManifest.every(
      (group) => group !== null && typeof group === 'object' && Array.isArray(group.weights),
    )
  ) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'modelJson',
      expected: 'a model.json with a weightsManifest array of { paths, weights }',
      received: JSON.stringify(json)?.slice(0, 80),
    });
  }
  if (json.format !== MODEL_WEIGHTS_FORMAT) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'modelJson.format',
      expected: `'${MODEL_WEIGHTS_FORMAT}'`,
      received: String(json.format),
    });
  }
  return {
    format: json.format,
    generatedBy: json.generatedBy,
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
    weightData,
  };
}

/** The model.json object that describes `artifacts` with one `weights.bin` file. @internal */
export function toModelJson(artifacts: tf.io.ModelArtifacts): tf.io.ModelJSON {
  return {
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    modelTopology: artifacts.modelTopology as object,
    weightsManifest: [{ paths: [WEIGHTS_BIN_NAME], weights: artifacts.weightSpecs ?? [] }],
  };
}

function byteSize(spec: tf.io.WeightsManifestEntry): number {
  return spec.shape.reduce((a, b) => a * b, 1) * (BYTES_PER_ELEMENT[spec.dtype] ?? Number.NaN);
}

/** Checks one weight spec's fields, so no later step meets a `null` shape or a quantized entry. */
function validateSpec(spec: tf.io.WeightsManifestEntry, fn: string): void {
  if (spec === null || typeof spec !== 'object' || typeof spec.name !== 'string') {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'weights',
      expected: 'weight entries { name, shape, dtype }',
      received: JSON.stringify(spec)?.slice(0, 80) ?? String(spec),
    });
  }
  if (spec.quantization !== undefined) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: `weights '${spec.name}'`,
      expected: 'unquantized weights',
      received: `quantization ${JSON.stringify(spec.quantization)}`,
    });
  }
  if (
    !Array.isArray(spec.shape) ||
    !spec.shape.every((d) => Number.isSafeInteger(d) && d >= 0) ||
    !Object.hasOwn(BYTES_PER_ELEMENT, spec.dtype)
  ) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: `weights '${String(spec.name)}'`,
      expected: "a shape of integers >= 0 and a dtype 'float32', 'int32' or 'bool'",
      received: `shape ${JSON.stringify(spec.shape)}, dtype ${String(spec.dtype)}`,
    });
  }
}

/**
 * Checks that `byteLength` bytes of weight data hold exactly the variables of `specs` (each
 * unquantized, with a known dtype and a shape of integers >= 0), from the specs alone, so a
 * caller can check file sizes before reading any file.
 * @throws {@link InvalidArgumentError} naming the first variable that does not fit.
 * @internal
 */
export function checkWeightDataLength(
  specs: tf.io.WeightsManifestEntry[],
  byteLength: number,
  functionName: string,
): void {
  const fn = functionName;
  let offset = 0;
  for (const spec of specs) {
    validateSpec(spec, fn);
    const end = offset + byteSize(spec);
    if (end > byteLength) {
      throw new InvalidArgumentError({
        functionName: fn,
        argument: 'weights',
        expected: `${specs.reduce((n, s) => n + byteSize(s), 0)} bytes`,
        received: `${byteLength} bytes`,
        message: `${fn}: the weight data is truncated: variable '${spec.name}' needs bytes ${offset}–${end} but the data has only ${byteLength} bytes`,
      });
    }
    offset = end;
  }
  if (offset !== byteLength) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'weights',
      expected: `${offset} bytes for the ${specs.length} variables listed`,
      received: `${byteLength} bytes`,
    });
  }
}

/**
 * Checks model artifacts against a model's variables, then assigns them. Every check runs
 * before any variable changes: names (each parameter present, nothing extra), shapes, dtypes,
 * the byte length of the weight data, and that every float32 value is finite (checked on the
 * bytes, before any tensor is made: nothing is read back from the backend, so this works on
 * every backend, WebGPU in Node included).
 *
 * @param functionName - used in error messages. @default 'applyModelWeights'
 * @throws {@link InvalidArgumentError} naming the variable when a variable is missing or extra,
 * a shape or dtype differs, the weights are quantized, the data is truncated or too long, or a
 * float32 variable holds NaN or Infinity.
 */
export function applyModelWeights(
  model: FeatureModel,
  artifacts: tf.io.ModelArtifacts,
  functionName = 'applyModelWeights',
): void {
  const fn = functionName;
  const specs = artifacts.weightSpecs;
  if (specs === undefined || artifacts.weightData === undefined) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'artifacts',
      expected: 'model artifacts with weightSpecs and weightData',
      received: `weightSpecs ${specs === undefined ? 'missing' : 'present'}, weightData ${artifacts.weightData === undefined ? 'missing' : 'present'}`,
    });
  }
  for (const spec of specs) validateSpec(spec, fn);
  const data = tf.io.CompositeArrayBuffer.join(artifacts.weightData);
  const byName = new Map(specs.map((s) => [s.name, s]));
  for (const p of model.parameters) {
    const spec = byName.get(p.name);
    if (spec === undefined) {
      throw new InvalidArgumentError({
        functionName: fn,
        argument: 'weights',
        expected: `a variable '${p.name}' for model '${model.name}'`,
        received: 'no such variable in the file',
        message: `${fn}: the weights have no variable '${p.name}' that model '${model.name}' needs (is the file for another model?)`,
      });
    }
    if (
      spec.shape.length !== p.variable.shape.length ||
      spec.shape.some((d, i) => d !== p.variable.shape[i])
    ) {
      throw new InvalidArgumentError({
        functionName: fn,
        argument: `weights '${p.name}'`,
        expected: `shape [${p.variable.shape.join(', ')}]`,
        received: `shape [${spec.shape.join(', ')}]`,
        message: `${fn}: variable '${p.name}' has shape [${spec.shape.join(', ')}] in the weights but [${p.variable.shape.join(', ')}] in model '${model.name}'`,
      });
    }
    if (spec.dtype !== p.variable.dtype) {
      throw new InvalidArgumentError({
        functionName: fn,
        argument: `weights '${p.name}'`,
        expected: `dtype ${p.variable.dtype}`,
        received: `dtype ${spec.dtype}`,
      });
    }
  }
  const names = new Set(model.parameters.map((p) => p.name));
  for (const spec of specs) {
    if (!names.has(spec.name)) {
      throw new InvalidArgumentError({
        functionName: fn,
        argument: 'weights',
        expected: `only variables of model '${model.name}'`,
        received: `an extra variable '${spec.name}'`,
      });
    }
  }
  checkWeightDataLength(specs, data.byteLength, fn);
  checkFinite(specs, data, fn);
  const decoded = tf.io.decodeWeights(data, specs);
  try {
    tf.tidy(() => {
      for (const p of model.parameters) p.variable.assign(decoded[p.name] as tf.Tensor);
    });
  } finally {
    tf.dispose(Object.values(decoded));
  }
}

/**
 * Refuses a NaN or Infinity in any float32 variable, scanning the weight bytes themselves
 * before they become tensors: checked once at load time (a bad value would otherwise only show
 * up later as a NaN loss far from its cause), with no read back from the backend, so it works
 * the same on every backend (WebGPU in Node, where `dataSync` throws, included). The bytes are
 * laid out as `tf.io.decodeWeights` reads them: one variable after the other, in spec order,
 * platform byte order.
 */
function checkFinite(specs: tf.io.WeightsManifestEntry[], data: ArrayBuffer, fn: string): void {
  let offset = 0;
  for (const spec of specs) {
    const byteLength = byteSize(spec);
    if (spec.dtype === 'float32') {
      const count = byteLength / 4;
      // A float32 variable after a bool one may start off a 4-byte boundary: copy it then.
      const values =
        offset % 4 === 0
          ? new Float32Array(data, offset, count)
          : new Float32Array(data.slice(offset, offset + byteLength));
      const bad = values.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) {
        throw new InvalidArgumentError({
          functionName: fn,
          argument: `weights '${spec.name}'`,
          expected: 'finite values',
          received: `${values[bad]} at flat index ${bad}`,
          message: `${fn}: variable '${spec.name}' holds ${values[bad]} at flat index ${bad}; the weights are corrupt (weights must be finite)`,
        });
      }
    }
    offset += byteLength;
  }
}
