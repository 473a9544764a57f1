import '@tensorflow/tfjs-backend-cpu';
import { InvalidArgumentError } from '@geokd/errors';
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import type * as Layers from '@tensorflow/tfjs-layers';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fromLayersModel } from './from-layers-model';

// tfjs-layers' CommonJS build, as Node's `require` (and a user's `@tensorflow/tfjs`) loads it:
// it shares the CommonJS tfjs-core engine of the test setup. (Through vite, its ESM build would
// bring a second tfjs-core module graph.)
const tfl = createRequire(import.meta.url)('@tensorflow/tfjs-layers') as typeof Layers;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

let nameCounter = 0;
/** A small Keras-style CNN with named layers (unique per call, as tfjs-layers needs). */
function sequentialCnn(options: { softmax?: boolean; seed?: number } = {}): Layers.Sequential {
  const seed = options.seed ?? 1;
  const suffix = nameCounter++;
  return tfl.sequential({
    name: `cnn_${suffix}`,
    layers: [
      tfl.layers.conv2d({
        name: 'conv1',
        inputShape: [8, 8, 1],
        filters: 4,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: tfl.initializers.glorotUniform({ seed }),
      }),
      tfl.layers.batchNormalization({ name: 'norm1' }),
      tfl.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }),
      tfl.layers.flatten({ name: 'flat' }),
      tfl.layers.dense({
        name: 'out',
        units: 3,
        activation: options.softmax ? 'softmax' : 'linear',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }),
      }),
    ],
  });
}

/** Three separable classes: a bright blob in a different corner per class. */
function blobs(count: number): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const images = new Float32Array(count * 64);
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const label = i % 3;
    labels.push(label);
    const [row, col] = [
      [1, 1],
      [1, 5],
      [5, 3],
    ][label]!;
    for (let dr = 0; dr < 2; dr++) {
      for (let dc = 0; dc < 2; dc++) images[i * 64 + (row! + dr) * 8 + col! + dc] = 1;
    }
    images[i * 64 + ((i * 7) % 64)] += 0.3;
  }
  return {
    x: tf.tensor4d(images, [count, 8, 8, 1]),
    y: tf.oneHot(tf.tensor1d(labels, 'int32'), 3) as tf.Tensor2D,
  };
}

afterEach(() => {
  tf.disposeVariables();
});

describe('fromLayersModel', () => {
  it('returns the logits and the named layer outputs, equal to the layers model', () => {
    const cnn = sequentialCnn();
    const model = fromLayersModel(cnn, { taps: { block1: 'conv1', pool: 'flat' } });
    expect(model.name).toBe(cnn.name);
    expect(model.inputShape).toEqual([8, 8, 1]);
    expect(model.numClasses).toBe(3);
    expect(model.featureNames).toEqual(['block1', 'pool']);
    const { x } = blobs(6);
    const before = tf.memory().numTensors;
    const output = model.apply(x);
    expect(tf.memory().numTensors).toBe(before + 3);
    expect(output.logits.shape).toEqual([6, 3]);
    expect(output.features.block1!.shape).toEqual([6, 6, 6, 4]);
    expect(output.features.pool!.shape).toEqual([6, 36]);
    const reference = cnn.predict(x) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(reference, output.logits))).dataSync()[0]).toBeLessThan(1e-6);
    const conv = tfl.model({
      inputs: cnn.inputs,
      outputs: cnn.getLayer('conv1').output as Layers.SymbolicTensor,
    });
    const convReference = conv.predict(x) as tf.Tensor;
    expect(
      tf.max(tf.abs(tf.sub(convReference, output.features.block1!))).dataSync()[0],
    ).toBeLessThan(1e-6);
    tf.dispose([
      x,
      output.logits,
      output.features.block1!,
      output.features.pool!,
      reference,
      convReference,
    ]);
  });

  it('lists the variables with stable names, trainability and weight decay', () => {
    const model = fromLayersModel(sequentialCnn());
    const rows = model.parameters.map((p) => [p.name, p.trainable, p.weightDecay]);
    expect(rows).toEqual([
      ['conv1/kernel', true, true],
      ['conv1/bias', true, false],
      ['norm1/gamma', true, false],
      ['norm1/beta', true, false],
      ['norm1/moving_mean', false, false],
      ['norm1/moving_variance', false, false],
      ['out/kernel', true, true],
      ['out/bias', true, false],
    ]);
    expect(model.trainableVariables()).toHaveLength(6);
    expect(model.config).toMatchObject({
      source: 'tf.LayersModel',
      numClasses: 3,
      output: 'logits',
    });
    expect(JSON.parse(JSON.stringify(model.config))).toEqual(model.config);
  });

  it('passes gradients to the layers’ weights and trains them (loss falls, accuracy rises)', () => {
    const cnn = sequentialCnn({ seed: 3 });
    const model = fromLayersModel(cnn, { taps: { block1: 'conv1' } });
    const { x, y } = blobs(30);
    const variables = model.trainableVariables();
    const lossOf = () =>
      tf.tidy(() => {
        const { logits, features } = model.apply(x, { training: true });
        // A feature term too, so the tap's gradient path is exercised.
        return tf.add(
          tf.losses.softmaxCrossEntropy(y, logits),
          tf.mul(1e-3, tf.mean(tf.square(features.block1!))),
        ) as tf.Scalar;
      });
    const first = tf.tidy(() => lossOf().dataSync()[0]!);
    const kernelBefore = variables[0]!.dataSync().slice();
    const start = tf.memory().numTensors;
    for (let step = 0; step < 40; step++) {
      tf.tidy(() => {
        const { grads } = tf.variableGrads(lossOf, variables);
        for (const variable of variables) {
          const grad = grads[variable.name];
          expect(grad, variable.name).toBeDefined();
          variable.assign(tf.sub(variable, tf.mul(0.2, grad!)));
        }
      });
    }
    expect(tf.memory().numTensors).toBe(start);
    const last = tf.tidy(() => lossOf().dataSync()[0]!);
    expect(last).toBeLessThan(first * 0.5);
    expect(Array.from(variables[0]!.dataSync())).not.toEqual(Array.from(kernelBefore));
    const accuracy = tf.tidy(
      () =>
        tf
          .mean(tf.cast(tf.equal(tf.argMax(model.apply(x).logits, 1), tf.argMax(y, 1)), 'float32'))
          .dataSync()[0],
    );
    expect(accuracy).toBe(1);
    // Training the wrapper trained the LayersModel itself.
    const predicted = tf.tidy(() =>
      Array.from(tf.argMax(cnn.predict(x) as tf.Tensor, 1).dataSync()),
    );
    expect(predicted).toEqual(Array.from(tf.argMax(y, 1).dataSync()));
    tf.dispose([x, y]);
  });

  it('matches a finite-difference gradient of the loss with respect to a layer weight', () => {
    const model = fromLayersModel(sequentialCnn({ seed: 5 }), { taps: { block1: 'conv1' } });
    const { x, y } = blobs(4);
    const bias = model.parameters.find((p) => p.name === 'out/bias')!.variable;
    const loss = () =>
      tf.tidy(() => tf.losses.softmaxCrossEntropy(y, model.apply(x).logits) as tf.Scalar);
    const analytic = tf.tidy(() =>
      tf.variableGrads(loss, [bias]).grads[bias.name]!.dataSync().slice(),
    );
    const base = bias.dataSync().slice();
    const epsilon = 1e-2;
    for (let i = 0; i < 3; i++) {
      const shifted = (delta: number) => {
        const values = base.slice();
        values[i]! += delta;
        bias.assign(tf.tensor1d(values));
        return tf.tidy(() => loss().dataSync()[0]!);
      };
      const numeric = (shifted(epsilon) - shifted(-epsilon)) / (2 * epsilon);
      expect(analytic[i]).toBeCloseTo(numeric, 3);
    }
    tf.dispose([x, y]);
  });

  it('turns a softmax output into logits with the same probabilities', () => {
    const cnn = sequentialCnn({ softmax: true });
    const model = fromLayersModel(cnn);
    expect(model.config.output).toBe('probabilities');
    const { x } = blobs(3);
    const [fromLogits, probabilities] = tf.tidy(() => [
      tf.softmax(model.apply(x).logits).dataSync(),
      (cnn.predict(x) as tf.Tensor).dataSync(),
    ]);
    for (let i = 0; i < probabilities!.length; i++) {
      expect(fromLogits![i]).toBeCloseTo(probabilities![i]!, 5);
    }
    tf.dispose(x);
  });

  it('works on a model saved and reloaded with tf.io', async () => {
    const cnn = sequentialCnn({ seed: 7 });
    let artifacts: tf.io.ModelArtifacts | undefined;
    await cnn.save(
      tf.io.withSaveHandler(async (saved) => {
        artifacts = saved;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const reloaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts!));
    const model = fromLayersModel(reloaded, { taps: { block1: 'conv1', pool: 'flat' } });
    expect(model.parameters.map((p) => p.name)).toContain('norm1/moving_variance');
    const { x } = blobs(5);
    const [reloadedLogits, originalLogits] = tf.tidy(() => [
      model.apply(x).logits.dataSync(),
      (cnn.predict(x) as tf.Tensor).dataSync(),
    ]);
    expect(Array.from(reloadedLogits!)).toEqual(Array.from(originalLogits!));
    tf.dispose(x);
  });

  it('reshapes image batches for a flat-input model', () => {
    const mlp = tfl.sequential({
      layers: [
        tfl.layers.dense({ name: 'hidden', inputShape: [64], units: 5, activation: 'relu' }),
        tfl.layers.dense({ name: 'out', units: 3 }),
      ],
    });
    expect(() => fromLayersModel(mlp)).toThrow(
      /options\.inputShape must be an image shape \[H, W, C\] with H·W·C = 64/,
    );
    const model = fromLayersModel(mlp, { inputShape: [8, 8, 1], taps: { hidden: 'hidden' } });
    const { x } = blobs(2);
    const output = model.apply(x);
    expect(output.logits.shape).toEqual([2, 3]);
    expect(output.features.hidden!.shape).toEqual([2, 5]);
    tf.dispose([x, output.logits, output.features.hidden!]);
  });

  it('names the valid layers and the closest one for an unknown tap', () => {
    const cnn = sequentialCnn();
    let error: unknown;
    try {
      fromLayersModel(cnn, { taps: { block1: 'conv_1' } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toBe(
      "fromLayersModel: options.taps.block1 must be the name of a layer of the model (conv1, norm1, pool1, flat, out), received 'conv_1'; did you mean 'conv1'?",
    );
    expect(() => fromLayersModel(cnn, { taps: { block1: 'zzzzzzzz' } })).toThrow(
      /received 'zzzzzzzz'$/,
    );
  });

  it('rejects multi-output, multi-input and non-classifier models and wrong inputs', () => {
    const input = tfl.input({ shape: [8, 8, 1] });
    const flat = tfl.layers.flatten().apply(input) as Layers.SymbolicTensor;
    const a = tfl.layers.dense({ units: 3 }).apply(flat) as Layers.SymbolicTensor;
    const b = tfl.layers.dense({ units: 2 }).apply(flat) as Layers.SymbolicTensor;
    expect(() => fromLayersModel(tfl.model({ inputs: input, outputs: [a, b] }))).toThrow(
      /fromLayersModel: model must be a model with exactly one output .*received 2 outputs/,
    );
    const second = tfl.input({ shape: [4] });
    const joined = tfl.layers.concatenate().apply([flat, second]) as Layers.SymbolicTensor;
    const out = tfl.layers.dense({ units: 3 }).apply(joined) as Layers.SymbolicTensor;
    expect(() => fromLayersModel(tfl.model({ inputs: [input, second], outputs: out }))).toThrow(
      /exactly one input .*received 2 inputs/,
    );
    const conv = tfl.layers
      .conv2d({ filters: 2, kernelSize: 1 })
      .apply(input) as Layers.SymbolicTensor;
    expect(() => fromLayersModel(tfl.model({ inputs: input, outputs: conv }))).toThrow(
      /an output of shape \[batch, classes\].*received output shape \[null, 8, 8, 2\]/,
    );
    expect(() => fromLayersModel({} as Layers.LayersModel)).toThrow(InvalidArgumentError);
    const model = fromLayersModel(sequentialCnn());
    const wrong = tf.zeros([2, 4, 4, 1]) as tf.Tensor4D;
    expect(() => model.apply(wrong)).toThrow(
      /x must be a batch of shape \[batch, 8, 8, 1\], received shape \[2, 4, 4, 1\]/,
    );
    wrong.dispose();
  });
});
