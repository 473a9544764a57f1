import { InvalidArgumentError, UnknownNameError } from '@geokd/errors';
import type { ClassMaskMode } from '@geokd/graph-construction';
import * as tf from '@tensorflow/tfjs-core';
import { attentionTransferLoss } from './attention-transfer-loss';
import type { DistillationLoss, DistillationLossContext } from './distillation-loss';
import { gkdLoss } from './gkd-loss';
import { hintonKdLoss } from './hinton-kd-loss';
import { pktLoss } from './probabilistic-knowledge-transfer-loss';
import { rkdAngleLoss } from './relational-angle-loss';
import { rkdDistanceLoss } from './relational-distance-loss';
import { similarityPreservingLoss } from './similarity-preserving-loss';

type Options = Record<string, unknown>;

function checkTapCounts(
  name: string,
  student: readonly tf.Tensor[],
  teacher: readonly tf.Tensor[],
): void {
  if (student.length === 0 || student.length !== teacher.length) {
    throw new InvalidArgumentError({
      functionName: name,
      argument: 'teacher',
      expected: `as many tensors as student (${student.length}, at least 1)`,
      received: `${teacher.length}`,
    });
  }
}

/** Wraps a loss of one student/teacher tensor pair into a registry entry averaging over taps. */
function perTapLoss(
  name: string,
  description: string,
  loss: (student: tf.Tensor, teacher: tf.Tensor) => tf.Scalar,
): DistillationLoss {
  return {
    name,
    description,
    input: 'features',
    optionNames: [],
    compute(student, teacher) {
      checkTapCounts(name, student, teacher);
      return tf.tidy(() => {
        const losses = student.map((tensor, tap) => loss(tensor, teacher[tap]!));
        return tf.div(tf.addN(losses), losses.length) as tf.Scalar;
      });
    },
  };
}

const gkd: DistillationLoss = {
  name: 'gkd',
  description: 'graph knowledge distillation: match the similarity graphs of the batch, per tap',
  input: 'features',
  optionNames: ['k', 'power', 'classMode'],
  compute(student, teacher, options: Options, context: DistillationLossContext) {
    checkTapCounts('gkd', student, teacher);
    const classMode = options.classMode as ClassMaskMode | undefined;
    if (classMode !== undefined && classMode !== 'intra' && classMode !== 'inter') {
      throw new InvalidArgumentError({
        functionName: 'gkd',
        argument: 'options.classMode',
        expected: "'intra' or 'inter'",
        received: String(classMode),
      });
    }
    if (classMode !== undefined && context.labels === undefined) {
      throw new InvalidArgumentError({
        functionName: 'gkd',
        argument: 'options.classMode',
        expected: 'labels in the loss context (the trainer passes the batch labels)',
        received: 'no labels',
      });
    }
    return gkdLoss(student, teacher, {
      k: options.k as number | undefined,
      power: options.power as number | undefined,
      classes: classMode === undefined ? undefined : { labels: context.labels!, mode: classMode },
    });
  },
};

const hinton: DistillationLoss = {
  name: 'hinton',
  description: 'Hinton KD: KL divergence of temperature-softened logits, times T²',
  input: 'logits',
  optionNames: ['temperature'],
  compute(student, teacher, options: Options) {
    checkTapCounts('hinton', student, teacher);
    return hintonKdLoss(student[0]!, teacher[0]!, {
      temperature: options.temperature as number | undefined,
    });
  },
};

const losses: readonly DistillationLoss[] = [
  gkd,
  perTapLoss(
    'rkd-distance',
    'RKD distance: Huber loss on mean-normalised pairwise distances',
    rkdDistanceLoss,
  ),
  perTapLoss(
    'rkd-angle',
    'RKD angle: Huber loss on the cosines of all triplet angles',
    rkdAngleLoss,
  ),
  hinton,
  perTapLoss(
    'similarity-preserving',
    'similarity-preserving KD: row-normalised Gram matrices',
    similarityPreservingLoss,
  ),
  perTapLoss(
    'attention-transfer',
    'attention transfer: normalised spatial attention maps (NHWC taps)',
    (s, t) => attentionTransferLoss(s, t),
  ),
  perTapLoss(
    'pkt',
    'probabilistic knowledge transfer: KL of cosine-kernel conditional probabilities',
    pktLoss,
  ),
];

const byName = new Map(losses.map((loss) => [loss.name, loss]));

/**
 * The registered distillation loss called `name`, wrapped so that unknown option names are
 * rejected.
 *
 * @throws UnknownNameError listing the valid names (and the closest one) for an unknown name.
 * @example
 * ```ts
 * const gkd = getDistillationLoss('gkd');
 * const loss = gkd.compute(studentTaps, teacherTaps, { k: 16 }, { labels });
 * ```
 */
export function getDistillationLoss(name: string): DistillationLoss {
  const loss = byName.get(name);
  if (loss === undefined) {
    throw new UnknownNameError({
      kind: 'distillation loss',
      name,
      validNames: listDistillationLosses(),
    });
  }
  return {
    ...loss,
    compute(student, teacher, options, context) {
      for (const key of Object.keys(options ?? {})) {
        if (!loss.optionNames.includes(key)) {
          throw new InvalidArgumentError({
            functionName: loss.name,
            argument: `options.${key}`,
            expected:
              loss.optionNames.length === 0
                ? 'absent (this loss takes no options)'
                : `one of the options ${loss.optionNames.join(', ')}`,
            received: 'an unknown option',
          });
        }
      }
      return loss.compute(student, teacher, options ?? {}, context ?? {});
    },
  };
}

/** The names of every registered distillation loss. */
export function listDistillationLosses(): string[] {
  return losses.map((loss) => loss.name);
}
