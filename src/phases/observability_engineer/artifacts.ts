import type { IApplication } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { artifact, type Artifact } from '../../artifacts/artifact.js';
import { ARGOCD_NAMESPACE, ENVIRONMENT_SYNC, clusterName } from '../../generators/kubernetes/argocd.js';
import { ENVIRONMENTS } from '../../generators/kubernetes/parameters.js';
import { toYaml, toYamlStream } from '../../generators/serializers/yaml.js';
import { gitRepoUrl } from '../kubernetes_architect/delivery.js';
import { grafanaDashboards } from './grafana.js';
import { instrumentationModule } from './instrumentation.js';
import { monitoringManifests } from './kubernetes.js';
import { pythonPackage } from '../common.js';
import { runbookPath, type AlertDefinition } from './alerts.js';
import { alertmanagerConfig, alertmanagerRouteTests } from './alertmanager.js';
import { collectorFiles, prometheusConfig } from './collectors.js';
import { driftConfigYaml } from './driftConfig.js';
import type { MonitoringPlan } from './plan.js';
import { driftModule, initModule, metricsModule, qualityModule, retrainingTriggerModule } from './python.js';
import { monitoringTestFiles } from './pythonTests.js';
import { promtoolTestFiles } from './ruleTests.js';
import { prometheusRulesFile } from './rules.js';
import { runbookMarkdown } from './runbooks.js';
import { vendorFiles } from './vendor.js';

const PHASE = 'observability_engineer';

/** Every file of the phase, in a fixed order. */
export function buildArtifacts(p: MonitoringPlan, alerts: AlertDefinition[]): Artifact[] {
  const stack = p.spec.options.monitoring_stack;
  const files: Artifact[] = [];
  if (stack === 'prometheus' || stack === 'custom') {
    files.push(artifact(PHASE, 'monitoring/prometheus/rules.yml', 'prometheus-rules', prometheusRulesFile(p, alerts)));
    for (const t of promtoolTestFiles(p, alerts)) files.push(artifact(PHASE, `monitoring/prometheus/tests/${t.name}`, 'prometheus-rules-test', t.content));
    files.push(artifact(PHASE, 'monitoring/prometheus/prometheus.yml', 'yaml', prometheusConfig(p)));
    files.push(artifact(PHASE, 'monitoring/alertmanager/alertmanager.yml', 'alertmanager', alertmanagerConfig(p, alerts)));
    files.push(artifact(PHASE, 'monitoring/alertmanager/route-tests.yaml', 'alertmanager-routes-test', alertmanagerRouteTests(p, alerts)));
    for (const d of grafanaDashboards(p)) files.push(artifact(PHASE, d.path, 'grafana-dashboard', d.json));
  }
  files.push(...monitoringK8sFiles(p, alerts));
  for (const f of collectorFiles(p)) files.push(artifact(PHASE, f.path, f.kind, f.content));
  for (const f of vendorFiles(p, alerts)) files.push(artifact(PHASE, f.path, f.kind, f.content));
  files.push(artifact(PHASE, 'monitoring/drift/drift_config.yaml', 'yaml', driftConfigYaml(p)));
  const pkg = `ml/src/${pythonPackage(p.spec)}/observability`;
  files.push(artifact(PHASE, `${pkg}/__init__.py`, 'python', initModule(p)));
  files.push(artifact(PHASE, `${pkg}/metrics.py`, 'python', metricsModule(p)));
  files.push(artifact(PHASE, `${pkg}/instrumentation.py`, 'python', instrumentationModule(p)));
  files.push(artifact(PHASE, `${pkg}/drift.py`, 'python', driftModule(p)));
  files.push(artifact(PHASE, `${pkg}/quality.py`, 'python', qualityModule(p)));
  files.push(artifact(PHASE, `${pkg}/retraining_trigger.py`, 'python', retrainingTriggerModule(p)));
  files.push(...monitoringTestFiles(p));
  for (const a of alerts) files.push(artifact(PHASE, runbookPath(a.name), 'markdown', runbookMarkdown(p, a)));
  return files;
}

export const MONITORING_K8S_DIR = 'deploy/k8s/monitoring';

/** deploy/k8s/monitoring/: the operator objects and jobs, a kustomization over them, and the Argo CD Applications that sync it. */
function monitoringK8sFiles(p: MonitoringPlan, alerts: AlertDefinition[]): Artifact[] {
  const sets = monitoringManifests(p, alerts);
  const files = sets.map((s) => artifact(PHASE, `${MONITORING_K8S_DIR}/${s.file}`, 'kubernetes', toYamlStream(s.objects)));
  files.push(artifact(PHASE, `${MONITORING_K8S_DIR}/kustomization.yaml`, 'kustomization', toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: sets.map((s) => s.file) })));
  const apps = ENVIRONMENTS.map(
    (env): IApplication => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: `${p.pipeline}-monitoring-${env}`,
        namespace: ARGOCD_NAMESPACE,
        labels: { 'app.kubernetes.io/name': p.pipeline, 'app.kubernetes.io/part-of': 'mlops-pipeline', 'app.kubernetes.io/managed-by': 'mlops-mcp', 'mlops-mcp/environment': env },
        finalizers: ['resources-finalizer.argocd.argoproj.io'],
      },
      spec: {
        project: p.pipeline,
        source: { repoURL: gitRepoUrl(p.spec), targetRevision: ENVIRONMENT_SYNC[env].revision, path: MONITORING_K8S_DIR },
        destination: { name: clusterName(p.pipeline, env) },
        syncPolicy: {
          automated: { prune: ENVIRONMENT_SYNC[env].prune, selfHeal: true },
          syncOptions: ['ServerSideApply=true'],
          retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
        },
      },
    }),
  );
  files.push(artifact(PHASE, 'deploy/argocd/apps/monitoring.yaml', 'kubernetes', toYamlStream(apps)));
  return files;
}
