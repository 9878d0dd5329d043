import type { ArtifactKind } from '../../artifacts/artifact.js';
import type { AlertDefinition } from './alerts.js';
import { dashboards } from './dashboards.js';
import type { MonitoringPlan } from './plan.js';
import { datadogFiles } from './vendorTerraformDatadog.js';
import { newRelicFiles } from './vendorTerraformNewRelic.js';

/**
 * Vendor monitors and dashboards for the datadog and newrelic stacks, as Terraform roots built with the HCL
 * serializer: monitoring/datadog/*.tf (+ the agent's OpenMetrics check) and monitoring/newrelic/*.tf. Every alert
 * of the catalogue becomes one monitor / condition; IDs that exist only after creation (the SLO id, the SLI guid,
 * policy and channel ids) are resource references. Other stacks: no vendor files.
 */
export function vendorFiles(p: MonitoringPlan, alerts: AlertDefinition[]): { path: string; kind: ArtifactKind; content: string }[] {
  const stack = p.spec.options.monitoring_stack;
  if (stack === 'datadog') return datadogFiles(p, alerts, dashboards(p));
  if (stack === 'newrelic') return newRelicFiles(p, alerts, dashboards(p));
  return [];
}

