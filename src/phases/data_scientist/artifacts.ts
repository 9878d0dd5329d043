import { artifact, type Artifact } from '../../artifacts/artifact.js';
import { toYaml } from '../../generators/serializers/yaml.js';
import type { ResolvedSpec } from '../../spec/resolve.js';
import { LAYOUT, pythonPackage } from '../common.js';
import type { DataEngineerDecisions } from '../data_engineer/decisions.js';
import type { SciencePlan } from './derive.js';
import { featureStoreArtifacts, storeBinding } from './featureStore.js';
import { statsModule } from './statsPy.js';
import { storeModule } from './storePy.js';
import { biasTestsModule, storeTestsModule } from './storeTestsPy.js';
import { transformModule } from './transformPy.js';
import { validationModule } from './validationPy.js';

const PHASE = 'data_scientist';

function featureSpecDocument(spec: ResolvedSpec, de: DataEngineerDecisions, plan: SciencePlan): Record<string, unknown> {
  return {
    version: 1,
    pipeline: spec.name,
    entity_key: de.entity_key,
    event_timestamp: de.event_timestamp,
    target: spec.problem.target,
    problem_type: spec.problem.type,
    contract: de.paths.schemas,
    features: plan.features.map((f) => {
      const sf = spec.data.features.find((x) => x.name === f.name)!;
      return {
        name: f.name,
        type: f.type,
        source: f.source,
        role: f.role,
        nullable: sf.nullable,
        range: sf.min !== undefined || sf.max !== undefined ? { min: sf.min, max: sf.max } : undefined,
        categories: sf.categories,
        transform: f.transform,
        imputation: f.imputation,
        missing_indicator: f.missing_indicator,
        outliers: f.outliers,
        output_columns: f.output_columns,
        drift: f.drift_tests,
      };
    }),
    drift_policy: plan.drift_policy,
    protected_attributes: plan.protected_attributes,
    bias: plan.bias,
    training_data: {
      window_days: plan.training.window_days,
      min_rows: plan.training.min_rows,
      split: plan.training.split,
      holdout_days: plan.training.holdout_days,
      label_cutoff_hours: plan.training.label_cutoff_hours,
    },
    model: {
      algorithm: plan.algorithm.family,
      library: plan.algorithm.library,
      objective: plan.algorithm.objective,
      candidates: plan.algorithm.candidates,
      primary_metric: plan.primary_metric,
      direction: plan.direction,
      baseline: plan.baseline.value,
      baseline_origin: plan.baseline.origin,
      promotion_threshold: plan.baseline.threshold,
      promotion_rule: plan.baseline.rule,
      secondary_metrics: plan.secondary_metrics,
      evaluation: plan.evaluation,
    },
    implementation: { transform: plan.paths.transform_module, validation: plan.paths.validation_module },
  };
}

function abTestDocument(spec: ResolvedSpec, de: DataEngineerDecisions, plan: SciencePlan): Record<string, unknown> {
  const { ab } = plan;
  return {
    version: 1,
    pipeline: spec.name,
    hypothesis: {
      null: 'the success rate with the candidate model equals the control rate',
      alternative: 'the success rates differ (two-sided)',
      control_rate: ab.result.control_rate,
      treatment_rate: ab.result.treatment_rate,
      absolute_effect: ab.result.absolute_effect,
      minimum_detectable_effect: spec.experiment.minimum_detectable_effect,
      effect_type: spec.experiment.effect_type,
      baseline_origin: ab.baseline_origin,
    },
    design: {
      randomisation_unit: de.entity_key,
      assignment: 'hash(entity key) mod 10000 buckets',
      treatment_share: spec.experiment.treatment_share,
      traffic_basis: ab.traffic_basis,
      daily_eligible_units: ab.daily_eligible_units,
      deployment_mode: spec.options.deployment_mode,
    },
    sample_size: {
      test: 'two-proportion z-test',
      alpha: spec.experiment.alpha,
      power: spec.experiment.power,
      two_sided: true,
      control_n: ab.result.control_n,
      treatment_n: ab.result.treatment_n,
      total_n: ab.result.total_n,
      formula: ab.result.formula,
    },
    duration: { days_needed: Math.round(ab.days_needed * 10_000) / 10_000, planned_days: ab.duration_days, rule: 'whole weeks, at least 7 days; no early stopping on significance' },
    success_metrics: { primary: 'success_rate', secondary: [plan.primary_metric, ...plan.secondary_metrics.slice(0, 2)] },
    guardrails: ab.guardrails,
    bias_checks: plan.bias.groups.length > 0 ? { attributes: plan.bias.groups, metrics: plan.bias.metrics } : { attributes: [], note: 'no protected attribute declared in the spec' },
    decision: {
      ship: 'p < alpha, effect in the favourable direction, no guardrail or bias breach',
      stop: 'any guardrail breach for 30 minutes or a sample-ratio mismatch',
      inconclusive: 'planned sample reached without significance: keep the control',
    },
  };
}

export function buildArtifacts(spec: ResolvedSpec, de: DataEngineerDecisions, plan: SciencePlan): Artifact[] {
  const pkg = pythonPackage(spec);
  const py = `${LAYOUT.pythonRoot}/src/${pkg}/features`;
  const tests = `${LAYOUT.pythonRoot}/tests/features`;
  const binding = storeBinding(spec, de, plan);
  const biasTests = biasTestsModule(pkg, plan);
  return [
    artifact(PHASE, plan.paths.feature_spec, 'yaml', toYaml(featureSpecDocument(spec, de, plan))),
    ...featureStoreArtifacts(spec, de, plan),
    artifact(PHASE, plan.paths.ab_test_plan, 'yaml', toYaml(abTestDocument(spec, de, plan))),
    artifact(PHASE, `${py}/__init__.py`, 'python', `"""Feature transformations and statistical validation of ${spec.name} (generated by the data_scientist phase)."""\n`),
    artifact(PHASE, `${py}/transform.py`, 'python', transformModule(spec, plan)),
    artifact(PHASE, `${py}/validation.py`, 'python', validationModule(spec, plan)),
    artifact(PHASE, `${py}/store.py`, 'python', storeModule(spec, binding)),
    artifact(PHASE, `${LAYOUT.pythonRoot}/src/${pkg}/stats.py`, 'python', statsModule(spec)),
    artifact(PHASE, `${tests}/test_store.py`, 'python', storeTestsModule(pkg, binding)),
    ...(biasTests === null ? [] : [artifact(PHASE, `${tests}/test_feature_bias.py`, 'python', biasTests)]),
  ];
}
