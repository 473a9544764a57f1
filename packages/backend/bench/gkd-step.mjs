// The GKD distillation step of DEVICE.md, with plain tfjs-core ops: teacher WRN-28-1 forward
// (no gradient), student WRN-28-0.5 forward/backward, cross-entropy + 25 × the mean of three
// graph losses (one per stage: the batch's cosine-similarity graph of the flattened stage output,
// student against teacher, mean squared difference), SGD momentum.
import * as tf from '@tensorflow/tfjs-core';
import { createLossStep, createWrn, forward } from './wrn-16-1.mjs';

/** Cosine-similarity graph [B, B] of the rows of a flattened [B, …] feature map. */
function cosineGraph(features) {
  const flat = tf.reshape(features, [features.shape[0], -1]);
  const norms = tf.sqrt(tf.add(tf.sum(tf.square(flat), 1, true), 1e-12));
  const unit = tf.div(flat, norms);
  return tf.matMul(unit, unit, false, true);
}

/** Builds the nets and returns an async step (resolves to the loss) and a dispose function. */
export function createGkdStep({
  teacherDepth = 28,
  teacherWiden = 1,
  studentDepth = 28,
  studentWiden = 0.5,
  weight = 25,
} = {}) {
  const teacher = createWrn(teacherDepth, teacherWiden, 101);
  const student = createWrn(studentDepth, studentWiden, 1);
  let teacherGraphs = [];
  const studentStep = createLossStep(student.variables, (x, labels) => {
    const studentStages = [];
    const logits = forward(student, x, studentStages);
    const ce = tf.losses.softmaxCrossEntropy(labels, logits);
    const graphLosses = studentStages.map((s, i) =>
      tf.mean(tf.square(tf.sub(cosineGraph(s), teacherGraphs[i]))),
    );
    return tf.add(ce, tf.mul(tf.div(tf.addN(graphLosses), graphLosses.length), weight));
  });
  const step = async (x, labels) => {
    // The teacher's forward pass is outside the gradient function: its graphs are constants.
    teacherGraphs = tf.tidy(() => {
      const stages = [];
      forward(teacher, x, stages);
      return stages.map(cosineGraph);
    });
    const loss = await studentStep(x, labels);
    tf.dispose(teacherGraphs);
    teacherGraphs = [];
    return loss;
  };
  return {
    step,
    dispose() {
      studentStep.dispose();
      tf.dispose([...teacher.variables, ...student.variables]);
    },
  };
}
