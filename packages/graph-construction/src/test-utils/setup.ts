// tfjs-core alone registers no gradients in Node (its gradient files ship as extensionless ESM);
// the @tensorflow/tfjs bundle registers them all on the shared engine, as an application would.
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
