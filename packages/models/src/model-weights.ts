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
  if (json === null || typeof json !== 'object' || !Array.isArray(json.weightsManifest)) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'modelJson',
      expected: 'a model.json with a weightsManifest array',
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

/**
 * Checks model artifacts against a model's variables, then assigns them. Every check runs
 * before any variable changes: names (each parameter present, nothing extra), shapes, dtypes,
 * and the byte length of the weight data.
 *
 * @param functionName - used in error messages. @default 'applyModelWeights'
 * @throws {@link InvalidArgumentError} naming the variable when a variable is missing or extra,
 * a shape or dtype differs, the weights are quantized, or the data is truncated or too long.
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
  let offset = 0;
  for (const spec of specs) {
    if (!names.has(spec.name)) {
      throw new InvalidArgumentError({
        functionName: fn,
        argument: 'weights',
        expected: `only variables of model '${model.name}'`,
        received: `an extra variable '${spec.name}'`,
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
    const end = offset + byteSize(spec);
    if (end > data.byteLength) {
      throw new InvalidArgumentError({
        functionName: fn,
        argument: 'weights',
        expected: `${specs.reduce((n, s) => n + byteSize(s), 0)} bytes`,
        received: `${data.byteLength} bytes`,
        message: `${fn}: the weight data is truncated: variable '${spec.name}' needs bytes ${offset}–${end} but the data has only ${data.byteLength} bytes`,
      });
    }
    offset = end;
  }
  if (offset !== data.byteLength) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'weights',
      expected: `${offset} bytes for the ${specs.length} variables listed`,
      received: `${data.byteLength} bytes`,
    });
  }
  const decoded = tf.io.decodeWeights(data, specs);
  try {
    tf.tidy(() => {
      for (const p of model.parameters) p.variable.assign(decoded[p.name] as tf.Tensor);
    });
  } finally {
    tf.dispose(Object.values(decoded));
  }
}
