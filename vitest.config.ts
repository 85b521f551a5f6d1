import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Every test runs inside the private network namespace, or not at all.
    setupFiles: ['tests/setup/private-netns-guard.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Lab tests spawn namespaces and processes: keep file-level parallelism modest on 2 cores.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
