import { artifact, type Artifact } from '../../artifacts/artifact.js';
import { pythonPackage } from '../common.js';
import { runbookPath, type AlertDefinition } from './alerts.js';
import { otelCollectorConfig, prometheusConfig } from './collectors.js';
import { driftConfigYaml } from './driftConfig.js';
import type { MonitoringPlan } from './plan.js';
import { driftModule, initModule, metricsModule, retrainingTriggerModule } from './python.js';
import { prometheusRulesFile } from './rules.js';
import { runbookMarkdown } from './runbooks.js';
import { datadogMonitors, newRelicConditions } from './vendor.js';

const PHASE = 'observability_engineer';

/** Every file of the phase, in a fixed order. */
export function buildArtifacts(p: MonitoringPlan, alerts: AlertDefinition[]): Artifact[] {
  const stack = p.spec.options.monitoring_stack;
  const files: Artifact[] = [];
  if (stack === 'prometheus' || stack === 'custom') {
    files.push(artifact(PHASE, 'monitoring/prometheus/rules.yml', 'prometheus-rules', prometheusRulesFile(p, alerts)));
    files.push(artifact(PHASE, 'monitoring/prometheus/prometheus.yml', 'yaml', prometheusConfig(p)));
  }
  if (stack === 'custom') files.push(artifact(PHASE, 'monitoring/otel/collector.yaml', 'yaml', otelCollectorConfig(p)));
  if (stack === 'datadog') files.push(artifact(PHASE, 'monitoring/datadog/monitors.yaml', 'yaml', datadogMonitors(p, alerts)));
  if (stack === 'newrelic') files.push(artifact(PHASE, 'monitoring/newrelic/alert_conditions.json', 'json', newRelicConditions(p, alerts)));
  files.push(artifact(PHASE, 'monitoring/drift/drift_config.yaml', 'yaml', driftConfigYaml(p)));
  const pkg = `ml/src/${pythonPackage(p.spec)}/observability`;
  files.push(artifact(PHASE, `${pkg}/__init__.py`, 'python', initModule(p)));
  files.push(artifact(PHASE, `${pkg}/metrics.py`, 'python', metricsModule(p)));
  files.push(artifact(PHASE, `${pkg}/drift.py`, 'python', driftModule(p)));
  files.push(artifact(PHASE, `${pkg}/retraining_trigger.py`, 'python', retrainingTriggerModule(p)));
  for (const a of alerts) files.push(artifact(PHASE, runbookPath(a.name), 'markdown', runbookMarkdown(p, a)));
  return files;
}
