import { endpointsConfigMapName } from '../../src/phases/kubernetes_architect/storage.js';
import { isCiFile } from '../../src/tools/generate_ci_workflow.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MlopsEngineerDecisions } from '../../src/phases/mlops_engineer/decisions.js';
import { mlopsEngineer } from '../../src/phases/mlops_engineer/index.js';
import type { PhaseOutput } from '../../src/phases/types.js';
import { resolveSpec, type ResolvedSpec } from '../../src/spec/resolve.js';
import { validateManifest } from '../../src/validate/validators/kubernetes.js';
import { artifactAt, k8sObjects as objectsOf, runPhase, runTool, shellcheck, upstreamFor, withSpec, writeArtifacts, yamllint, type K8sObject } from '../helpers/phaseHarness.js';
import { defaultSpec, richSpec } from '../helpers/specs.js';
import { matches, podLabels } from './mlops_engineer/objects.js';

const run = (spec: ResolvedSpec, notes?: string): PhaseOutput<'mlops_engineer'> => runPhase('mlops_engineer', spec, notes);

/** serving.yaml holds only these kinds (the model server's kind depends on serving_platform). */
const SERVING_KINDS = ['Deployment', 'Service', 'ConfigMap', 'PodDisruptionBudget', 'CronJob', 'Rollout', 'InferenceService', 'SeldonDeployment'];

function podSpecs(obj: K8sObject): Record<string, unknown>[] {
  const spec = obj.spec as Record<string, unknown>;
  if (obj.kind === 'CronJob') return [((spec.jobTemplate as { spec: { template: { spec: Record<string, unknown> } } }).spec.template.spec)];
  if (obj.kind === 'Deployment' || obj.kind === 'Rollout') return [(spec.template as { spec: Record<string, unknown> }).spec];
  return [];
}

// ---------------------------------------------------------------------------------------------------------------

describe('mlops_engineer: derivations for the default spec', () => {
  const spec = defaultSpec();
  const out = run(spec);
  const d = out.decisions;
  const upstream = upstreamFor(spec, 'mlops_engineer');
  const predictBudget = upstream.python_pro!.budgets.predict_p99_ms;
  const serviceTime = Math.min(predictBudget, spec.slo.p99_latency_ms / 2);

  it('serves KServe over REST on 8080, online only', () => {
    expect(d.serving.platform).toBe('kserve');
    expect(d.serving.protocol).toBe('rest');
    expect(d.serving.port).toBe(8080);
    expect(d.serving.modes).toEqual(['online']);
    expect(d.batch).toBeNull();
    expect(d.stream).toBeNull();
  });

  it("sizes replicas with Little's law from the p99 budget and 100 rps", () => {
    expect(d.serving.service_time_ms).toBe(serviceTime);
    // 2 workers (below 1,000 rps) → capacity = 2 × 1000 / s
    expect(d.serving.capacity_rps_per_replica).toBeCloseTo((2 * 1000) / serviceTime, 2);
    const rho = [0.75, 0.7, 0.6, 0.5].find((r) => serviceTime / (1 - r) <= 200)!;
    expect(d.serving.target_utilisation).toBe(rho);
    expect(d.serving.min_replicas).toBe(2); // availability 99.9 < 99.95
    const perReplica = ((2 * 1000) / serviceTime) * rho;
    expect(d.serving.max_replicas).toBe(Math.max(2, Math.ceil(100 / perReplica - 1e-9) + 1, Math.ceil((100 * 1.25) / perReplica - 1e-9)));
    expect(d.serving.cpu).toBe('2');
    expect(d.serving.memory).toBe('3Gi');
    expect(d.serving.gpus).toBe(0);
  });

  it('keeps worst-case rollback within 5 minutes: 120 s × 2 + 30 s = 270 s', () => {
    expect(d.rollout.analysis_interval_seconds).toBe(120);
    expect(d.rollout.failure_limit).toBe(2);
    expect(d.rollout.worst_case_rollback_seconds).toBe(270);
    expect(d.rollout.worst_case_rollback_seconds).toBeLessThanOrEqual(spec.slo.rollback_minutes * 60);
  });

  it('uses a canary starting at 10 % (33 avg rps × 5 % × 120 s = 200 < 300 requests)', () => {
    expect(d.rollout.strategy).toBe('canary');
    expect(d.rollout.steps.map((s) => s.weight)).toEqual([10, 25, 50, 100]);
    expect(d.rollout.steps.map((s) => s.pause_seconds)).toEqual([240, 240, 240, 0]);
    expect(d.rollout.rollout_seconds).toBe(720);
    expect(d.rollout.shadow).toBe(true);
    expect(d.rollout.shadow_mirror_pct).toBe(25); // 33.3 × 25 % × 600 s = 5,000
  });

  it('fits CI stages within the 60-minute commit-to-prod SLO', () => {
    expect(d.ci.platform).toBe('github-actions');
    expect(d.ci.stages.map((s) => s.name)).toEqual([
      'lint_and_unit_tests',
      'build_images',
      'data_validation_gate',
      'model_validation_gate',
      'deploy_staging',
      'smoke_and_shadow',
      'production_approval',
      'promote_production',
    ]);
    expect(d.ci.stages.map((s) => s.budget_minutes)).toEqual([5, 8, 5, 8, 5, 5, 5, 15]);
    expect(d.ci.total_minutes).toBe(56);
    expect(d.ci.fits_slo).toBe(true);
  });

  it('delivers through ECR, Secrets Manager and Argo CD dev/staging/prod', () => {
    expect(d.image_registry).toBe('000000000000.dkr.ecr.us-east-1.amazonaws.com/detect-fraudulent-card-payments');
    expect(d.secrets_backend).toBe('AWS Secrets Manager');
    expect(d.gitops).toEqual({ tool: 'argocd', environments: ['dev', 'staging', 'prod'] });
    expect(d.serving.namespace).toBe('ml-detect-fraudulent-card-payments-serving');
    expect(d.serving.deployment_name).toBe('detect-fraudulent-card-payments-model-server');
  });
});

describe('mlops_engineer: derivations for the rich spec (triton, hybrid, gcp, GPU)', () => {
  const spec = richSpec();
  const out = run(spec);
  const d = out.decisions;
  const upstream = upstreamFor(spec, 'mlops_engineer');
  const pp = upstream.python_pro!;
  const serviceTime = Math.min(pp.budgets.predict_p99_ms, 40);

  it('serves Triton over gRPC on 8001 with one GPU per replica', () => {
    expect(d.serving.protocol).toBe('grpc');
    expect(d.serving.port).toBe(8001);
    expect(d.serving.http_port).toBe(8000);
    // The metrics exporter's port: the backend's request metrics merged with Triton's own (8002, pod-local).
    expect(d.serving.metrics_port).toBe(9091);
    expect(d.serving.gpus).toBe(1);
    expect(d.serving.cpu).toBe('4');
    expect(d.serving.memory).toBe('16Gi');
    expect(d.serving.modes).toEqual(['online', 'batch']);
  });

  it('sizes 3 min replicas (99.95 %) and max from 2,500 rps with 8 in-flight per GPU', () => {
    expect(d.serving.min_replicas).toBe(3);
    expect(d.serving.capacity_rps_per_replica).toBeCloseTo((8 * 1000) / serviceTime, 2);
    const rho = [0.75, 0.7, 0.6, 0.5].find((r) => serviceTime / (1 - r) <= 80)!;
    const per = ((8 * 1000) / serviceTime) * rho;
    expect(d.serving.max_replicas).toBe(Math.max(3, Math.ceil(2500 / per - 1e-9) + 1, Math.ceil((2500 * 1.25) / per - 1e-9)));
  });

  it('rolls back within 3 minutes: 60 s × 2 + 30 s = 150 s, canary because GPUs', () => {
    expect(d.rollout.strategy).toBe('canary');
    expect(d.rollout.analysis_interval_seconds).toBe(60);
    expect(d.rollout.worst_case_rollback_seconds).toBe(150);
    expect(d.rollout.steps.map((s) => s.weight)).toEqual([5, 25, 50, 100]);
    expect(d.rollout.shadow_mirror_pct).toBe(10);
  });

  it('schedules batch scoring with airflow, window + 1 h before training at 02:00', () => {
    expect(d.batch).not.toBeNull();
    const windowMinutes = Math.round(pp.budgets.batch_window_hours * 60);
    const hoursBefore = Math.max(2, Math.ceil(windowMinutes / 60) + 1);
    expect(d.batch!.schedule).toBe(`30 ${(((2 - hoursBefore) % 24) + 24) % 24} * * *`);
    expect(d.batch!.orchestrator).toBe('airflow');
    const singleMinutes = 50_000_000 / pp.budgets.batch_rows_per_second / 60;
    expect(d.batch!.parallelism).toBe(Math.min(50, Math.max(1, Math.ceil(singleMinutes / windowMinutes - 1e-9))));
    expect(d.batch!.namespace).toBe('forecasting-batch');
  });

  it('delivers through Artifact Registry and GCP Secret Manager; GPU image → 12-minute build', () => {
    expect(d.image_registry).toBe('us-docker.pkg.dev/project-id/demand-forecast');
    expect(d.secrets_backend).toBe('GCP Secret Manager');
    expect(d.ci.stages.find((s) => s.name === 'build_images')!.budget_minutes).toBe(12);
    expect(d.ci.total_minutes).toBeLessThanOrEqual(60);
  });
});

describe('mlops_engineer: modes, strategies and SLO edge cases', () => {
  it('streaming without a stream source creates a new Kafka topic sized from peak_rps', () => {
    const spec = withSpec(defaultSpec(), (s) => (s.options.deployment_mode = 'streaming'));
    const d = run(spec).decisions;
    expect(d.stream).toMatchObject({ source_kind: 'kafka', topic: 'detect-fraudulent-card-payments-scoring-requests', new_topic: true, partitions: 3, consumer_replicas: 3 });
    expect(d.serving.modes).toEqual(['stream']);
    expect(d.serving.deployed).toBe(true);
  });

  it('streaming with the kinesis source of the rich spec: 300 M/day → 10,417 events/s peak → 11 shards', () => {
    const spec = richSpec({ options: { ...richSpec().options, deployment_mode: 'streaming' } });
    const d = run(spec).decisions;
    expect(d.stream).toMatchObject({ source_kind: 'kinesis', topic: 'pos_events', new_topic: false, partitions: 11, consumer_replicas: 11 });
    expect(d.serving.peak_prediction_rps).toBeCloseTo(10416.67, 1);
  });

  it('batch-only: no model server, blue-green on output locations', () => {
    const spec = withSpec(defaultSpec(), (s) => (s.options.deployment_mode = 'batch'));
    const out = run(spec);
    expect(out.decisions.serving.deployed).toBe(false);
    expect(out.decisions.serving.max_replicas).toBe(0);
    expect(out.decisions.rollout.strategy).toBe('blue_green');
    const kinds = objectsOf(artifactAt(out, 'deploy/k8s/base/serving.yaml')).map((o) => o.kind);
    expect(kinds).toEqual(['ConfigMap', 'CronJob']);
  });

  it('low-traffic CPU serving switches to blue-green (25 % canary would be statistically blind)', () => {
    const spec = withSpec(defaultSpec(), (s) => (s.scale.peak_rps = 3));
    const d = run(spec).decisions;
    expect(d.rollout.strategy).toBe('blue_green');
    expect(d.rollout.max_surge_factor).toBe(2);
  });

  it('a tight rollback SLO lowers the analysis interval and the failure limit', () => {
    const spec = withSpec(defaultSpec(), (s) => (s.slo.rollback_minutes = 1));
    const d = run(spec).decisions;
    expect(d.rollout.analysis_interval_seconds).toBe(15); // 15 × 2 + 30 = 60
    expect(d.rollout.worst_case_rollback_seconds).toBe(60);
  });

  it('a commit-to-prod SLO below the stage budgets is reported as not met', () => {
    const spec = withSpec(defaultSpec(), (s) => (s.slo.commit_to_prod_minutes = 30));
    const out = run(spec);
    expect(out.decisions.ci.fits_slo).toBe(false);
    expect(out.document).toContain('OVER');
  });
});

describe('mlops_engineer: document', () => {
  const spec = defaultSpec();
  const out = run(spec);

  it('has one section per deliverable and one subsection per bullet, then the hand-off', () => {
    const headings = out.document.split('\n').filter((l) => /^#{2,3} /.test(l));
    expect(headings).toEqual([
      '## 1. Model serving',
      '### REST/gRPC API with FastAPI/TorchServe',
      '### Batch prediction pipeline (Airflow/Kubeflow)',
      '### Stream processing (Kafka/Kinesis)',
      '### Serving platform (KServe/Seldon Core)',
      '## 2. Deployment strategies',
      '### Zero-downtime blue-green',
      '### Canary releases with traffic splitting',
      '### Shadow deployment for validation',
      '### A/B testing infrastructure',
      '## 3. CI/CD',
      '### GitHub Actions/GitLab CI workflows',
      '### Automated test gates',
      '### Model validation before deployment',
      '### ArgoCD for GitOps deployment',
      '## 4. Infrastructure as code',
      '### Terraform modules for cloud resources',
      '### Helm charts for Kubernetes deployment',
      '### Optimised multi-stage Docker builds',
      '### Secrets management with Vault/Secrets Manager',
      '## Hand-off',
    ]);
  });

  it('states the rollback arithmetic and the sizing figures', () => {
    expect(out.document).toContain('120 × 2 + 30 = `270 s` ≤ 300 s');
    expect(out.document).toContain("Little's law");
    expect(out.document).toContain('modules/platform-aws');
  });

  it('decisions parse with the contract', () => {
    expect(() => MlopsEngineerDecisions.parse(out.decisions)).not.toThrow();
  });

  it('is deterministic', () => {
    const again = run(spec);
    expect(again.document).toBe(out.document);
    expect(JSON.stringify(again.artifacts)).toBe(JSON.stringify(out.artifacts));
    expect(JSON.stringify(again.decisions)).toBe(JSON.stringify(out.decisions));
  });

  it('differs between the default and the rich spec', () => {
    expect(run(richSpec()).document).not.toBe(out.document);
  });

  it('escapes user text (requirements, owner, notes)', async () => {
    const nasty = 'Score <script>alert(1)</script> | `rm -rf` \n# heading\n| a | b |';
    const s = withSpec(spec, (x) => {
      x.requirements = nasty;
      x.team.owner = nasty;
    });
    const o = run(s, nasty);
    expect(o.document).not.toContain('<script>');
    expect(o.document).not.toMatch(/\n# heading/);
    for (const a of o.artifacts.filter((x) => x.kind === 'markdown')) {
      expect(a.content).not.toContain('<script>');
    }
    // YAML still parses and the script is still shellcheck-clean.
    expect(await validateManifest(artifactAt(o, 'deploy/k8s/base/serving.yaml').content)).toEqual([]);
    expect(shellcheck(artifactAt(o, 'scripts/deploy.sh').content)).toEqual({ ok: true, output: '' });
  });
});

describe('mlops_engineer: every read option changes the output', () => {
  const base = defaultSpec();
  const baseline = run(base);
  const fingerprint = (o: PhaseOutput<'mlops_engineer'>) => o.document + o.artifacts.map((a) => a.content).join('');
  const cases: [string, string[]][] = [
    ['serving_platform', ['seldon', 'torchserve', 'triton']],
    ['deployment_mode', ['batch', 'streaming', 'hybrid']],
    ['cloud_provider', ['azure', 'gcp', 'multi-cloud']],
    ['monitoring_stack', ['datadog', 'newrelic', 'custom']],
  ];
  for (const [option, values] of cases) {
    for (const value of values) {
      it(`${option} = ${value}`, () => {
        const s = withSpec(base, (x) => ((x.options as Record<string, string>)[option] = value));
        expect(fingerprint(run(s))).not.toBe(fingerprint(baseline));
      });
    }
  }
  it('orchestration changes the batch pipeline (hybrid)', () => {
    const hybrid = withSpec(base, (x) => (x.options.deployment_mode = 'hybrid'));
    const values = ['kubeflow', 'airflow', 'prefect', 'dagster'] as const;
    const docs = values.map((v) => run(withSpec(hybrid, (x) => (x.options.orchestration = v))).document);
    expect(new Set(docs).size).toBe(values.length);
  });
});

describe('mlops_engineer: artifacts pass their validators', () => {
  const variants: [string, ResolvedSpec][] = [
    ['default', defaultSpec()],
    ['rich', richSpec()],
    ['streaming-azure-seldon', withSpec(defaultSpec(), (s) => Object.assign(s.options, { deployment_mode: 'streaming', cloud_provider: 'azure', serving_platform: 'seldon' }))],
    ['batch-multicloud-torchserve', withSpec(defaultSpec(), (s) => Object.assign(s.options, { deployment_mode: 'batch', cloud_provider: 'multi-cloud', serving_platform: 'torchserve' }))],
  ];
  for (const [name, spec] of variants) {
    describe(name, () => {
      const out = run(spec);
      it('emits the expected files with allowed kinds', () => {
        const platform = spec.options.serving_platform;
        const online = out.decisions.serving.deployed;
        const expected: [string, string][] = [['deploy/k8s/base/serving.yaml', 'kubernetes'], ['deploy/k8s/base/identity.yaml', 'kubernetes'], ['deploy/k8s/base/secrets.yaml', 'kubernetes']];
        if (online) expected.push(['deploy/k8s/base/release.yaml', 'kubernetes'], ['deploy/k8s/experiments/ab-test.yaml', 'kubernetes']);
        if (online && (platform === 'kserve' || platform === 'seldon')) expected.push(['deploy/k8s/release/analysis-run.yaml', 'kubernetes']);
        if (online && platform === 'seldon') expected.push(['deploy/k8s/release/seldon-canary-predictor.json', 'json']);
        if (online && platform === 'torchserve') expected.push(['serving/torchserve/config.properties', 'torchserve-config'], ['serving/torchserve/README.md', 'markdown'], ['scripts/build-model-archive.sh', 'shell']);
        if (online && platform === 'triton') expected.push([`serving/triton/${out.decisions.model.name}/config.pbtxt`, 'triton-config'], ['serving/triton/README.md', 'markdown']);
        expected.push(['scripts/deploy.sh', 'shell'], ['docs/runbooks/release.md', 'markdown'], ['docs/runbooks/rollback.md', 'markdown']);
        // CI/CD, images, Terraform and the serving Python have their own tests (test/phases/mlops_engineer/ci,
        // test/generators/terraform, test/phases/mlops_engineer/servingPython.test.ts).
        const delivery = (p: string) => isCiFile(p) || p.startsWith('ci/scripts/') || p === 'docs/runbooks/ci-cd.md' || p.startsWith('infra/terraform/') || p.startsWith('ml/');
        expect(out.artifacts.filter((a) => !delivery(a.path)).map((a) => [a.path, a.kind])).toEqual(expected);
        expect(out.artifacts.filter((a) => a.path.startsWith('infra/terraform/')).every((a) => a.kind === 'terraform')).toBe(true);
      });

      it('serving.yaml: valid objects, selectors match pod labels, PDB and Service target the server', async () => {
        const content = artifactAt(out, 'deploy/k8s/base/serving.yaml').content;
        expect(await validateManifest(content)).toEqual([]);
        const objects = objectsOf(artifactAt(out, 'deploy/k8s/base/serving.yaml'));
        for (const obj of objects) expect(SERVING_KINDS).toContain(obj.kind);
        const names = new Set(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`));
        for (const obj of objects) {
          if (obj.kind === 'Deployment' || obj.kind === 'Rollout') {
            const sel = (obj.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
            expect(matches(sel, podLabels(obj)[0]!)).toBe(true);
          }
          if (obj.kind === 'Service' || obj.kind === 'PodDisruptionBudget') {
            const sel = obj.kind === 'Service' ? (obj.spec as { selector: Record<string, string> }).selector : (obj.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
            const targets = objects.filter((o) => o.metadata.namespace === obj.metadata.namespace && podLabels(o).some((l) => matches(sel, l)));
            expect(targets.map((t) => t.metadata.name)).toEqual([out.decisions.serving.platform_object!.name]);
          }
          for (const podSpec of podSpecs(obj)) {
            // envFrom ConfigMaps exist in the same namespace; the data-endpoints one is kubernetes_architect's (the
            // bundle-wide kubernetes-references check resolves it there).
            const containers = (podSpec.containers as { envFrom?: { configMapRef?: { name: string } }[] }[]) ?? [];
            for (const c of containers) {
              for (const e of c.envFrom ?? []) {
                if (e.configMapRef && e.configMapRef.name !== endpointsConfigMapName(spec)) expect(names.has(`ConfigMap/${obj.metadata.namespace}/${e.configMapRef.name}`), e.configMapRef.name).toBe(true);
              }
            }
          }
        }
        const decl = out.decisions.workloads.map((w) => `${w.kind}/${w.namespace}/${w.name}`);
        for (const w of decl) expect(names.has(w)).toBe(true);
        // The YAML passes yamllint too.
        expect(yamllint(content)).toEqual({ ok: true, output: '' });
      });

      it('deploy.sh passes shellcheck and bash -n', () => {
        const script = artifactAt(out, 'scripts/deploy.sh');
        const content = script.content;
        const file = join(writeArtifacts([script]), script.path);
        expect(content.startsWith('#!/usr/bin/env bash\n')).toBe(true);
        expect(content).toContain('set -euo pipefail');
        expect(runTool('/usr/bin/shellcheck', ['-s', 'bash', file])).toEqual({ ok: true, output: '' });
        expect(runTool('/bin/bash', ['-n', file]).ok).toBe(true);
      });

      it('runbooks carry the rollback figures', () => {
        const rollback = artifactAt(out, 'docs/runbooks/rollback.md').content;
        expect(rollback).toContain(`= ${out.decisions.rollout.worst_case_rollback_seconds} s`);
        const release = artifactAt(out, 'docs/runbooks/release.md').content;
        expect(release).toContain(`${out.decisions.ci.total_minutes} min`);
      });
    });
  }
});

describe('mlops_engineer: reads', () => {
  it('lists the spec paths it uses', () => {
    expect(mlopsEngineer.reads).toEqual(expect.arrayContaining(['options.serving_platform', 'options.deployment_mode', 'options.orchestration', 'options.cloud_provider', 'slo', 'scale']));
  });
});

describe('mlops_engineer: reads cover every spec path the output depends on', () => {
  it('with upstream decisions fixed, changing paths outside `reads` changes nothing', () => {
    const spec = richSpec();
    const upstream = upstreamFor(spec, 'mlops_engineer');
    const base = runPhase('mlops_engineer', spec, undefined, upstream);
    const mutated = withSpec(spec, (s) => {
      s.options.experiment_tracking = 'neptune';
      s.options.feature_store = 'custom';
      s.problem.label_delay_hours = 1;
      s.data.versioning = 'dvc';
      s.experiment.alpha = 0.01;
      s.team.oncall = 'pagerduty';
      s.team.budget_usd_per_month = 1;
    });
    const again = runPhase('mlops_engineer', mutated, undefined, upstream);
    expect(again.document).toBe(base.document);
    expect(JSON.stringify(again.artifacts)).toBe(JSON.stringify(base.artifacts));
    expect(JSON.stringify(again.decisions)).toBe(JSON.stringify(base.decisions));
  });
});

describe('mlops_engineer prints the promotion gate per rule and direction', () => {
  it('default spec: absolute threshold, maximised (≥)', () => {
    const out = run(defaultSpec());
    // CI stage table (model_validation_gate) and the model validation paragraph.
    expect(out.document).toContain('candidate roc_auc ≥ 0.65 (absolute threshold)');
    expect(out.document).toContain('candidate `roc_auc` ≥ `0.65` (absolute threshold; baseline 0.5)');
  });

  it('regression without baseline: relative to the measured mean predictor, minimised (≤)', () => {
    const out = run(resolveSpec({ name: 'house-prices', requirements: 'Predict the sale price of a house', problem: { type: 'regression', target: 'price' } }));
    expect(out.document).toContain('candidate rmse ≤ 0.95 × the CV rmse of the baseline model mean_predictor in the same training run (relative to the baseline)');
    expect(out.document).toContain('candidate `rmse` ≤ `0.95` × the CV `rmse` of the baseline model `mean_predictor` in the same training run');
    expect(out.document).not.toContain('≤ `0.95` (baseline');
  });
});
