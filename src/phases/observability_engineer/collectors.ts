import { toYaml } from '../../generators/serializers/yaml.js';
import type { ArtifactKind } from '../../artifacts/artifact.js';
import type { MonitoringPlan } from './plan.js';
import { duration } from './promql.js';

/**
 * Collection configuration: the Prometheus server config (prometheus and custom stacks) and, for EVERY stack, the
 * OpenTelemetry Collector in two tiers:
 *
 * - the agent (DaemonSet, one per node): tails the container logs under /var/log/pods (filelog receiver with the
 *   `container` parser), receives the apps' OTLP traces and logs on the node, adds Kubernetes metadata
 *   (k8sattributes) and forwards to the gateway — traces through the `loadbalancing` exporter keyed by trace id,
 *   so every span of a trace reaches the same gateway replica and tail sampling sees whole traces;
 * - the gateway (Deployment): tail sampling per the tracing plan, then the exporters of the stack's trace and
 *   log backends (Jaeger over OTLP or Zipkin; Loki's native OTLP endpoint or Elasticsearch; Datadog; New Relic
 *   OTLP). Custom and newrelic stacks: the gateway also scrapes the serving pods (Prometheus receiver) — custom
 *   re-exposes them in Prometheus format for the Prometheus server, newrelic ships them over OTLP.
 *
 * Both scrape the serving pods on their container port named `metrics`, so the serving chart only has to name the
 * port. Secrets (vendor API keys) are read from the collector's environment (`${env:NAME}`), filled from a
 * Kubernetes Secret; never literals.
 */
const METRICS_PORT_NAME = 'metrics';

/** The Kubernetes Services of the collector tiers, in the monitoring namespace. */
export const OTEL_SERVICES = {
  agent: 'otel-agent',
  gateway: 'otel-gateway',
  /** Headless Service of the gateway pods: the agent's loadbalancing exporter resolves every replica from it. */
  gatewayHeadless: 'otel-gateway-headless',
} as const;

/** Port of the gateway's Prometheus exposition (custom stack). */
export const OTEL_PROMETHEUS_PORT = 8889;

/** Environment variables the collector pods read their secrets from (a Secret mounted with envFrom). */
export const OTEL_ENV = {
  nodeName: 'K8S_NODE_NAME',
  datadogApiKey: 'DD_API_KEY',
  datadogSite: 'DD_SITE',
  newRelicLicenseKey: 'NEW_RELIC_LICENSE_KEY',
  elasticsearchApiKey: 'ELASTICSEARCH_API_KEY',
} as const;

const env = (name: string) => `\${env:${name}}`;

function svc(name: string, namespace: string, port: number): string {
  return `${name}.${namespace}.svc:${port}`;
}

/** Kubernetes pod discovery limited to the serving namespace, keeping the `metrics` port, with namespace/pod labels. */
function servingScrapeJob(p: MonitoringPlan) {
  return {
    job_name: p.servingJob,
    scrape_interval: duration(p.timing.scrapeSeconds),
    kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: [p.namespaces.serving] } }],
    relabel_configs: [
      { source_labels: ['__meta_kubernetes_pod_container_port_name'], action: 'keep', regex: METRICS_PORT_NAME },
      { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
      { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
    ],
  };
}

export function prometheusConfig(p: MonitoringPlan): string {
  const mon = p.namespaces.monitoring;
  const stack = p.spec.options.monitoring_stack;
  const scrape = duration(p.timing.scrapeSeconds);
  const jobs: unknown[] = [];
  if (stack === 'custom') {
    // The collector gateway scrapes and receives OTLP; Prometheus scrapes the gateway's exposition only.
    jobs.push({ job_name: `${p.pipeline}-otel-gateway`, honor_labels: true, static_configs: [{ targets: [svc(OTEL_SERVICES.gateway, mon, OTEL_PROMETHEUS_PORT)] }] });
  } else if (p.traffic.modes.includes('online') || p.traffic.modes.includes('stream')) {
    jobs.push(servingScrapeJob(p));
  }
  jobs.push(
    { job_name: `${p.pipeline}-pushgateway`, honor_labels: true, static_configs: [{ targets: [svc('pushgateway', mon, 9091)] }] },
    { job_name: 'kube-state-metrics', static_configs: [{ targets: [svc('kube-state-metrics', 'kube-system', 8080)] }] },
    {
      job_name: 'kubelet-cadvisor',
      scheme: 'https',
      metrics_path: '/metrics/cadvisor',
      kubernetes_sd_configs: [{ role: 'node' }],
      authorization: { credentials_file: '/var/run/secrets/kubernetes.io/serviceaccount/token' },
      tls_config: { ca_file: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt' },
    },
    { job_name: 'opencost', static_configs: [{ targets: [svc('opencost', 'opencost', 9003)] }] },
  );
  if (p.cost.servingGpus > 0 || p.up.kubernetes_architect.gpu.training > 0) {
    jobs.push({
      job_name: 'dcgm-exporter',
      honor_labels: true,
      kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: ['gpu-operator'] } }],
      relabel_configs: [{ source_labels: ['__meta_kubernetes_pod_label_app'], action: 'keep', regex: 'nvidia-dcgm-exporter' }],
    });
  }
  return toYaml({
    global: { scrape_interval: scrape, evaluation_interval: duration(p.timing.evaluationSeconds), external_labels: { pipeline: p.pipeline } },
    rule_files: ['rules.yml'],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [svc('alertmanager', mon, 9093)] }] }] },
    scrape_configs: jobs,
  });
}

// ------------------------------------------------------------------ OpenTelemetry Collector

type Component = Record<string, unknown>;

export interface CollectorPipeline {
  receivers: string[];
  processors: string[];
  exporters: string[];
}

/** The top level of a collector configuration (https://opentelemetry.io/docs/collector/configuration/). */
export interface CollectorConfig {
  extensions: Record<string, Component>;
  receivers: Record<string, Component>;
  processors: Record<string, Component>;
  exporters: Record<string, Component>;
  service: {
    extensions: string[];
    telemetry: { logs: { level: 'info' | 'warn' }; metrics: { level: 'basic' | 'normal' } };
    pipelines: Partial<Record<'traces' | 'metrics' | 'logs', CollectorPipeline>>;
  };
}

/** Where traces and logs go for the stack: the component ids and their configuration. */
interface Exporter {
  id: string;
  config: Component;
}

function traceExporter(p: MonitoringPlan): Exporter {
  const mon = p.namespaces.monitoring;
  switch (p.tracing.backend) {
    case 'zipkin':
      return { id: 'zipkin', config: { endpoint: `http://${svc('zipkin', mon, 9411)}/api/v2/spans`, format: 'proto' } };
    case 'datadog-apm':
      return { id: 'datadog', config: datadogExporter() };
    case 'newrelic-apm':
      return { id: 'otlphttp/newrelic', config: newRelicExporter() };
    case 'jaeger':
      return { id: 'otlp/jaeger', config: { endpoint: svc('jaeger-collector', mon, 4317), tls: { insecure: true } } };
  }
}

function logExporter(p: MonitoringPlan): Exporter {
  const mon = p.namespaces.monitoring;
  switch (p.logs.backend) {
    case 'elk':
      return {
        id: 'elasticsearch',
        config: { endpoints: [`https://${svc('elasticsearch', mon, 9200)}`], logs_index: `${p.pipeline}-logs`, api_key: env(OTEL_ENV.elasticsearchApiKey) },
      };
    case 'datadog-logs':
      return { id: 'datadog', config: datadogExporter() };
    case 'newrelic-logs':
      return { id: 'otlphttp/newrelic', config: newRelicExporter() };
    case 'loki':
      // Loki 3 ingests OTLP natively at /otlp; the contrib `loki` exporter is deprecated in its favour.
      return { id: 'otlphttp/loki', config: { endpoint: `http://${svc('loki-gateway', mon, 80)}/otlp` } };
  }
}

function datadogExporter(): Component {
  return { api: { key: env(OTEL_ENV.datadogApiKey), site: env(OTEL_ENV.datadogSite) } };
}

function newRelicExporter(): Component {
  // New Relic's OTLP endpoint (US; EU accounts use otlp.eu01.nr-data.net); the license key goes in the api-key header.
  return { endpoint: 'https://otlp.nr-data.net', headers: { 'api-key': env(OTEL_ENV.newRelicLicenseKey) }, compression: 'gzip' };
}

const MEMORY_LIMITER = { check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 20 };
const BATCH = { timeout: '5s', send_batch_size: 8192 };
const HEALTH_CHECK = { endpoint: '0.0.0.0:13133' };
const OTLP_RECEIVER = { protocols: { grpc: { endpoint: '0.0.0.0:4317' }, http: { endpoint: '0.0.0.0:4318' } } };

function resourceProcessor(p: MonitoringPlan): Component {
  return {
    attributes: [
      { key: 'pipeline', value: p.pipeline, action: 'upsert' },
      { key: 'team', value: p.cost.teamLabel, action: 'upsert' },
    ],
  };
}

/** The node agent: container logs from /var/log/pods, OTLP from the apps on the node, Kubernetes metadata, forward to the gateway. */
export function otelAgentConfig(p: MonitoringPlan): CollectorConfig {
  const mon = p.namespaces.monitoring;
  return {
    extensions: { health_check: HEALTH_CHECK },
    receivers: {
      otlp: OTLP_RECEIVER,
      filelog: {
        include: ['/var/log/pods/*/*/*.log'],
        // The collector's own logs would loop back through it.
        exclude: [`/var/log/pods/${mon}_${OTEL_SERVICES.agent}-*/*/*.log`, `/var/log/pods/${mon}_${OTEL_SERVICES.gateway}-*/*/*.log`],
        start_at: 'end',
        include_file_path: true,
        include_file_name: false,
        // Parses the CRI-O / containerd / docker line formats and sets k8s.namespace.name, k8s.pod.name, k8s.pod.uid, k8s.container.name from the path.
        operators: [{ type: 'container', id: 'container-parser' }],
      },
    },
    processors: {
      memory_limiter: MEMORY_LIMITER,
      k8sattributes: {
        auth_type: 'serviceAccount',
        passthrough: false,
        // Only the pods of this node: the agent's informer stays small.
        filter: { node_from_env_var: OTEL_ENV.nodeName },
        extract: { metadata: ['k8s.namespace.name', 'k8s.pod.name', 'k8s.pod.uid', 'k8s.deployment.name', 'k8s.node.name', 'k8s.container.name'] },
        pod_association: [{ sources: [{ from: 'resource_attribute', name: 'k8s.pod.uid' }] }, { sources: [{ from: 'resource_attribute', name: 'k8s.pod.ip' }] }, { sources: [{ from: 'connection' }] }],
      },
      resource: resourceProcessor(p),
      batch: BATCH,
    },
    exporters: {
      // Trace-id routing to the gateway replicas (DNS of the headless Service): tail sampling needs whole traces.
      loadbalancing: {
        routing_key: 'traceID',
        protocol: { otlp: { tls: { insecure: true } } },
        resolver: { dns: { hostname: `${OTEL_SERVICES.gatewayHeadless}.${mon}.svc.cluster.local`, port: 4317 } },
      },
      'otlp/gateway': { endpoint: svc(OTEL_SERVICES.gateway, mon, 4317), tls: { insecure: true } },
    },
    service: {
      extensions: ['health_check'],
      telemetry: { logs: { level: 'info' }, metrics: { level: 'basic' } },
      pipelines: {
        traces: { receivers: ['otlp'], processors: ['memory_limiter', 'k8sattributes', 'resource', 'batch'], exporters: ['loadbalancing'] },
        logs: { receivers: ['otlp', 'filelog'], processors: ['memory_limiter', 'k8sattributes', 'resource', 'batch'], exporters: ['otlp/gateway'] },
      },
    },
  };
}

/** The gateway: tail sampling, then the stack's trace and log exporters (and metrics for custom / newrelic). */
export function otelGatewayConfig(p: MonitoringPlan): CollectorConfig {
  const stack = p.spec.options.monitoring_stack;
  const traces = traceExporter(p);
  const logs = logExporter(p);
  const samplingPct = Number((p.tracing.headSampleRatio * 100).toPrecision(3));
  const scrapesMetrics = stack === 'custom' || stack === 'newrelic';
  const metricsExporter: Exporter | undefined =
    stack === 'custom' ? { id: 'prometheus', config: { endpoint: `0.0.0.0:${OTEL_PROMETHEUS_PORT}`, resource_to_telemetry_conversion: { enabled: true } } } : stack === 'newrelic' ? { id: 'otlphttp/newrelic', config: newRelicExporter() } : undefined;
  const exporters: Record<string, Component> = { [traces.id]: traces.config, [logs.id]: logs.config };
  if (metricsExporter) exporters[metricsExporter.id] = metricsExporter.config;
  return {
    extensions: { health_check: HEALTH_CHECK },
    receivers: {
      otlp: OTLP_RECEIVER,
      ...(scrapesMetrics ? { prometheus: { config: { scrape_configs: [servingScrapeJob(p)] } } } : {}),
    },
    processors: {
      memory_limiter: MEMORY_LIMITER,
      resource: resourceProcessor(p),
      tail_sampling: {
        decision_wait: '10s',
        num_traces: 50_000,
        policies: [
          { name: 'errors', type: 'status_code', status_code: { status_codes: ['ERROR'] } },
          { name: 'slower-than-slo', type: 'latency', latency: { threshold_ms: p.spec.slo.p99_latency_ms } },
          { name: 'baseline', type: 'probabilistic', probabilistic: { sampling_percentage: samplingPct } },
        ],
      },
      batch: BATCH,
    },
    exporters,
    service: {
      extensions: ['health_check'],
      telemetry: { logs: { level: 'info' }, metrics: { level: 'basic' } },
      pipelines: {
        traces: { receivers: ['otlp'], processors: ['memory_limiter', 'resource', 'tail_sampling', 'batch'], exporters: [traces.id] },
        logs: { receivers: ['otlp'], processors: ['memory_limiter', 'resource', 'batch'], exporters: [logs.id] },
        ...(metricsExporter ? { metrics: { receivers: ['otlp', 'prometheus'], processors: ['memory_limiter', 'resource', 'batch'], exporters: [metricsExporter.id] } } : {}),
      },
    },
  };
}

/** The collector files of every stack: the node agent and the gateway, kind otel-collector. */
export function collectorFiles(p: MonitoringPlan): { path: string; kind: ArtifactKind; content: string }[] {
  const header = (tier: string) => `# OpenTelemetry Collector ${tier} for ${p.pipeline} (collector-contrib distribution). Generated by mlops-mcp.\n`;
  return [
    { path: 'monitoring/otel/collector-agent.yaml', kind: 'otel-collector', content: header('agent (DaemonSet)') + toYaml(otelAgentConfig(p)) },
    { path: 'monitoring/otel/collector-gateway.yaml', kind: 'otel-collector', content: header('gateway (Deployment)') + toYaml(otelGatewayConfig(p)) },
  ];
}

