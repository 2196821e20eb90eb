import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Suites start real services (dynalite, embedded PostgreSQL, simulator); two workers fit 2 cores.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
