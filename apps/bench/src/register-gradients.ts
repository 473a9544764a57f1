/**
 * Registers every gradient of tfjs-core. In Node, `@tensorflow/tfjs-core` resolves to its
 * CommonJS bundle, which registers no gradient (the `@tensorflow/tfjs` umbrella normally does),
 * so training fails with "gradient function not found for Mean". The ESM gradient configs are
 * bundled into the bench (tsup `noExternal`, vitest `deps.inline`); they register into tfjs's
 * global registry, shared with the CommonJS engine. Registering twice is harmless.
 *
 * Order matters: the CommonJS tfjs-core must be loaded first so that the global engine is its
 * own; the bundled gradient modules then find and use that engine.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';

tf.engine();
