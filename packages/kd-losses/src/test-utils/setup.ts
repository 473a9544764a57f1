import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients in Node (its gradient files ship as extensionless ESM);
// the @tensorflow/tfjs bundle registers them all on the shared engine, as an application would.
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

// Suites that build tensors while collecting tests need a ready backend before any beforeAll.
await tf.setBackend('cpu');
await tf.ready();
