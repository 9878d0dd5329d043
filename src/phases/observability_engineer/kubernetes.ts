import type { IPodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { ICronJob } from 'kubernetes-models/batch/v1/CronJob';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IService } from 'kubernetes-models/v1/Service';
import { CONTAINER_SECURITY, POD_SECURITY } from '../k8s.js';
import { objectFetch } from '../mlops_engineer/cloud.js';
import { componentLabels, componentSelector } from '../mlops_engineer/naming.js';
import { podIdentityLabels } from '../mlops_engineer/serviceAccounts.js';
import { objectStoreUri, pythonPackage } from '../common.js';
import type { AlertDefinition } from './alerts.js';
import { driftConfigYaml } from './driftConfig.js';
import type { MonitoringPlan } from './plan.js';
import { duration } from './promql.js';
import { grafanaDashboardConfigMaps, grafanaDashboards } from './grafana.js';
import { ruleGroups } from './rules.js';

/**
 * The monitoring objects applied to each cluster (deploy/k8s/monitoring/): for the prometheus and custom stacks
 * the rules as a PrometheusRule and a ServiceMonitor for every component that exposes metrics; for every stack
 * the Pushgateway the jobs push to, and the scheduled drift and quality jobs plus the retraining trigger service.
 */
export type MonitoringObject = IPrometheusRule | IServiceMonitor | IPodMonitor | IDeployment | IService | ICronJob | IConfigMap;

/** kube-prometheus-stack's Prometheus selects rules and monitors by its Helm release label unless told otherwise. */
export const PROMETHEUS_SELECTOR_LABEL = { release: 'kube-prometheus-stack' } as const;

export const PUSHGATEWAY = { name: 'pushgateway', port: 9091, image: 'quay.io/prometheus/pushgateway:v1.10.0' } as const;
export const RETRAINING_TRIGGER_PORT = 8080;

function names(p: MonitoringPlan) {
  return {
    rules: `${p.pipeline}-rules`,
    serving: `${p.pipeline}-model-server`,
    pushgateway: `${p.pipeline}-${PUSHGATEWAY.name}`,
    // CronJob names stay ≤ 52 characters (the Job controller appends an 11-character suffix): 40 + 6.
    drift: `${p.pipeline}-drift`,
    driftConfig: `${p.pipeline}-drift-config`,
    quality: `${p.pipeline}-quality`,
    trigger: `${p.pipeline}-retraining-trigger`,
    // The monitoring workload identity (mlops_engineer identity.ts): bucket access for the jobs' inputs and reports.
    serviceAccount: `${p.pipeline}-monitoring`,
  };
}

/** The Pushgateway Service address the jobs push to (also used by drift_config.yaml and prometheus.yml). */
export function pushgatewayAddress(p: MonitoringPlan): string {
  return `${names(p).pushgateway}.${p.namespaces.monitoring}.svc:${PUSHGATEWAY.port}`;
}

export function retrainingTriggerUrl(p: MonitoringPlan): string {
  return `http://${names(p).trigger}.${p.namespaces.monitoring}.svc:${RETRAINING_TRIGGER_PORT}/alerts`;
}

function meta(p: MonitoringPlan, name: string, component: string, namespace = p.namespaces.monitoring) {
  return { name, namespace, labels: { ...componentLabels(p.spec, component, name), ...PROMETHEUS_SELECTOR_LABEL } };
}

export function prometheusRule(p: MonitoringPlan, alerts: AlertDefinition[]): IPrometheusRule {
  const n = names(p);
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: meta(p, n.rules, 'alert-rules'),
    spec: { groups: ruleGroups(p, alerts) },
  };
}

type Endpoint = NonNullable<IServiceMonitor['spec']['endpoints']>[number];

/** A ServiceMonitor for the Service `name` of `component` in `namespace`, named after that Service. */
function serviceMonitor(p: MonitoringPlan, name: string, component: string, namespace: string, endpoint: Endpoint): IServiceMonitor {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: meta(p, name, `${component}-monitor`),
    spec: {
      namespaceSelector: { matchNames: [namespace] },
      selector: { matchLabels: componentSelector(p.spec, component, name) },
      endpoints: [{ interval: duration(p.timing.scrapeSeconds), ...endpoint }],
    },
  };
}

function serviceMonitors(p: MonitoringPlan): IServiceMonitor[] {
  const n = names(p);
  const monitors: IServiceMonitor[] = [];
  if (p.spec.options.monitoring_stack === 'prometheus' && (p.traffic.modes.includes('online') || p.traffic.modes.includes('stream'))) {
    monitors.push(
      serviceMonitor(p, n.serving, 'model-server', p.namespaces.serving, {
        port: 'metrics',
        path: p.up.mlops_engineer.serving.metrics_path,
        scrapeTimeout: duration(Math.max(1, Math.floor(p.timing.scrapeSeconds * 0.8))),
        // The job label ModelServingDown selects on, whatever the Service is called.
        relabelings: [{ targetLabel: 'job', replacement: p.servingJob, action: 'replace' }],
      }),
    );
  }
  // Jobs push their own `job` and `pipeline` labels: keep them instead of the Pushgateway's.
  monitors.push(serviceMonitor(p, n.pushgateway, 'pushgateway', p.namespaces.monitoring, { port: 'metrics', honorLabels: true }));
  monitors.push(serviceMonitor(p, n.trigger, 'retraining-trigger', p.namespaces.monitoring, { port: 'http', path: '/metrics' }));
  return monitors;
}

function service(p: MonitoringPlan, name: string, component: string, port: { name: string; port: number }): IService {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: p.namespaces.monitoring, labels: componentLabels(p.spec, component, name) },
    spec: { selector: componentSelector(p.spec, component, name), ports: [{ name: port.name, port: port.port, targetPort: port.name, protocol: 'TCP' }] },
  };
}

/** How a vendor agent discovers the Pushgateway's exposition (the operator stacks use the ServiceMonitor instead). */
function scrapeAnnotations(p: MonitoringPlan): Record<string, string> | undefined {
  switch (p.spec.options.monitoring_stack) {
    case 'datadog':
      // Autodiscovery of the OpenMetrics check, namespace "ml" as in the monitors' metric names.
      return { 'ad.datadoghq.com/pushgateway.checks': JSON.stringify({ openmetrics: { instances: [{ openmetrics_endpoint: `http://%%host%%:${PUSHGATEWAY.port}/metrics`, namespace: 'ml', metrics: ['.*'] }] } }) };
    case 'newrelic':
      // nri-prometheus / the New Relic Prometheus agent scrape pods annotated this way.
      return { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(PUSHGATEWAY.port), 'prometheus.io/path': '/metrics' };
    default:
      return undefined;
  }
}

function pushgateway(p: MonitoringPlan): MonitoringObject[] {
  const n = names(p);
  const labels = { ...componentLabels(p.spec, 'pushgateway', n.pushgateway), ...podIdentityLabels(p.spec) };
  const annotations = scrapeAnnotations(p);
  const deployment: IDeployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: n.pushgateway, namespace: p.namespaces.monitoring, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: componentSelector(p.spec, 'pushgateway', n.pushgateway) },
      template: {
        metadata: { labels, ...(annotations ? { annotations } : {}) },
        spec: {
          // Runs under the monitoring identity like every pod of the namespace, but never talks to the API server.
          serviceAccountName: n.serviceAccount,
          automountServiceAccountToken: false,
          securityContext: POD_SECURITY,
          containers: [
            {
              name: 'pushgateway',
              image: PUSHGATEWAY.image,
              // Pushed series survive container restarts (the drift job's last-success time drives DriftJobStale).
              args: ['--persistence.file=/data/pushgateway.db', '--persistence.interval=1m'],
              ports: [{ name: 'metrics', containerPort: PUSHGATEWAY.port, protocol: 'TCP' }],
              readinessProbe: { httpGet: { path: '/-/ready', port: 'metrics' }, periodSeconds: 10 },
              livenessProbe: { httpGet: { path: '/-/healthy', port: 'metrics' }, periodSeconds: 20 },
              resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
              securityContext: { ...CONTAINER_SECURITY, readOnlyRootFilesystem: true },
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
            },
          ],
          volumes: [{ name: 'data', emptyDir: { sizeLimit: '1Gi' } }],
        },
      },
    },
  };
  return [deployment, service(p, n.pushgateway, 'pushgateway', { name: 'metrics', port: PUSHGATEWAY.port })];
}

/** A scheduled job of the package's monitoring code, with init containers that copy its inputs from object storage. */
function cronJob(p: MonitoringPlan, name: string, component: string, schedule: string, inputs: { name: string; uri: string }[], args: string[], deadlineSeconds: number): ICronJob {
  const labels = { ...componentLabels(p.spec, component, name), ...podIdentityLabels(p.spec) };
  const init: IContainer[] = inputs.map((input) => {
    const fetch = objectFetch(p.spec, input.uri, `/data/${input.name}`);
    return {
      name: `fetch-${input.name}`,
      image: fetch.image,
      command: fetch.command,
      env: Object.entries(fetch.env).map(([key, value]) => ({ name: key, value })),
      resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
      securityContext: CONTAINER_SECURITY,
      volumeMounts: [{ name: 'data', mountPath: '/data' }],
    };
  });
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: p.namespaces.monitoring, labels },
    spec: {
      schedule,
      timeZone: 'Etc/UTC',
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 300,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        spec: {
          backoffLimit: 1,
          activeDeadlineSeconds: deadlineSeconds,
          ttlSecondsAfterFinished: 86_400,
          template: {
            metadata: { labels },
            spec: {
              serviceAccountName: names(p).serviceAccount,
              restartPolicy: 'Never',
              securityContext: POD_SECURITY,
              initContainers: init,
              containers: [
                {
                  name: component,
                  image: p.up.mlops_engineer.images.jobs,
                  command: ['python', '-m', ...args.slice(0, 1)],
                  args: args.slice(1),
                  env: [
                    { name: 'PIPELINE', value: p.pipeline },
                    { name: 'PUSHGATEWAY', value: pushgatewayAddress(p) },
                  ],
                  resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { memory: '2Gi' } },
                  securityContext: CONTAINER_SECURITY,
                  volumeMounts: [
                    { name: 'data', mountPath: '/data' },
                    { name: 'config', mountPath: '/etc/drift', readOnly: true },
                  ],
                },
              ],
              volumes: [
                { name: 'data', emptyDir: { sizeLimit: '20Gi' } },
                { name: 'config', configMap: { name: names(p).driftConfig } },
              ],
            },
          },
        },
      },
    },
  };
}

function jobs(p: MonitoringPlan): MonitoringObject[] {
  const n = names(p);
  const pkg = pythonPackage(p.spec);
  const config: IConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: n.driftConfig, namespace: p.namespaces.monitoring, labels: componentLabels(p.spec, 'drift-config', n.driftConfig) },
    data: { 'drift_config.yaml': driftConfigYaml(p) },
  };
  const monitoringUri = objectStoreUri(p.spec, 'monitoring');
  const drift = cronJob(
    p,
    n.drift,
    'drift-monitor',
    p.drift.schedule,
    [
      { name: 'reference', uri: `${p.up.data_engineer.layers.features.uri}/reference/${p.model}/production` },
      { name: 'current', uri: `${monitoringUri}/prediction-log/${p.model}/latest` },
    ],
    [`${pkg}.observability.drift`, '--config', '/etc/drift/drift_config.yaml', '--reference', '/data/reference/sample.csv', '--current', '/data/current/sample.csv', '--push', '--trigger-url', retrainingTriggerUrl(p)],
    Math.max(600, p.drift.runtimeMinutes * 60 * 2),
  );
  const quality = cronJob(
    p,
    n.quality,
    'quality-evaluation',
    p.quality.evaluationSchedule,
    [
      { name: 'predictions', uri: `${monitoringUri}/prediction-log/${p.model}/latest` },
      { name: 'labels', uri: `${monitoringUri}/labels/${p.model}/latest` },
    ],
    [`${pkg}.observability.quality`, '--config', '/etc/drift/drift_config.yaml', '--predictions', '/data/predictions/sample.csv', '--labels', '/data/labels/sample.csv', '--push'],
    3_600,
  );
  const triggerLabels = { ...componentLabels(p.spec, 'retraining-trigger', n.trigger), ...podIdentityLabels(p.spec) };
  const trigger: IDeployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: n.trigger, namespace: p.namespaces.monitoring, labels: triggerLabels },
    spec: {
      replicas: 1,
      // One replica holds the cooldown state; Recreate avoids two deciding at once during a rollout.
      strategy: { type: 'Recreate' },
      selector: { matchLabels: componentSelector(p.spec, 'retraining-trigger', n.trigger) },
      template: {
        metadata: { labels: triggerLabels },
        spec: {
          serviceAccountName: n.serviceAccount,
          securityContext: POD_SECURITY,
          containers: [
            {
              name: 'retraining-trigger',
              image: p.up.mlops_engineer.images.jobs,
              command: ['python', '-m', `${pkg}.observability.retraining_trigger`],
              args: ['serve', '--port', String(RETRAINING_TRIGGER_PORT)],
              ports: [{ name: 'http', containerPort: RETRAINING_TRIGGER_PORT, protocol: 'TCP' }],
              readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10 },
              livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 30 },
              resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } },
              securityContext: { ...CONTAINER_SECURITY, readOnlyRootFilesystem: true },
            },
          ],
        },
      },
    },
  };
  return [config, drift, quality, trigger, service(p, n.trigger, 'retraining-trigger', { name: 'http', port: RETRAINING_TRIGGER_PORT })];
}

/** deploy/k8s/monitoring/<file>: the objects per file, in apply order. */
export function monitoringManifests(p: MonitoringPlan, alerts: AlertDefinition[]): { file: string; objects: MonitoringObject[] }[] {
  // Vendor stacks evaluate their own monitors; their agents scrape the Pushgateway through its annotations.
  const operator = p.spec.options.monitoring_stack === 'prometheus' || p.spec.options.monitoring_stack === 'custom';
  return [
    ...(operator
      ? [
          { file: 'prometheus-rules.yaml', objects: [prometheusRule(p, alerts)] },
          { file: 'service-monitors.yaml', objects: serviceMonitors(p) },
          { file: 'grafana-dashboards.yaml', objects: grafanaDashboardConfigMaps(p, grafanaDashboards(p)) },
        ]
      : []),
    { file: 'pushgateway.yaml', objects: pushgateway(p) },
    { file: 'jobs.yaml', objects: jobs(p) },
  ];
}
