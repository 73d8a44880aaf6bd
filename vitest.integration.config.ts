import { defineConfig } from 'vitest/config';

// Whole-experiment runs through the CLI (each test spawns `npm run cli -- run`).
export default defineConfig({
  test: {
    environment: 'node',
    include: ['tests/integration/**/*.test.ts'],
    testTimeout: 900_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
