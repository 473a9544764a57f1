import { closestName, InvalidArgumentError } from '@geokd/errors';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs-layers';
import type {
  ApplyOptions,
  FeatureModel,
  FeatureModelOutput,
  ModelParameter,
} from './feature-model';

/** Options of {@link fromLayersModel}. */
export interface FromLayersModelOptions {
  /**
   * The features to expose: tap name → name of a layer of the model whose output becomes
   * `features[tap]`. Tap names are what distillation losses refer to (`taps: ['block1']`).
   * @default {} (logits only)
   */
  taps?: Record<string, string>;
  /** Name of the resulting model. @default the LayersModel's own `name` */
  name?: string;
  /**
   * What the model's output holds. `'logits'` is used as is; `'probabilities'` (a softmax
   * output, as most Keras classifiers end) is turned into logits with `log(max(p, 1e-30))`,
   * which softmax maps back to the same probabilities. `'auto'` reads the output layer's
   * activation: `softmax` means probabilities.
   * @default 'auto'
   */
  output?: 'auto' | 'logits' | 'probabilities';
  /**
   * Image shape `[H, W, C]` the trainer feeds, for a model whose input is flat (`[null, D]`
   * with `D = H·W·C`): the batch is reshaped to `[batch, D]` before the model. Required for
   * flat inputs, ignored (but checked) for image inputs.
   * @default the model's input shape
   */
  inputShape?: [number, number, number];
}

const FUNCTION_NAME = 'fromLayersModel';
/** Smallest probability kept before the log: below float32's range of useful logits. */
const PROBABILITY_FLOOR = 1e-30;

/** Names of the layers of a LayersModel that may be tapped (every layer but the inputs). */
function tappableLayerNames(model: LayersModel): string[] {
  return model.layers
    .filter((layer) => layer.getClassName() !== 'InputLayer')
    .map((layer) => layer.name);
}

/**
 * The LayersModel class of the user's own copy of `@tensorflow/tfjs-layers`, found on the
 * model's prototype chain: building the tap model with it (rather than importing tfjs-layers
 * here) keeps tfjs-layers an optional peer and works when two copies are installed.
 */
function layersModelClass(
  model: LayersModel,
): new (args: {
  inputs: SymbolicTensor[];
  outputs: SymbolicTensor[];
  name: string;
}) => LayersModel {
  let prototype: unknown = Object.getPrototypeOf(model);
  while (prototype !== null && prototype !== Object.prototype) {
    const modelClass = (prototype as { constructor: { className?: string } }).constructor;
    if (modelClass.className === 'Model') {
      return modelClass as unknown as new (args: {
        inputs: SymbolicTensor[];
        outputs: SymbolicTensor[];
        name: string;
      }) => LayersModel;
    }
    prototype = Object.getPrototypeOf(prototype);
  }
  throw new InvalidArgumentError({
    functionName: FUNCTION_NAME,
    argument: 'model',
    expected: 'a tf.LayersModel (tf.sequential, tf.model or tf.loadLayersModel)',
    received: String((model as { constructor?: { name?: string } })?.constructor?.name),
  });
}

function describeShape(shape: readonly (number | null)[]): string {
  return `[${shape.map((size) => (size === null ? 'null' : String(size))).join(', ')}]`;
}

/** Whether the output layer ends in a softmax (so its output holds probabilities). */
function endsInSoftmax(model: LayersModel): boolean {
  const outputLayer = model.outputs[0]!.sourceLayer;
  const config = outputLayer.getConfig() as { activation?: unknown };
  if (config.activation === 'softmax') return true;
  return outputLayer.getClassName() === 'Softmax';
}

/** `true` for a weight that weight decay should shrink: kernels and embeddings, not biases or norms. */
function decays(weightName: string): boolean {
  return /(^|_)kernel$|^embeddings$/.test(weightName);
}

/**
 * Wraps a TensorFlow.js `tf.LayersModel` (from `tf.sequential`, `tf.model`,
 * `tf.loadLayersModel` or a converted Keras model) as a {@link FeatureModel}, so geokd's
 * trainer and losses can use it as a teacher or train it as a student. The model's output
 * becomes `logits`; each tap exposes the output of one named layer as a feature.
 *
 * The wrapper shares the model's variables: training the FeatureModel trains the LayersModel,
 * and `dispose()` disposes the LayersModel's weights. `config` records the model's topology
 * (for checkpoint hashes); `createModel` cannot rebuild it, so keep the LayersModel (or its
 * saved files) to reload it.
 *
 * @param model A built single-input, single-output classifier with output `[batch, classes]`
 *   and an image input `[null, H, W, C]` (or a flat input with `options.inputShape`).
 * @throws InvalidArgumentError for a multi-input or multi-output model, an unbuilt model, an
 *   output that is not `[batch, classes]`, or a tap naming no layer (the message lists the
 *   valid layer names and the closest one).
 *
 * @example
 * ```ts
 * const cnn = tf.sequential({ layers: [
 *   tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu', name: 'conv1' }),
 *   tf.layers.flatten({ name: 'flat' }),
 *   tf.layers.dense({ units: 10, name: 'logits' }),
 * ] });
 * const student = fromLayersModel(cnn, { taps: { block1: 'conv1', pool: 'flat' } });
 * student.apply(images).features.block1; // the conv1 output, [batch, 26, 26, 8]
 * ```
 */
export function fromLayersModel(
  model: LayersModel,
  options: FromLayersModelOptions = {},
): FeatureModel {
  if (
    model === null ||
    typeof model !== 'object' ||
    !Array.isArray((model as LayersModel).layers)
  ) {
    throw new InvalidArgumentError({
      functionName: FUNCTION_NAME,
      argument: 'model',
      expected: 'a tf.LayersModel (tf.sequential, tf.model or tf.loadLayersModel)',
      received: model === null ? 'null' : typeof model,
    });
  }
  let inputs: SymbolicTensor[];
  let outputs: SymbolicTensor[];
  try {
    inputs = model.inputs;
    outputs = model.outputs;
  } catch (cause) {
    throw new InvalidArgumentError({
      functionName: FUNCTION_NAME,
      argument: 'model',
      expected: 'a built model (give the first layer an inputShape, or call model.build)',
      received: 'a model without inputs',
      cause,
    });
  }
  if (inputs === undefined || outputs === undefined || inputs.length === 0) {
    throw new InvalidArgumentError({
      functionName: FUNCTION_NAME,
      argument: 'model',
      expected: 'a built model (give the first layer an inputShape, or call model.build)',
      received: 'a model without inputs',
    });
  }
  if (inputs.length !== 1) {
    throw new InvalidArgumentError({
      functionName: FUNCTION_NAME,
      argument: 'model',
      expected: 'a model with exactly one input (the images)',
      received: `${inputs.length} inputs (${inputs.map((input) => input.name).join(', ')})`,
    });
  }
  if (outputs.length !== 1) {
    throw new InvalidArgumentError({
      functionName: FUNCTION_NAME,
      argument: 'model',
      expected:
        'a model with exactly one output (the class scores); expose other outputs as taps, or build tf.model({ inputs, outputs: classOutput }) first',
      received: `${outputs.length} outputs (${outputs.map((output) => output.name).join(', ')})`,
    });
  }
  const outputShape = outputs[0]!.shape;
  if (outputShape.length !== 2 || typeof outputShape[1] !== 'number' || outputShape[1] < 2) {
    throw new InvalidArgumentError({
      functionName: FUNCTION_NAME,
      argument: 'model',
      expected: 'an output of shape [batch, classes] with at least 2 classes',
      received: `output shape ${describeShape(outputShape)}`,
    });
  }
  const numClasses = outputShape[1];

  const modelInputShape = inputs[0]!.shape.slice(1);
  let inputShape: [number, number, number];
  let flatInput = false;
  if (modelInputShape.length === 3 && modelInputShape.every((size) => typeof size === 'number')) {
    inputShape = modelInputShape as [number, number, number];
    if (options.inputShape?.some((size, axis) => size !== inputShape[axis])) {
      throw new InvalidArgumentError({
        functionName: FUNCTION_NAME,
        argument: 'options.inputShape',
        expected: `the model's input shape ${describeShape(inputShape)} (or undefined)`,
        received: describeShape(options.inputShape),
      });
    }
  } else if (modelInputShape.length === 1 && typeof modelInputShape[0] === 'number') {
    const given = options.inputShape;
    if (
      given === undefined ||
      given.length !== 3 ||
      !given.every((size) => Number.isInteger(size) && size > 0) ||
      given[0] * given[1] * given[2] !== modelInputShape[0]
    ) {
      throw new InvalidArgumentError({
        functionName: FUNCTION_NAME,
        argument: 'options.inputShape',
        expected: `an image shape [H, W, C] with H·W·C = ${modelInputShape[0]} for this model's flat input`,
        received: given === undefined ? 'undefined' : describeShape(given),
      });
    }
    inputShape = [...given];
    flatInput = true;
  } else {
    throw new InvalidArgumentError({
      functionName: FUNCTION_NAME,
      argument: 'model',
      expected: 'an image input [null, H, W, C] (NHWC) or a flat input [null, D]',
      received: `input shape ${describeShape(inputs[0]!.shape)}`,
    });
  }

  const taps = options.taps ?? {};
  if (taps === null || typeof taps !== 'object' || Array.isArray(taps)) {
    throw new InvalidArgumentError({
      functionName: FUNCTION_NAME,
      argument: 'options.taps',
      expected: 'an object of tap name → layer name, e.g. { block1: "conv2d_1" }',
      received: Array.isArray(taps) ? 'an array' : String(taps),
    });
  }
  const validLayerNames = tappableLayerNames(model);
  const featureNames = Object.keys(taps);
  const tapOutputs: SymbolicTensor[] = [];
  for (const tapName of featureNames) {
    const layerName = taps[tapName];
    if (typeof layerName !== 'string' || !validLayerNames.includes(layerName)) {
      const suggestion =
        typeof layerName === 'string' ? closestName(layerName, validLayerNames) : undefined;
      throw new InvalidArgumentError({
        functionName: FUNCTION_NAME,
        argument: `options.taps.${tapName}`,
        expected: `the name of a layer of the model (${validLayerNames.join(', ')})`,
        received: `'${String(layerName)}'${suggestion === undefined ? '' : `; did you mean '${suggestion}'?`}`,
      });
    }
    const layer = model.getLayer(layerName);
    let output: SymbolicTensor | SymbolicTensor[];
    try {
      output = layer.output;
    } catch (cause) {
      throw new InvalidArgumentError({
        functionName: FUNCTION_NAME,
        argument: `options.taps.${tapName}`,
        expected: 'a layer used once in the model (a shared layer has several outputs)',
        received: `'${layerName}'`,
        cause,
      });
    }
    if (Array.isArray(output)) {
      throw new InvalidArgumentError({
        functionName: FUNCTION_NAME,
        argument: `options.taps.${tapName}`,
        expected: 'a layer with one output',
        received: `'${layerName}' with ${output.length} outputs`,
      });
    }
    tapOutputs.push(output);
  }

  const outputMode = options.output ?? 'auto';
  if (!['auto', 'logits', 'probabilities'].includes(outputMode)) {
    throw new InvalidArgumentError({
      functionName: FUNCTION_NAME,
      argument: 'options.output',
      expected: "'auto', 'logits' or 'probabilities'",
      received: String(outputMode),
    });
  }
  const outputIsProbabilities =
    outputMode === 'probabilities' || (outputMode === 'auto' && endsInSoftmax(model));

  const name = options.name ?? model.name;
  // One model computing the class output and every tap in a single pass, on the same layers
  // (and so the same variables) as `model`.
  const TapModel = layersModelClass(model);
  const tapModel = new TapModel({
    inputs,
    outputs: [outputs[0]!, ...tapOutputs],
    name: `${name}_taps`,
  });

  const parameters: ModelParameter[] = [];
  const seen = new Set<tf.Variable>();
  for (const layer of model.layers) {
    for (const weight of layer.weights) {
      // `read()` is typed as a Tensor but returns the LayerVariable's own tf.Variable.
      const variable = weight.read() as tf.Variable;
      if (seen.has(variable)) continue;
      seen.add(variable);
      const shortName = weight.originalName.split('/').at(-1) ?? weight.originalName;
      parameters.push({
        name: `${layer.name}/${shortName}`,
        variable,
        trainable: weight.trainable,
        weightDecay: weight.trainable && decays(shortName),
      });
    }
  }

  const config: Record<string, unknown> = {
    source: 'tf.LayersModel',
    name,
    taps: { ...taps },
    output: outputIsProbabilities ? 'probabilities' : 'logits',
    inputShape,
    numClasses,
    topology: model.toJSON(undefined, false) as unknown,
  };

  return {
    name,
    config,
    inputShape,
    numClasses,
    featureNames,
    parameters,
    apply(x: tf.Tensor4D, applyOptions: ApplyOptions = {}): FeatureModelOutput {
      if (x.rank !== 4 || x.shape.slice(1).some((size, axis) => size !== inputShape[axis])) {
        throw new InvalidArgumentError({
          functionName: `${name}.apply`,
          argument: 'x',
          expected: `a batch of shape [batch, ${inputShape.join(', ')}]`,
          received: `shape ${describeShape(x.shape)}`,
        });
      }
      return tf.tidy(() => {
        const input = flatInput ? tf.reshape(x, [x.shape[0], -1]) : x;
        const results = tapModel.apply(input, { training: applyOptions.training ?? false }) as
          | tf.Tensor
          | tf.Tensor[];
        const [classOutput, ...tapValues] = Array.isArray(results) ? results : [results];
        const logits = (
          outputIsProbabilities ? tf.log(tf.maximum(classOutput!, PROBABILITY_FLOOR)) : classOutput!
        ) as tf.Tensor2D;
        const features: Record<string, tf.Tensor> = {};
        featureNames.forEach((tapName, index) => {
          features[tapName] = tapValues[index]!;
        });
        return { logits, features };
      });
    },
    trainableVariables(): tf.Variable[] {
      return parameters
        .filter((parameter) => parameter.trainable)
        .map((parameter) => parameter.variable);
    },
    dispose(): void {
      model.dispose();
    },
  };
}
