// Test-only: an application registers tfjs's gradients by importing @tensorflow/tfjs (or
// tfjs-node); tfjs-core alone registers none in Node.
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';

await tf.setBackend('cpu');
await tf.ready();
