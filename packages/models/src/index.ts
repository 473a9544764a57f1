export { BATCH_NORM_EPSILON } from './batch-norm-layer';
export { BATCH_NORM_MOMENTUM } from './moving-statistics-update';
export { countMacs } from './count-macs';
export { countParameters, type ParameterCount } from './count-parameters';
export type {
  ApplyOptions,
  FeatureModel,
  FeatureModelOutput,
  ModelParameter,
} from './feature-model';
export { type MlpOptions, mlp } from './mlp';
export {
  applyModelWeights,
  encodeModelWeights,
  MODEL_WEIGHTS_FORMAT,
  parseModelWeights,
  WEIGHTS_BIN_NAME,
} from './model-weights';
export { loadModelWeights, saveModelWeights } from './model-weights-node';
export { type CreateModelOptions, createModel, listModels, type ModelConfig } from './registry';
export { type ResNetCifarOptions, resNetCifar } from './resnet-cifar';
export { type SmallCnnOptions, smallCnn } from './small-cnn';
export { RESIDUAL_FEATURE_NAMES, type WideResNetOptions, wideResNet } from './wide-resnet';
export { type FromLayersModelOptions, fromLayersModel } from './from-layers-model';
