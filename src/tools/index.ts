import { applySuggestions } from './apply_suggestions.js';
import { calculateSampleSize } from './calculate_sample_size.js';
import { checkDrift } from './check_drift.js';
import { createPipeline } from './create_pipeline.js';
import { estimateCost } from './estimate_cost.js';
import { exportBundle } from './export_bundle.js';
import { generateCiWorkflow } from './generate_ci_workflow.js';
import { generateHelmChart } from './generate_helm_chart.js';
import { generateKubernetesManifests } from './generate_kubernetes_manifests.js';
import { generateDataValidation, generateFeatureStore, generateServingApp, generateTrainingPipeline } from './generate_ml_code.js';
import { generateDriftMonitor, generateGrafanaDashboard, generatePrometheusRules } from './generate_observability.js';
import { generateTerraform } from './generate_terraform.js';
import { getPipeline } from './get_pipeline.js';
import { listPipelines } from './list_pipelines.js';
import { phaseTools } from './phase_tools.js';
import { runPipeline } from './run_pipeline.js';
import { scoreSuccessCriteria } from './score_success_criteria.js';
import type { ToolDefinition } from './tool.js';
import { updatePipeline } from './update_pipeline.js';
import { validateArtifacts } from './validate_artifacts.js';

/** Every MCP tool, in the order clients list them. To add a tool: write its module, add it here. */
export const TOOLS: readonly ToolDefinition[] = [
  createPipeline,
  getPipeline,
  listPipelines,
  updatePipeline,
  applySuggestions,
  runPipeline,
  ...phaseTools,
  generateDataValidation,
  generateFeatureStore,
  generateTrainingPipeline,
  generateServingApp,
  generateKubernetesManifests,
  generateHelmChart,
  generateTerraform,
  generateCiWorkflow,
  generatePrometheusRules,
  generateGrafanaDashboard,
  generateDriftMonitor,
  calculateSampleSize,
  estimateCost,
  checkDrift,
  validateArtifacts,
  exportBundle,
  scoreSuccessCriteria,
];
