import { InvalidArgumentError } from '@geokd/errors';
import * as tf from '@tensorflow/tfjs-core';
import type {
  ApplyOptions,
  FeatureModel,
  FeatureModelOutput,
  ModelParameter,
} from './feature-model';
import { batchMovingStatistics } from './moving-statistics-update';

/** What a factory hands to {@link FunctionalModel}. @internal */
export interface FunctionalModelSpec {
  name: string;
  config: Record<string, unknown>;
  inputShape: [number, number, number];
  numClasses: number;
  featureNames: readonly string[];
  parameters: readonly ModelParameter[];
  /** Whether inputs may have another height and width than `inputShape` (conv nets). */
  anySpatialSize: boolean;
  forward(x: tf.Tensor4D, training: boolean): FeatureModelOutput;
}

/**
 * The {@link FeatureModel} implementation shared by every architecture of this package: it
 * validates the input, runs the forward pass in `tf.tidy`, and owns the variables.
 * @internal
 */
export class FunctionalModel implements FeatureModel {
  readonly name: string;
  readonly config: Record<string, unknown>;
  readonly inputShape: [number, number, number];
  readonly numClasses: number;
  readonly featureNames: readonly string[];
  readonly parameters: readonly ModelParameter[];
  private readonly spec: FunctionalModelSpec;
  private disposed = false;

  constructor(spec: FunctionalModelSpec) {
    this.spec = spec;
    this.name = spec.name;
    this.config = spec.config;
    this.inputShape = spec.inputShape;
    this.numClasses = spec.numClasses;
    this.featureNames = spec.featureNames;
    this.parameters = spec.parameters;
  }

  /**
   * @throws {@link InvalidArgumentError} when `x` is not rank 4, its channels differ from the
   * model's, its height/width differ for a model that needs them fixed, or the model was disposed.
   */
  apply(x: tf.Tensor4D, options: ApplyOptions = {}): FeatureModelOutput {
    const fn = `${this.name}.apply`;
    if (this.disposed) {
      throw new InvalidArgumentError({
        functionName: fn,
        argument: 'this',
        expected: 'a model that has not been disposed',
        received: 'a disposed model',
      });
    }
    if (x.rank !== 4) {
      throw new InvalidArgumentError({
        functionName: fn,
        argument: 'x',
        expected: 'a rank-4 NHWC tensor',
        received: `rank ${x.rank} (shape [${x.shape.join(', ')}])`,
      });
    }
    const [, h, w, c] = x.shape;
    const [eh, ew, ec] = this.inputShape;
    if (c !== ec) {
      throw new InvalidArgumentError({
        functionName: fn,
        argument: 'x',
        expected: `${ec} channels (input shape [${this.inputShape.join(', ')}])`,
        received: `${c} channels (shape [${x.shape.join(', ')}])`,
      });
    }
    if (!this.spec.anySpatialSize && (h !== eh || w !== ew)) {
      throw new InvalidArgumentError({
        functionName: fn,
        argument: 'x',
        expected: `height ${eh} and width ${ew}`,
        received: `shape [${x.shape.join(', ')}]`,
      });
    }
    const training = options.training ?? false;
    return tf.tidy(() => {
      // Training mode: every batch-norm layer's moving statistics are updated in one batched
      // pass at the end (a dozen kernels plus two per layer, instead of twelve per layer).
      const out = training
        ? batchMovingStatistics(() => this.spec.forward(x, true))
        : this.spec.forward(x, false);
      return { logits: out.logits, features: { ...out.features } } as tf.TensorContainerObject;
    }) as unknown as FeatureModelOutput;
  }

  trainableVariables(): tf.Variable[] {
    return this.parameters.filter((p) => p.trainable).map((p) => p.variable);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const p of this.parameters) p.variable.dispose();
  }
}
