import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Test files that take minutes (real validators and pytest over many bundles, sample trainings), longest first.
 * Without a duration cache (a clean CI clone) vitest starts larger files first, and the option-combinations file is
 * short: started last, it (~150 s in CI) would become the tail of the run.
 */
const LONGEST_FIRST = [
  'test/pipeline/optionCombinations.test.ts',
  'test/phases/observability_engineer.test.ts',
  'test/pipeline/bundle.test.ts',
  'test/phases/ml_engineer/training.test.ts',
  'test/phases/ml_engineer/trainingHeavy.test.ts',
];

// A renamed file would silently lose its place: fail loudly instead.
for (const path of LONGEST_FIRST) if (!existsSync(path)) throw new Error(`vitest.config.ts LONGEST_FIRST: ${path} does not exist`);

class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = LONGEST_FIRST.findIndex((path) => f.moduleId.endsWith(path));
      return i < 0 ? LONGEST_FIRST.length : i;
    };
    // Array.prototype.sort is stable: the other files keep vitest's order.
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One module graph per worker instead of per file: importing the server, the SDK and the generators for each
    // of ~110 files cost ~200 s of CI time (49 s without isolation). Tests therefore restore what they change
    // in shared state (process.env: test/validate/tools.test.ts) and keep no module-level mutable state.
    isolate: false,
    // Two workers on our 2-core machines: most test time is spent in validator child processes (promtool, helm,
    // pytest, Terraform), so a second worker roughly halves the wall time (vitest's default leaves one core idle).
    maxWorkers: 2,
    sequence: { sequencer: LongestFirstSequencer },
  },
});
