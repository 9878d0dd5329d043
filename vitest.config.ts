import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two workers on our 2-core machines: most test time is spent in validator child processes (promtool, helm,
    // pytest, Terraform), so a second worker roughly halves the wall time (vitest's default leaves one core idle).
    maxWorkers: 2,
  },
});
