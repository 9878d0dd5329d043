import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { call, stdioClient, text } from '../helpers/mcp.js';
import { tempDir } from '../helpers/tmp.js';

interface Generated {
  pipeline_id: string | null;
  name: string;
  phases_run: string[];
  files: { path: string; kind: string; content: string }[];
  objects: { file: string; api_version: string; kind: string; namespace: string | null; name: string }[];
}

describe('generator tools through a real MCP client (stdio)', () => {
  it('generate_helm_chart from an inline spec stores nothing; generate_kubernetes_manifests on a pipeline runs what is missing and stores the files', async () => {
    const dir = tempDir();
    const { client, close } = await stdioClient(join(dir, 'g.db'), join(dir, 'exports'));
    try {
      const chart = await call(client, 'generate_helm_chart', { requirements: 'Rank search results for our shop', spec: { options: { serving_platform: 'triton', cloud_provider: 'gcp' } } });
      expect(chart.isError, text(chart)).toBeFalsy();
      const c = chart.structuredContent as unknown as Generated;
      expect(c.pipeline_id).toBeNull();
      expect(c.files.every((f) => f.path.startsWith(`deploy/helm/${c.name}/`))).toBe(true);
      expect(c.files.map((f) => f.path)).toEqual(expect.arrayContaining([`deploy/helm/${c.name}/Chart.yaml`, `deploy/helm/${c.name}/values.schema.json`, `deploy/helm/${c.name}/values-staging.yaml`]));
      expect(c.files.find((f) => f.path.endsWith('templates/serving.yaml'))!.content).toContain('kind: Rollout');
      const listed = await call(client, 'list_pipelines', {});
      expect((listed.structuredContent as { pipelines: unknown[] }).pipelines).toEqual([]);

      const created = await call(client, 'create_pipeline', { requirements: 'Score churn risk nightly from Snowflake', spec: { options: { serving_platform: 'seldon', deployment_mode: 'hybrid' } } });
      const id = (created.structuredContent as { pipeline_id: string }).pipeline_id;
      const manifests = await call(client, 'generate_kubernetes_manifests', { pipeline_id: id });
      expect(manifests.isError, text(manifests)).toBeFalsy();
      const m = manifests.structuredContent as unknown as Generated;
      expect(m.phases_run).toEqual(['data_engineer', 'data_scientist', 'ml_engineer', 'python_pro', 'mlops_engineer', 'kubernetes_architect']);
      expect(m.objects.some((o) => o.kind === 'SeldonDeployment')).toBe(true);
      expect(m.objects.some((o) => o.kind === 'InferenceService')).toBe(false);
      expect(m.objects.some((o) => o.kind === 'CronJob')).toBe(true);
      const overlay = parse(m.files.find((f) => f.path === 'deploy/k8s/overlays/dev/kustomization.yaml')!.content);
      expect(overlay.resources).toEqual(['../../base']);

      // Stored with the pipeline: validate_artifacts sees them, and a second call runs nothing.
      const validated = await call(client, 'validate_artifacts', { pipeline_id: id, paths: ['deploy/k8s/base/serving.yaml', 'deploy/k8s/overlays/prod/kustomization.yaml'] });
      expect((validated.structuredContent as { summary: { failed: number; passed: number } }).summary).toMatchObject({ failed: 0, passed: 2 });
      const again = await call(client, 'generate_kubernetes_manifests', { pipeline_id: id });
      expect((again.structuredContent as unknown as Generated).phases_run).toEqual([]);

      const both = await call(client, 'generate_helm_chart', { pipeline_id: id, spec: { options: { cloud_provider: 'azure' } } });
      expect(both.isError).toBe(true);
      expect(text(both)).toMatch(/either pipeline_id or an inline spec/);
      const neither = await call(client, 'generate_helm_chart', {});
      expect(neither.isError).toBe(true);
    } finally {
      await close();
    }
  });

  it('generate_terraform and generate_ci_workflow follow cloud_provider and ci_platform, and store the files with a pipeline', async () => {
    const dir = tempDir();
    const { client, close } = await stdioClient(join(dir, 'g.db'), join(dir, 'exports'));
    try {
      const tf = await call(client, 'generate_terraform', { requirements: 'Forecast demand per store', spec: { options: { cloud_provider: 'azure' } } });
      expect(tf.isError, text(tf)).toBeFalsy();
      const t = tf.structuredContent as unknown as Generated;
      expect(t.pipeline_id).toBeNull();
      expect(t.files.length).toBeGreaterThan(10);
      expect(t.files.every((f) => f.path.startsWith('infra/terraform/') && f.kind === 'terraform')).toBe(true);
      const all = t.files.map((f) => f.content).join('\n');
      expect(all).toContain('resource "azurerm_kubernetes_cluster"');
      expect(all).not.toMatch(/resource "(aws|google)_/);
      expect(t.files.map((f) => f.path)).toEqual(expect.arrayContaining(['infra/terraform/envs/prod/versions.tf', 'infra/terraform/envs/dev/terraform.tfvars']));

      const created = await call(client, 'create_pipeline', { requirements: 'Score churn risk in real time; our CI is GitLab', spec: { options: { cloud_provider: 'gcp' } } });
      const id = (created.structuredContent as { pipeline_id: string }).pipeline_id;
      const ci = await call(client, 'generate_ci_workflow', { pipeline_id: id });
      expect(ci.isError, text(ci)).toBeFalsy();
      const c = ci.structuredContent as unknown as Generated;
      expect(c.phases_run).toEqual(['data_engineer', 'data_scientist', 'ml_engineer', 'python_pro', 'mlops_engineer']);
      const paths = c.files.map((f) => f.path);
      expect(paths).toContain('.gitlab-ci.yml');
      expect(paths.some((p) => p.startsWith('.github/'))).toBe(false);
      expect(paths.filter((p) => p.endsWith('Dockerfile')).length).toBeGreaterThanOrEqual(2);
      expect(paths).toContain('.dockerignore');

      const validated = await call(client, 'validate_artifacts', { pipeline_id: id, paths: ['.gitlab-ci.yml'] });
      expect((validated.structuredContent as { summary: { failed: number; passed: number } }).summary).toMatchObject({ failed: 0, passed: 1 });
      const score = await call(client, 'score_success_criteria', { pipeline_id: id });
      const velocity = (score.structuredContent as { criteria: { id: string; status: string; evidence: string }[] }).criteria.find((x) => x.id === 'velocity.commit_to_prod')!;
      expect(velocity.status, velocity.evidence).toBe('met');
      expect(velocity.evidence).toContain('.gitlab-ci.yml enforces');
    } finally {
      await close();
    }
  });

  it('generate_prometheus_rules, generate_grafana_dashboard and generate_drift_monitor follow monitoring_stack, and their files validate', async () => {
    const dir = tempDir();
    const { client, close } = await stdioClient(join(dir, 'g.db'), join(dir, 'exports'));
    try {
      const rules = await call(client, 'generate_prometheus_rules', { requirements: 'Detect card fraud in real time' });
      expect(rules.isError, text(rules)).toBeFalsy();
      const r = rules.structuredContent as unknown as Generated;
      expect(r.files.map((f) => f.path)).toEqual(expect.arrayContaining(['monitoring/prometheus/rules.yml', 'monitoring/prometheus/tests/alerts.test.yml', 'monitoring/alertmanager/alertmanager.yml', 'docs/runbooks/ModelErrorSpike.md']));
      expect(r.objects.map((o) => o.kind)).toEqual(expect.arrayContaining(['PrometheusRule', 'ServiceMonitor']));
      expect(r.files.some((f) => f.path.startsWith('monitoring/grafana/'))).toBe(false);

      const vendor = await call(client, 'generate_prometheus_rules', { requirements: 'Detect card fraud in real time', spec: { options: { monitoring_stack: 'datadog' } } });
      const v = vendor.structuredContent as unknown as Generated;
      expect(v.files.map((f) => f.path)).toEqual(expect.arrayContaining(['monitoring/datadog/monitors.tf', 'monitoring/datadog/slos.tf']));
      expect(v.files.some((f) => f.path.startsWith('monitoring/prometheus/'))).toBe(false);

      const boards = await call(client, 'generate_grafana_dashboard', { requirements: 'Detect card fraud in real time' });
      const b = boards.structuredContent as unknown as Generated;
      expect(b.files.filter((f) => f.kind === 'grafana-dashboard').length).toBeGreaterThanOrEqual(4);
      expect(b.objects.every((o) => o.kind === 'ConfigMap')).toBe(true);

      const created = await call(client, 'create_pipeline', { requirements: 'Score churn risk nightly from Snowflake' });
      const id = (created.structuredContent as { pipeline_id: string }).pipeline_id;
      const monitor = await call(client, 'generate_drift_monitor', { pipeline_id: id });
      expect(monitor.isError, text(monitor)).toBeFalsy();
      const m = monitor.structuredContent as unknown as Generated;
      expect(m.phases_run).toHaveLength(7);
      const paths = m.files.map((f) => f.path);
      expect(paths).toEqual(expect.arrayContaining(['monitoring/drift/drift_config.yaml', 'deploy/k8s/monitoring/jobs.yaml', 'ml/tests/monitoring/test_drift.py']));
      expect(paths.some((p) => p.endsWith('/observability/drift.py'))).toBe(true);
      const validated = await call(client, 'validate_artifacts', { pipeline_id: id, paths: paths.filter((p) => !p.startsWith('ml/tests/')) });
      expect((validated.structuredContent as { summary: { failed: number } }).summary.failed, text(validated)).toBe(0);
    } finally {
      await close();
    }
  });
  it('generate_data_validation, generate_feature_store, generate_training_pipeline and generate_serving_app return their slice of the Python project, which validates', async () => {
    const dir = tempDir();
    const { client, close } = await stdioClient(join(dir, 'g.db'), join(dir, 'exports'));
    try {
      const slice = async (tool: string, spec: Record<string, unknown> = {}) => {
        const result = await call(client, tool, { requirements: 'Detect card fraud in real time from our Postgres ledger', spec });
        expect(result.isError, text(result)).toBeFalsy();
        return (result.structuredContent as unknown as Generated).files.map((f) => f.path);
      };
      const data = await slice('generate_data_validation');
      expect(data.some((p) => /^ml\/src\/[^/]+\/data\/models\.py$/.test(p))).toBe(true);
      expect(data.some((p) => /^data\/expectations\/.+\.json$/.test(p))).toBe(true);
      expect(data.some((p) => p.startsWith('ml/tests/data/'))).toBe(true);

      const custom = await slice('generate_feature_store', { options: { feature_store: 'custom' } });
      expect(custom).toContain('features/custom/feature_store.yaml');
      expect(custom.some((p) => p.endsWith('/features/store.py'))).toBe(true);
      const feast = await slice('generate_feature_store', { options: { feature_store: 'feast' } });
      expect(feast).toContain('features/feature_repo/feature_store.yaml');

      const training = await slice('generate_training_pipeline');
      expect(training.some((p) => p.endsWith('/training/pipeline.py'))).toBe(true);
      expect(training.some((p) => p.endsWith('/sample_data.py'))).toBe(true);
      expect(training).toContain('ml/configs/training.yaml');

      const realtime = await slice('generate_serving_app');
      expect(realtime.some((p) => p.endsWith('/serving/app.py'))).toBe(true);
      const batch = await slice('generate_serving_app', { options: { deployment_mode: 'batch' } });
      expect(batch.some((p) => p.endsWith('/serving/batch_score.py'))).toBe(true);
      expect(batch.some((p) => p.endsWith('/serving/app.py'))).toBe(false);
      const streaming = await slice('generate_serving_app', { options: { deployment_mode: 'streaming' } });
      expect(streaming.some((p) => p.endsWith('/serving/stream_consumer.py'))).toBe(true);

      // The four slices are parts of one project: on a stored pipeline they validate (py_compile, JSON, YAML).
      const created = await call(client, 'create_pipeline', { requirements: 'Detect card fraud in real time from our Postgres ledger' });
      const id = (created.structuredContent as { pipeline_id: string }).pipeline_id;
      const paths: string[] = [];
      for (const tool of ['generate_data_validation', 'generate_feature_store', 'generate_training_pipeline', 'generate_serving_app']) {
        const result = await call(client, tool, { pipeline_id: id });
        expect(result.isError, text(result)).toBeFalsy();
        paths.push(...(result.structuredContent as unknown as Generated).files.map((f) => f.path));
      }
      const validated = await call(client, 'validate_artifacts', { pipeline_id: id, paths });
      const summary = (validated.structuredContent as { summary: { failed: number; passed: number } }).summary;
      expect(summary.failed, text(validated)).toBe(0);
      expect(summary.passed).toBeGreaterThan(20);
    } finally {
      await close();
    }
  });
});
