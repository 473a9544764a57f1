import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { countParameters } from './count-parameters';
import { createModel, listModels, type ModelConfig } from './registry';

describe('createModel', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });

  it('lists the four architectures', () => {
    expect(listModels()).toEqual(['wrn', 'resnet', 'small-cnn', 'mlp']);
  });

  it.each([
    ['wrn-28-1', 'wrn-28-1', 369_690],
    ['wrn-28-0.5', 'wrn-28-0.5', 94_154],
    ['resnet-20', 'resnet-20', 272_474],
    // convs 9·1·16 + 9·16·32 = 4,752, BN γ/β 2·(16 + 32) = 96, dense on 7·7·32 = 1,568
    // features 1,568·10 + 10 = 15,690: 20,538.
    ['small-cnn-16-32', 'small-cnn-16-32', 20_538],
    ['mlp-256-128', 'mlp-256-128', 784 * 256 + 256 + 256 * 128 + 128 + 1290],
  ])('parses %s into the model it names', (name, expectedName, trainable) => {
    const model = createModel(name);
    expect(model.name).toBe(expectedName);
    expect(countParameters(model).trainable).toBe(trainable);
    model.dispose();
  });

  it('builds an architecture from a bare name and options', () => {
    const model = createModel('wrn', { depth: 16, width: 2, numClasses: 100, seed: 3 });
    expect(model.name).toBe('wrn-16-2');
    expect(model.numClasses).toBe(100);
    model.dispose();
  });

  it('rebuilds an identical model from its JSON config', () => {
    const a = createModel('small-cnn-4-8', { seed: 11, numClasses: 4 });
    const config = JSON.parse(JSON.stringify(a.config)) as ModelConfig;
    const b = createModel(config);
    expect(b.name).toBe(a.name);
    expect(b.config).toEqual(a.config);
    a.parameters.forEach((p, i) => {
      expect(Array.from(b.parameters[i]?.variable.dataSync() ?? [])).toEqual(
        Array.from(p.variable.dataSync()),
      );
    });
    a.dispose();
    b.dispose();
  });

  it('throws UnknownNameError listing the valid names and the closest one', () => {
    expect(() => createModel('resnett')).toThrow(
      "Unknown model 'resnett'. Valid model names: wrn, resnet, small-cnn, mlp, wrn-<depth>-<width>, resnet-<depth>, small-cnn-<c1>-<c2>…, mlp-<h1>-<h2>…. Did you mean 'resnet'?",
    );
    expect(() => createModel({ architecture: 'vgg' } as never)).toThrow("Unknown model 'vgg'.");
  });

  it('passes invalid options on to the factory, whose error names them', () => {
    expect(() => createModel('wrn-27-1')).toThrow('wideResNet: options.depth must be 6n + 4');
  });
});
