import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // One tfjs engine: the bench's own imports of tfjs-core get the CommonJS bundle that Node
    // gives the packages (vite would otherwise pick the ESM `module` entry, a second copy).
    alias: [{ find: /^@tensorflow\/tfjs-core$/, replacement: require.resolve('@tensorflow/tfjs-core') }],
  },
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 300_000,
    // tfjs-core's ESM gradient modules (src/register-gradients.ts) must go through vite; the
    // CommonJS bundle tf-core.node.js stays external so every package shares one engine.
    server: { deps: { inline: [/@tensorflow\/tfjs-core\/dist\/(?!tf-core\.node)/] } },
  },
});
