// The generator lives in @geokd/core, shared by every package; datasets re-exports it so that
// `import { SeededRandom } from '@geokd/datasets'` keeps working.
export { SeededRandom } from '@geokd/core';
