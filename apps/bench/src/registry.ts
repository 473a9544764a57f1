import { UnknownNameError } from '@geokd/core';
import { DISTILLATION_LOSSES } from '@geokd/kd-losses';

/** One weighted loss term as the trainer's `distill({ losses })` takes it. */
export interface LossTermSpec {
  /** Loss name in the `@geokd/kd-losses` registry, e.g. `'gkd'`. */
  loss: string;
  /** Weight λ of the term in the total loss (cross-entropy is always there with weight 1). */
  weight: number;
  /** Feature taps the loss acts on; absent for logit losses. */
  taps?: string[];
  /** Options of the loss, e.g. `{ k: 16 }` for GKD or `{ temperature: 4 }` for Hinton KD. */
  options?: Record<string, unknown>;
}

/** What a method needs to know to build its loss terms. */
export interface MethodContext {
  /** Feature taps of the student (and teacher) the feature losses use. */
  taps: readonly string[];
  /** Training batch size (GKD kNN picks k from it). */
  batchSize: number;
  /** Override of the default weight of a loss, by loss name. */
  lossWeights?: Readonly<Record<string, number>>;
}

/** A benchmark method: a named recipe of distillation loss terms. */
export interface BenchMethod {
  /** Name used by `--methods` and in the tables. */
  name: string;
  /** One line for `--help` and the README. */
  description: string;
  /** The loss terms added to cross-entropy; empty for the baseline. */
  terms(context: MethodContext): LossTermSpec[];
}

/**
 * Default λ of each loss, as the papers' reference code uses them: read from each loss's own
 * declaration in `@geokd/kd-losses` (its `defaultWeight`), the one place it is written.
 */
export const DEFAULT_LOSS_WEIGHTS: Readonly<Record<string, number>> = Object.fromEntries(
  DISTILLATION_LOSSES.map((loss) => [loss.name, loss.defaultWeight ?? 1]),
);

/** Temperature of Hinton KD in every method that uses it. */
export const HINTON_TEMPERATURE = (DISTILLATION_LOSSES.find((loss) => loss.name === 'hinton')
  ?.defaultOptions?.temperature ?? 4) as number;

function weightOf(loss: string, context: MethodContext): number {
  return context.lossWeights?.[loss] ?? DEFAULT_LOSS_WEIGHTS[loss] ?? 1;
}

function featureTerm(
  loss: string,
  context: MethodContext,
  options: Record<string, unknown> = {},
): LossTermSpec {
  return { loss, weight: weightOf(loss, context), taps: [...context.taps], options };
}

function hintonTerm(context: MethodContext): LossTermSpec {
  return {
    loss: 'hinton',
    weight: weightOf('hinton', context),
    options: { temperature: HINTON_TEMPERATURE },
  };
}

/** k of the GKD kNN variant: a quarter of the batch, at least 1. */
export function knnNeighbours(batchSize: number): number {
  return Math.max(1, Math.floor(batchSize / 4));
}

/**
 * One method per loss of `@geokd/kd-losses` (but GKD, whose variants follow): the loss alone on
 * the taps (or the logits), with its default weight and options. A new loss gets its method here
 * without any edit.
 */
const SINGLE_LOSS_METHODS: readonly BenchMethod[] = DISTILLATION_LOSSES.filter(
  (loss) => loss.name !== 'gkd',
).map((loss) => ({
  name: loss.name,
  description: `${loss.description}${loss.input === 'features' ? ', on the taps' : ''}`,
  terms: (context: MethodContext) =>
    loss.input === 'logits'
      ? [
          {
            loss: loss.name,
            weight: weightOf(loss.name, context),
            options: { ...loss.defaultOptions },
          },
        ]
      : [featureTerm(loss.name, context)],
}));

const METHODS: readonly BenchMethod[] = [
  {
    name: 'baseline',
    description: 'student trained alone with cross-entropy (no teacher)',
    terms: () => [],
  },
  ...SINGLE_LOSS_METHODS,
  {
    name: 'gkd-dense',
    description:
      'GKD (Lassance et al. 2020) on the dense cosine similarity graphs (k = batch, p = 1)',
    // k = batch keeps every edge (the seed's dense graph); written out so the resolved spec
    // shows it.
    terms: (context) => [featureTerm('gkd', context, { k: context.batchSize, power: 1 })],
  },
  {
    name: 'gkd-knn',
    description: "GKD restricted to the teacher's kNN graph (k = batch / 4)",
    terms: (context) => [featureTerm('gkd', context, { k: knnNeighbours(context.batchSize) })],
  },
  {
    name: 'gkd-intra',
    description: 'GKD restricted to same-class pairs',
    terms: (context) => [featureTerm('gkd', context, { classes: { mode: 'intra' } })],
  },
  {
    name: 'gkd-hinton',
    description: `GKD (dense) plus Hinton KD, T = ${HINTON_TEMPERATURE}`,
    terms: (context) => [featureTerm('gkd', context), hintonTerm(context)],
  },
];

/** Names of every registered method, in table order. */
export function listMethods(): string[] {
  return METHODS.map((method) => method.name);
}

/**
 * The method registered under `name`.
 *
 * @throws UnknownNameError when no method has that name (the message suggests the closest).
 */
export function getMethod(name: string): BenchMethod {
  const method = METHODS.find((candidate) => candidate.name === name);
  if (method === undefined) {
    throw new UnknownNameError({ kind: 'method', name, validNames: listMethods() });
  }
  return method;
}

/** True for methods whose loss terms include GKD (used to pick the heatmap student). */
export function isGkdMethod(name: string): boolean {
  return name.startsWith('gkd');
}
