import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    setupFiles: ['src/test-setup.ts'],
    testTimeout: 180_000,
    // distill.test.ts trains its teacher in beforeAll: seconds alone, more on a busy machine.
    hookTimeout: 180_000,
  },
});
