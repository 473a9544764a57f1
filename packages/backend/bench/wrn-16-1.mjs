// WRN-16-1 (Zagoruyko & Komodakis, "Wide Residual Networks", BMVC 2016) written with plain
// tfjs-core ops, and one SGD-momentum training step, for the backend benchmark.
import * as tf from '@tensorflow/tfjs-core';

/** He-normal conv weights [k, k, cin, cout] from a seed. */
function convWeight(k, cin, cout, seed) {
  const std = Math.sqrt(2 / (k * k * cin));
  return tf.variable(tf.mul(tf.randomNormal([k, k, cin, cout], 0, 1, 'float32', seed), std));
}

function bnParams(c) {
  return { gamma: tf.variable(tf.ones([c])), beta: tf.variable(tf.zeros([c])) };
}

/**
 * Builds WRN-depth-widen (post-activation blocks as in the seed): conv3x3 16, then 3 stages of
 * (depth − 4) / 6 basic blocks with 16·widen, 32·widen, 64·widen channels (strides 1, 2, 2).
 * WRN-28-0.5 has 8, 16, 32 channels.
 */
export function createWrn(depth, widen, seed = 1, numClasses = 10) {
  if ((depth - 4) % 6 !== 0) throw new Error(`createWrn: depth ${depth} is not 6n + 4`);
  const perStage = (depth - 4) / 6;
  let s = seed;
  const next = () => s++;
  const stem = convWeight(3, 3, 16, next());
  const blocks = [];
  let cin = 16;
  const widths = [16, 32, 64].map((w) => Math.round(w * widen));
  for (const [stage, [cout, stride]] of [
    [widths[0], 1],
    [widths[1], 2],
    [widths[2], 2],
  ].entries()) {
    for (let b = 0; b < perStage; b++) {
      const st = b === 0 ? stride : 1;
      blocks.push({
        stage,
        lastOfStage: b === perStage - 1,
        stride: st,
        bn1: bnParams(cin),
        conv1: convWeight(3, cin, cout, next()),
        bn2: bnParams(cout),
        conv2: convWeight(3, cout, cout, next()),
        shortcut: cin !== cout || st !== 1 ? convWeight(1, cin, cout, next()) : null,
      });
      cin = cout;
    }
  }
  const bnFinal = bnParams(cin);
  const dense = tf.variable(
    tf.mul(tf.randomNormal([cin, numClasses], 0, 1, 'float32', next()), Math.sqrt(1 / cin)),
  );
  const bias = tf.variable(tf.zeros([numClasses]));
  const variables = [stem, dense, bias, bnFinal.gamma, bnFinal.beta];
  for (const b of blocks) {
    variables.push(b.bn1.gamma, b.bn1.beta, b.conv1, b.bn2.gamma, b.bn2.beta, b.conv2);
    if (b.shortcut) variables.push(b.shortcut);
  }
  return { stem, blocks, bnFinal, dense, bias, variables, channels: cin };
}

/** Builds WRN-16-1: conv3x3 16, 3 stages x 2 basic blocks (16, 32, 64 ch; strides 1, 2, 2). */
export function createWrn161(seed = 1, numClasses = 10) {
  return createWrn(16, 1, seed, numClasses);
}

// Training-mode batch norm as @geokd/models runs it (copied, so this package stands alone):
// y = γ·(x − μ)·rsqrt(σ² + ε) + β with biased batch statistics over N, H, W, and an analytic
// gradient (N elements per channel, s = γ·rsqrt(σ² + ε), x̂ = (x − μ)·rsqrt(σ² + ε)):
// dβ = Σ dy, dγ = Σ dy·x̂, dx = s·(dy − dβ/N − x̂·dγ/N). Autodiff through plain ops would reduce
// a full-size tensor for every broadcast op; this needs two per-channel sums. μ and σ² are
// closed-over constants (the gradient already accounts for them); x − μ is computed once.
function batchNorm(x, { gamma, beta }) {
  const axes = [0, 1, 2];
  const count = x.size / x.shape[3];
  const centred = tf.sub(x, tf.mean(x, axes));
  const variance = tf.mean(tf.square(centred), axes);
  const normalize = tf.customGrad((_x, g, b, save) => {
    const inv = tf.rsqrt(tf.add(variance, 1e-5));
    const scale = tf.mul(g, inv);
    save([centred, inv, scale]);
    return {
      value: tf.add(tf.mul(centred, scale), b),
      gradFunc: (dy, [c, invStd, s]) =>
        tf.tidy(() => {
          const dBeta = tf.sum(dy, axes);
          const dGamma = tf.mul(tf.sum(tf.mul(dy, c), axes), invStd);
          const centredFactor = tf.mul(tf.mul(s, invStd), tf.div(dGamma, count));
          const offset = tf.mul(s, tf.div(dBeta, count));
          const dx = tf.sub(tf.mul(dy, s), tf.add(tf.mul(c, centredFactor), offset));
          return [dx, dGamma, dBeta];
        }),
    };
  });
  return normalize(x, gamma, beta);
}

/** Forward pass to logits (training mode batch norm); `stageOutputs` collects each stage's output. */
export function forward(net, x, stageOutputs) {
  let h = tf.conv2d(x, net.stem, 1, 'same');
  for (const b of net.blocks) {
    const a = tf.relu(batchNorm(h, b.bn1));
    let y = tf.conv2d(a, b.conv1, b.stride, 'same');
    y = tf.relu(batchNorm(y, b.bn2));
    y = tf.conv2d(y, b.conv2, 1, 'same');
    const short = b.shortcut ? tf.conv2d(a, b.shortcut, b.stride, 'same') : h;
    h = tf.add(y, short);
    if (stageOutputs && b.lastOfStage) stageOutputs.push(h);
  }
  h = tf.relu(batchNorm(h, net.bnFinal));
  const pooled = tf.reshape(tf.avgPool(h, [8, 8], 1, 'valid'), [x.shape[0], net.channels]);
  return tf.add(tf.matMul(pooled, net.dense), net.bias);
}

/** Creates an SGD-momentum step: forward, backward, v = m v + g, w -= lr v. Returns the loss. */
export function createTrainStep(net, { learningRate = 0.1, momentum = 0.9 } = {}) {
  const velocity = net.variables.map((v) => tf.variable(tf.zerosLike(v), false));
  return (x, labels) => {
    const { value, grads } = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(labels, forward(net, x)),
      net.variables,
    );
    tf.tidy(() => {
      net.variables.forEach((variable, i) => {
        const vel = velocity[i];
        vel.assign(tf.add(tf.mul(vel, momentum), grads[variable.name]));
        variable.assign(tf.sub(variable, tf.mul(vel, learningRate)));
      });
    });
    const loss = value.dataSync()[0];
    tf.dispose([value, ...Object.values(grads)]);
    return loss;
  };
}

/**
 * The same step for backends that cannot read synchronously (webgpu in Node): the loss is read
 * with `await data()`, the one GPU→CPU read per step.
 */
export function createAsyncTrainStep(net, { learningRate = 0.1, momentum = 0.9 } = {}) {
  return createLossStep(
    net.variables,
    (x, labels) => tf.losses.softmaxCrossEntropy(labels, forward(net, x)),
    {
      learningRate,
      momentum,
    },
  );
}

/** An SGD-momentum step minimising `lossFn(x, labels)` over `variables`; resolves to the loss. */
export function createLossStep(variables, lossFn, { learningRate = 0.1, momentum = 0.9 } = {}) {
  const velocity = variables.map((v) => tf.variable(tf.zerosLike(v), false));
  const step = async (x, labels) => {
    const { value, grads } = tf.variableGrads(() => lossFn(x, labels), variables);
    tf.tidy(() => {
      variables.forEach((variable, i) => {
        const vel = velocity[i];
        vel.assign(tf.add(tf.mul(vel, momentum), grads[variable.name]));
        variable.assign(tf.sub(variable, tf.mul(vel, learningRate)));
      });
    });
    const loss = (await value.data())[0];
    tf.dispose([value, ...Object.values(grads)]);
    return loss;
  };
  step.dispose = () => tf.dispose(velocity);
  return step;
}

export function disposeNet(net) {
  tf.dispose(net.variables);
}
