import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Every test runs inside the private network namespace, or not at all.
    setupFiles: ['tests/setup/private-netns-guard.ts'],
    // A throwaway PostgreSQL cluster on 127.0.0.1 for the central service's tests (no mock database).
    globalSetup: ['tests/setup/postgres.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Lab tests spawn namespaces and processes: keep file-level parallelism modest on 2 cores.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
