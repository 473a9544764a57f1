// The one seeded generator of geokd lives in @geokd/core; this package draws its initial weights
// from it (one stream per parameter, seeded by deriveSeed(modelSeed, parameterName)).
export { deriveSeed, SeededRandom } from '@geokd/core';
