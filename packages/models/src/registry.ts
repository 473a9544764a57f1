import { InvalidArgumentError, UnknownNameError } from '@geokd/errors';
import type { FeatureModel } from './feature-model';
import { type MlpOptions, mlp } from './mlp';
import { type ResNetCifarOptions, resNetCifar } from './resnet-cifar';
import { type SmallCnnOptions, smallCnn } from './small-cnn';
import { type WideResNetOptions, wideResNet } from './wide-resnet';

/** A model's JSON config, as found in {@link FeatureModel.config}: the architecture plus its options. */
export type ModelConfig =
  | ({ architecture: 'wrn' } & WideResNetOptions)
  | ({ architecture: 'resnet' } & ResNetCifarOptions)
  | ({ architecture: 'small-cnn' } & SmallCnnOptions)
  | ({ architecture: 'mlp' } & MlpOptions);

/** Options accepted by {@link createModel} next to a name: those of the named factory. */
export type CreateModelOptions = Partial<
  WideResNetOptions & ResNetCifarOptions & SmallCnnOptions & MlpOptions
>;

type Factory = (options: CreateModelOptions) => FeatureModel;

const factories: Record<ModelConfig['architecture'], Factory> = {
  wrn: (o) => wideResNet(o as WideResNetOptions),
  resnet: (o) => resNetCifar(o as ResNetCifarOptions),
  'small-cnn': (o) => smallCnn(o as SmallCnnOptions),
  mlp: (o) => mlp(o as MlpOptions),
};

/** The architecture names {@link createModel} knows. */
export function listModels(): string[] {
  return Object.keys(factories);
}

function parseNumbers(text: string): number[] | undefined {
  const parts = text.split('-');
  const numbers = parts.map(Number);
  return parts.every((p) => p !== '') && numbers.every(Number.isFinite) ? numbers : undefined;
}

/** Splits 'wrn-28-1', 'resnet-20', 'small-cnn-16-32', 'mlp-256-128' into factory and options. */
function parseName(name: string): { architecture: string; options: CreateModelOptions } {
  const archs = Object.keys(factories).sort((a, b) => b.length - a.length);
  for (const arch of archs) {
    if (name === arch) return { architecture: arch, options: {} };
    if (!name.startsWith(`${arch}-`)) continue;
    const numbers = parseNumbers(name.slice(arch.length + 1));
    if (numbers === undefined) break;
    if (arch === 'wrn' && numbers.length === 2) {
      return { architecture: arch, options: { depth: numbers[0], width: numbers[1] } };
    }
    if (arch === 'resnet' && numbers.length === 1) {
      return { architecture: arch, options: { depth: numbers[0] } };
    }
    if (arch === 'small-cnn') return { architecture: arch, options: { channels: numbers } };
    if (arch === 'mlp') return { architecture: arch, options: { hidden: numbers } };
    break;
  }
  return { architecture: name, options: {} };
}

/**
 * Builds a model by name or from its JSON config. Names are the architectures (`'wrn'`,
 * `'resnet'`, `'small-cnn'`, `'mlp'`, options then come from `options`) or full names that carry
 * the shape: `'wrn-28-1'`, `'wrn-16-0.5'` (depth-width), `'resnet-20'`, `'small-cnn-16-32'`
 * (channels), `'mlp-256-128'` (hidden widths). A config (`model.config`) rebuilds the same model.
 *
 * @throws {@link UnknownNameError} for an unknown name or architecture (the message lists the
 * valid names).
 * @throws {@link InvalidArgumentError} when the options are invalid for the architecture.
 * @example
 * ```ts
 * const teacher = createModel('wrn-16-1', { seed: 1 });
 * const copy = createModel(teacher.config); // same architecture and initial weights
 * ```
 */
export function createModel(
  nameOrConfig: string | ModelConfig | Readonly<Record<string, unknown>>,
  options: CreateModelOptions = {},
): FeatureModel {
  if (typeof nameOrConfig === 'object' && nameOrConfig !== null) {
    const { architecture, ...rest } = nameOrConfig as { architecture: unknown };
    if (typeof architecture !== 'string' || !(architecture in factories)) {
      throw new UnknownNameError({
        kind: 'model',
        name: String(architecture),
        validNames: listModels(),
      });
    }
    return (factories[architecture as ModelConfig['architecture']] as Factory)({
      ...(rest as CreateModelOptions),
      ...options,
    });
  }
  if (typeof nameOrConfig !== 'string') {
    throw new InvalidArgumentError({
      functionName: 'createModel',
      argument: 'nameOrConfig',
      expected: 'a model name or a config object with an architecture',
      received: String(nameOrConfig),
    });
  }
  const parsed = parseName(nameOrConfig);
  const factory = factories[parsed.architecture as ModelConfig['architecture']];
  if (factory === undefined) {
    throw new UnknownNameError({
      kind: 'model',
      name: nameOrConfig,
      validNames: [
        ...listModels(),
        'wrn-<depth>-<width>',
        'resnet-<depth>',
        'small-cnn-<c1>-<c2>…',
        'mlp-<h1>-<h2>…',
      ],
    });
  }
  return factory({ ...options, ...parsed.options });
}
