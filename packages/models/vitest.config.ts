import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    setupFiles: ['src/test-setup.ts'],
    testTimeout: 120_000,
    // tfjs-core's ESM gradient modules (src/test-setup.ts) must go through vite; the CommonJS
    // bundle tf-core.node.js stays external so every package shares one engine.
    server: { deps: { inline: [/@tensorflow\/tfjs-core\/dist\/(?!tf-core\.node)/] } },
  },
});
