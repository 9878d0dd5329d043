import { describe, expect, it } from 'vitest';
import { PHASE_IDS, type PhaseId } from '../../src/phases/graph.js';
import { runAllPhases } from '../../src/pipeline/runPhases.js';
import { phasesReading, withDescendants } from '../../src/pipeline/service.js';
import { changedPaths, mergePatch } from '../../src/spec/merge.js';
import { OPTION_NAMES, OPTION_VALUES } from '../../src/spec/options.js';
import { resolveSpec, type ResolvedSpec } from '../../src/spec/resolve.js';
import { defaultSpec, richSpec } from '../helpers/specs.js';

// One-field changes covering every section of the spec.
const MUTATIONS: Record<string, unknown>[] = [
  { name: 'renamed-pipeline' },
  { requirements: 'Something else entirely' },
  { problem: { type: 'regression' } },
  { problem: { type: 'multiclass_classification' } },
  { problem: { target: 'is_fraud' } },
  { problem: { baseline_metric: 0.7 } },
  { problem: { positive_rate: 0.01 } },
  { problem: { label_delay_hours: 72 } },
  { data: { entity_key: 'customer_id' } },
  { data: { event_timestamp: 'ts' } },
  { data: { versioning: 'lakefs' } },
  { data: { retention: { raw_days: 30 } } },
  { data: { sources: [{ name: 'events', kind: 'kafka', rows_per_day: 90_000_000 }], features: null } },
  { data: { features: [{ name: 'amount', type: 'numeric', min: 0, max: 10 }, { name: 'gender', type: 'categorical', categories: ['f', 'm', 'x'], protected: true }] } },
  ...['p99_latency_ms', 'feature_serving_latency_ms', 'alert_time_s', 'rollback_minutes', 'max_degradation_pct', 'drift_detection_window_h', 'data_quality_issue_pct', 'validation_pass_rate_pct', 'commit_to_prod_minutes', 'max_waste_pct', 'min_spot_pct'].map((k) => ({ slo: { [k]: k.endsWith('pct') ? 10 : 30 } })),
  { slo: { availability_pct: 99.99 } },
  { scale: { peak_rps: 5000 } },
  { scale: { average_rps: 10 } },
  { scale: { batch_size: 50_000_000 } },
  { scale: { training_gpus: 8 } },
  { scale: { serving_gpus: 1 } },
  { scale: { training_schedule: '@daily' } },
  { experiment: { baseline_rate: 0.02 } },
  { experiment: { minimum_detectable_effect: 0.3 } },
  { experiment: { alpha: 0.01 } },
  { experiment: { power: 0.9 } },
  { experiment: { treatment_share: 0.2 } },
  { team: { namespace: 'other-ns' } },
  { team: { owner: 'another-team' } },
  { team: { oncall: 'opsgenie' } },
  { team: { budget_usd_per_month: 999 } },
  ...OPTION_NAMES.flatMap((o) => OPTION_VALUES[o].slice(1).map((v) => ({ options: { [o]: v } }))),
];

function outputs(spec: ResolvedSpec): Record<PhaseId, string> {
  const { outputs: o } = runAllPhases(spec);
  return Object.fromEntries(PHASE_IDS.map((p) => [p, JSON.stringify(o[p])])) as Record<PhaseId, string>;
}

// A phase whose output changes when a field changes must be marked stale by that change: otherwise a user
// would keep reading an outdated document. This checks each phase's declared `reads` against what it does.
describe('staleness covers every spec field a phase really uses', () => {
  for (const [name, make] of [['default spec', defaultSpec], ['rich spec', richSpec]] as const) {
    it(`for the ${name}`, () => {
      const base = make();
      const before = outputs(base);
      const missed: string[] = [];
      for (const patch of MUTATIONS) {
        const changed = resolveSpec(mergePatch(base, patch));
        const paths = changedPaths(base, changed);
        if (paths.length === 0) continue;
        const stale = new Set(withDescendants(phasesReading(paths)));
        const after = outputs(changed);
        for (const phase of PHASE_IDS) {
          if (after[phase] !== before[phase] && !stale.has(phase)) missed.push(`${phase} changes with ${paths.join(', ')} but does not declare it in reads`);
        }
      }
      expect(missed).toEqual([]);
    });
  }
});
