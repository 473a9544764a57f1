import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Each example is a child process; run them one after another (2-core CI machines).
    fileParallelism: false,
    testTimeout: 180_000,
  },
});
