import { describe, expect, it } from 'vitest';
import { listedTools } from '../../src/server/mcpServer.js';

// The tool names and schemas are a contract with users and their chat clients: a change here must be deliberate.
// Review the snapshot diff, then update with `npx vitest run test/tools -u`.
describe('the MCP tool contract', () => {
  it('exposes exactly these tools', () => {
    expect(listedTools().map((t) => t.name)).toEqual([
      'create_pipeline',
      'get_pipeline',
      'list_pipelines',
      'update_pipeline',
      'apply_suggestions',
      'run_pipeline',
      'data_engineer',
      'data_scientist',
      'ml_engineer',
      'python_pro',
      'mlops_engineer',
      'kubernetes_architect',
      'observability_engineer',
      'generate_data_validation',
      'generate_feature_store',
      'generate_training_pipeline',
      'generate_serving_app',
      'generate_kubernetes_manifests',
      'generate_helm_chart',
      'generate_terraform',
      'generate_ci_workflow',
      'generate_prometheus_rules',
      'generate_grafana_dashboard',
      'generate_drift_monitor',
      'calculate_sample_size',
      'estimate_cost',
      'check_drift',
      'validate_artifacts',
      'export_bundle',
      'score_success_criteria',
    ]);
  });

  it('gives every tool a description, annotations and object input/output schemas', () => {
    for (const tool of listedTools()) {
      expect(tool.description!.length, tool.name).toBeGreaterThan(40);
      expect(tool.inputSchema.type, tool.name).toBe('object');
      expect(tool.outputSchema?.type, tool.name).toBe('object');
      expect(tool.annotations, tool.name).toMatchObject({
        readOnlyHint: expect.any(Boolean),
        destructiveHint: expect.any(Boolean),
        idempotentHint: expect.any(Boolean),
      });
    }
  });

  for (const tool of listedTools()) {
    it(`keeps the schema of ${tool.name}`, async () => {
      await expect(JSON.stringify({ inputSchema: tool.inputSchema, outputSchema: tool.outputSchema, annotations: tool.annotations }, null, 2)).toMatchFileSnapshot(
        `__snapshots__/${tool.name}.json`,
      );
    });
  }
});
