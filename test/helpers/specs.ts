import { mergePatch } from '../../src/spec/merge.js';
import { resolveSpec, specFromRequirements, type ResolvedSpec } from '../../src/spec/resolve.js';

/** The spec a user gets from one sentence and no structured fields. */
export function defaultSpec(): ResolvedSpec {
  return specFromRequirements({ requirements: 'Detect fraudulent card payments in real time' }).spec;
}

/** A spec exercising many fields, quite unlike the default one. */
export function richSpec(overrides: Record<string, unknown> = {}): ResolvedSpec {
  return resolveSpec({
    name: 'demand-forecast',
    requirements: 'Forecast daily demand per store and SKU for replenishment; nightly batch scoring, weekly retraining.',
    problem: { type: 'forecasting', target: 'units_sold', baseline_metric: 0.22, label_delay_hours: 48 },
    data: {
      sources: [
        { name: 'sales', kind: 'snowflake', rows_per_day: 40_000_000 },
        { name: 'inventory', kind: 'mysql', rows_per_day: 2_000_000 },
        { name: 'pos_events', kind: 'kinesis', rows_per_day: 300_000_000 },
      ],
      entity_key: 'store_sku',
      event_timestamp: 'sold_at',
      features: [
        { name: 'lag_7d', type: 'numeric', min: 0, max: 100000, source: 'sales' },
        { name: 'lag_28d', type: 'numeric', nullable: true, source: 'sales' },
        { name: 'on_hand', type: 'integer', min: 0, source: 'inventory' },
        { name: 'promo_type', type: 'categorical', categories: ['none', 'discount', 'bundle'], source: 'sales' },
        { name: 'is_holiday', type: 'boolean' },
        { name: 'store_region', type: 'categorical', categories: ['north', 'south'], protected: true },
      ],
      versioning: 'lakefs',
    },
    slo: { p99_latency_ms: 80, availability_pct: 99.95, rollback_minutes: 3, min_spot_pct: 75 },
    scale: { peak_rps: 2500, batch_size: 50_000_000, training_gpus: 4, serving_gpus: 1, training_schedule: '0 2 * * 1' },
    experiment: { baseline_rate: 0.3, minimum_detectable_effect: 0.02, effect_type: 'absolute' },
    options: {
      experiment_tracking: 'wandb',
      feature_store: 'tecton',
      serving_platform: 'triton',
      orchestration: 'airflow',
      cloud_provider: 'gcp',
      deployment_mode: 'hybrid',
      monitoring_stack: 'datadog',
    },
    team: { namespace: 'forecasting', owner: 'supply-chain-ml', oncall: 'opsgenie', budget_usd_per_month: 45000 },
    ...overrides,
  });
}

/** The spec with a merge patch applied (e.g. one option changed), resolved again. */
export function withPatch(spec: ResolvedSpec, patch: Record<string, unknown>): ResolvedSpec {
  return resolveSpec(mergePatch(spec, patch));
}
