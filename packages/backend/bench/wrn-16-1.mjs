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

/** Builds WRN-16-1: conv3x3 16, 3 stages x 2 basic blocks (16, 32, 64 ch; strides 1, 2, 2). */
export function createWrn161(seed = 1, numClasses = 10) {
  let s = seed;
  const next = () => s++;
  const stem = convWeight(3, 3, 16, next());
  const blocks = [];
  let cin = 16;
  for (const [cout, stride] of [
    [16, 1],
    [32, 2],
    [64, 2],
  ]) {
    for (let b = 0; b < 2; b++) {
      const st = b === 0 ? stride : 1;
      blocks.push({
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
  const bnFinal = bnParams(64);
  const dense = tf.variable(
    tf.mul(tf.randomNormal([64, numClasses], 0, 1, 'float32', next()), Math.sqrt(1 / 64)),
  );
  const bias = tf.variable(tf.zeros([numClasses]));
  const variables = [stem, dense, bias, bnFinal.gamma, bnFinal.beta];
  for (const b of blocks) {
    variables.push(b.bn1.gamma, b.bn1.beta, b.conv1, b.bn2.gamma, b.bn2.beta, b.conv2);
    if (b.shortcut) variables.push(b.shortcut);
  }
  return { stem, blocks, bnFinal, dense, bias, variables };
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

/** Forward pass to logits (training mode batch norm). */
export function forward(net, x) {
  let h = tf.conv2d(x, net.stem, 1, 'same');
  for (const b of net.blocks) {
    const a = tf.relu(batchNorm(h, b.bn1));
    let y = tf.conv2d(a, b.conv1, b.stride, 'same');
    y = tf.relu(batchNorm(y, b.bn2));
    y = tf.conv2d(y, b.conv2, 1, 'same');
    const short = b.shortcut ? tf.conv2d(a, b.shortcut, b.stride, 'same') : h;
    h = tf.add(y, short);
  }
  h = tf.relu(batchNorm(h, net.bnFinal));
  const pooled = tf.reshape(tf.avgPool(h, [8, 8], 1, 'valid'), [x.shape[0], 64]);
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

export function disposeNet(net) {
  tf.dispose(net.variables);
}
