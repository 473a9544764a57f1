/**
 * Test-only: registers tfjs-core's gradients. In Node, `@tensorflow/tfjs-core` resolves to its
 * CommonJS bundle, which registers no gradient (the `@tensorflow/tfjs` umbrella normally does);
 * the ESM gradient configs go through vite (vitest.config.ts inlines them) and register into
 * tfjs's global registry, shared with the CommonJS engine.
 */
// The CommonJS engine must exist first, so that tensors get its Tensor class (whose methods work).
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
