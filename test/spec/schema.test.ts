import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UserError } from '../../src/errors.js';
import { OPTION_NAMES, OPTION_VALUES } from '../../src/spec/options.js';
import { SpecPatchSchema } from '../../src/spec/patch.js';
import { resolveSpec, secretsBackendOf, specFromRequirements } from '../../src/spec/resolve.js';
import { mergePatch } from '../../src/spec/merge.js';
import { SpecSchema } from '../../src/spec/schema.js';

describe('the spec', () => {
  it('fills the success criteria of the source document as SLO defaults', () => {
    const { spec } = specFromRequirements({ requirements: 'Predict churn' });
    expect(spec.slo).toEqual({
      p99_latency_ms: 200,
      availability_pct: 99.9,
      feature_serving_latency_ms: 1000,
      alert_time_s: 60,
      rollback_minutes: 5,
      max_degradation_pct: 5,
      drift_detection_window_h: 24,
      data_quality_issue_pct: 0.1,
      validation_pass_rate_pct: 99.9,
      commit_to_prod_minutes: 60,
      max_waste_pct: 20,
      min_spot_pct: 60,
    });
  });

  it('offers exactly the seven options of the source document, first value as default', () => {
    expect(OPTION_VALUES).toEqual({
      experiment_tracking: ['mlflow', 'wandb', 'neptune', 'clearml'],
      feature_store: ['feast', 'tecton', 'databricks', 'custom'],
      serving_platform: ['kserve', 'seldon', 'torchserve', 'triton'],
      orchestration: ['kubeflow', 'airflow', 'prefect', 'dagster'],
      cloud_provider: ['aws', 'azure', 'gcp', 'multi-cloud'],
      deployment_mode: ['realtime', 'batch', 'streaming', 'hybrid'],
      monitoring_stack: ['prometheus', 'datadog', 'newrelic', 'custom'],
    });
    const { spec } = specFromRequirements({ requirements: 'x' });
    for (const n of OPTION_NAMES) expect(spec.options[n]).toBe(OPTION_VALUES[n][0]);
  });

  it('documents every field with describe()', () => {
    const json = z.toJSONSchema(SpecSchema, { io: 'input' }) as { properties: Record<string, unknown> };
    const undocumented: string[] = [];
    const walk = (node: Record<string, unknown>, path: string) => {
      const props = node.properties as Record<string, Record<string, unknown>> | undefined;
      for (const [key, child] of Object.entries(props ?? {})) {
        if (typeof child.description !== 'string' || child.description.length < 5) undocumented.push(`${path}${key}`);
        walk(child, `${path}${key}.`);
        const items = child.items as Record<string, unknown> | undefined;
        if (items) walk(items, `${path}${key}[].`);
      }
    };
    walk(json as Record<string, unknown>, '');
    expect(undocumented).toEqual([]);
  });

  it('names the field and the allowed values when an option is wrong', () => {
    expect(() => resolveSpec({ name: 'ab', requirements: 'x', options: { serving_platform: 'kubeflow' } })).toThrowError(
      /spec\.options\.serving_platform: invalid value "kubeflow"; allowed: "kserve", "seldon", "torchserve", "triton"/,
    );
  });

  it('rejects unknown fields and says which', () => {
    expect(() => resolveSpec({ name: 'ab', requirements: 'x', slo: { p99: 100 } })).toThrowError(/spec\.slo: unknown field "p99"/);
  });

  it('rejects duplicate feature names and unknown feature sources', () => {
    const err = (() => {
      try {
        resolveSpec({
          name: 'ab',
          requirements: 'x',
          data: { sources: [{ name: 'a', kind: 'postgres' }], features: [{ name: 'f', type: 'numeric' }, { name: 'f', type: 'numeric', source: 'zzz' }] },
        });
      } catch (e) {
        return e as UserError;
      }
    })();
    expect(err).toBeInstanceOf(UserError);
    expect(err!.message).toContain('spec.data.features[1].name: "f" is used twice');
    expect(err!.message).toContain('spec.data.features[1].source: unknown source "zzz"; declared sources: a');
  });

  it('reads structured hints from the requirements, and structured fields win', () => {
    const { spec, inferred } = specFromRequirements({
      requirements: 'Real-time fraud scoring on Kafka payment events (20M events per day) with p99 under 50 ms at 3k rps, trained on 4 GPUs, deployed on GKE with Seldon',
      spec: { options: { serving_platform: 'triton' } },
    });
    expect(spec.problem.type).toBe('binary_classification');
    expect(spec.data.sources).toEqual([{ name: 'kafka_source', kind: 'kafka', rows_per_day: 20_000_000 }]);
    expect(spec.slo.p99_latency_ms).toBe(50);
    expect(spec.scale.peak_rps).toBe(3000);
    expect(spec.scale.training_gpus).toBe(4);
    expect(spec.options.cloud_provider).toBe('gcp');
    expect(spec.options.serving_platform).toBe('triton');
    expect(inferred).toContain('options.cloud_provider');
    expect(inferred).not.toContain('options.serving_platform');
  });

  it('reads the CI platform and the secrets backend from the requirements; Vault is the multi-cloud default', () => {
    const gitlab = specFromRequirements({ requirements: 'Churn model on AWS, CI in GitLab, secrets in HashiCorp Vault' });
    expect(gitlab.spec.delivery).toEqual({ ci_platform: 'gitlab', secrets_backend: 'vault' });
    expect(gitlab.inferred).toEqual(expect.arrayContaining(['delivery.ci_platform', 'delivery.secrets_backend']));
    const aws = specFromRequirements({ requirements: 'Churn model on AWS' }).spec;
    expect(aws.delivery).toEqual({ ci_platform: 'github' });
    expect(secretsBackendOf(aws)).toBe('cloud');
    expect(secretsBackendOf(specFromRequirements({ requirements: 'Churn model across AWS and GCP, multi-cloud' }).spec)).toBe('vault');
    const explicit = specFromRequirements({ requirements: 'Churn model, multi-cloud', spec: { delivery: { secrets_backend: 'cloud' } } });
    expect(secretsBackendOf(explicit.spec)).toBe('cloud');
    // The default is derived when read, so moving a stored pipeline to multi-cloud moves it to Vault.
    expect(secretsBackendOf(resolveSpec(mergePatch(aws, { options: { cloud_provider: 'multi-cloud' } })))).toBe('vault');
  });

  it('derives a slug name, a namespace and starter data when only text is given', () => {
    const { spec } = specFromRequirements({ requirements: 'Forecast weekly demand for 2,000 stores!' });
    expect(spec.name).toBe('forecast-weekly-demand-2000');
    expect(spec.team.namespace).toBe('ml-forecast-weekly-demand-2000');
    expect(spec.problem.type).toBe('forecasting');
    expect(spec.data.features.length).toBeGreaterThan(2);
    expect(spec.data.features.every((f) => f.source === spec.data.sources[0]!.name)).toBe(true);
  });

  it('reads regression from "estimate … time" phrasing', () => {
    expect(specFromRequirements({ requirements: 'Estimate delivery time in minutes for each order' }).spec.problem.type).toBe('regression');
  });

  it('keeps multi-letter words only when naming', () => {
    expect(specFromRequirements({ requirements: 'Recommend products to shoppers on our e-commerce site' }).spec.name).toBe('recommend-products-shoppers');
  });

  it('gives a name even to requirements without Latin letters', () => {
    const { spec } = specFromRequirements({ requirements: '詐欺偵測' });
    expect(spec.name).toBe('pipeline');
  });

  it('accepts deep-partial patches with null to restore defaults, and rejects typos', () => {
    expect(SpecPatchSchema.safeParse({ slo: { p99_latency_ms: 100 }, options: { serving_platform: null } }).success).toBe(true);
    expect(SpecPatchSchema.safeParse({ slo: { p99_latencyms: 100 } }).success).toBe(false);
    expect(SpecPatchSchema.safeParse({ options: { serving_platform: 'kserve2' } }).success).toBe(false);
  });
});
