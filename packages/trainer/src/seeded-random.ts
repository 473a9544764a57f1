// The generator is defined once, in @geokd/core (xoshiro128**); the trainer re-exports it.
export { SeededRandom } from '@geokd/core';
