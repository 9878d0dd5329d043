import { toYaml } from '../../generators/serializers/yaml.js';
import type { MonitoringPlan } from './plan.js';
import { duration } from './promql.js';

/**
 * Collection configuration: the Prometheus server config (prometheus stack) and the OpenTelemetry Collector
 * config (custom stack). Both scrape the serving pods on their container port named `metrics`, so the
 * serving chart only has to name the port.
 */
const METRICS_PORT_NAME = 'metrics';

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
    // The collector scrapes and receives OTLP; Prometheus scrapes the collector's exposition only.
    jobs.push({ job_name: `${p.pipeline}-otel-collector`, honor_labels: true, static_configs: [{ targets: [svc('otel-collector', mon, 8889)] }] });
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

export function otelCollectorConfig(p: MonitoringPlan): string {
  const mon = p.namespaces.monitoring;
  const logsExporter =
    p.logs.backend === 'elk'
      ? { name: 'elasticsearch', config: { endpoints: [`https://${svc('elasticsearch', mon, 9200)}`], logs_index: `${p.pipeline}-logs` } }
      : { name: 'otlphttp/loki', config: { endpoint: `http://${svc('loki-gateway', mon, 80)}/otlp` } };
  const samplingPct = Number((p.tracing.headSampleRatio * 100).toPrecision(3));
  return toYaml({
    receivers: {
      otlp: { protocols: { grpc: { endpoint: '0.0.0.0:4317' }, http: { endpoint: '0.0.0.0:4318' } } },
      prometheus: { config: { scrape_configs: [servingScrapeJob(p)] } },
    },
    processors: {
      memory_limiter: { check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 20 },
      k8sattributes: { extract: { metadata: ['k8s.namespace.name', 'k8s.pod.name', 'k8s.deployment.name'] } },
      resource: { attributes: [{ key: 'pipeline', value: p.pipeline, action: 'upsert' }, { key: 'team', value: p.cost.teamLabel, action: 'upsert' }] },
      tail_sampling: {
        decision_wait: '10s',
        policies: [
          { name: 'errors', type: 'status_code', status_code: { status_codes: ['ERROR'] } },
          { name: 'slower-than-slo', type: 'latency', latency: { threshold_ms: p.spec.slo.p99_latency_ms } },
          { name: 'baseline', type: 'probabilistic', probabilistic: { sampling_percentage: samplingPct } },
        ],
      },
      batch: { timeout: '5s', send_batch_size: 8192 },
    },
    exporters: {
      prometheus: { endpoint: '0.0.0.0:8889', resource_to_telemetry_conversion: { enabled: true } },
      'otlp/jaeger': { endpoint: svc('jaeger-collector', mon, 4317), tls: { insecure: true } },
      [logsExporter.name]: logsExporter.config,
    },
    service: {
      pipelines: {
        metrics: { receivers: ['otlp', 'prometheus'], processors: ['memory_limiter', 'k8sattributes', 'resource', 'batch'], exporters: ['prometheus'] },
        traces: { receivers: ['otlp'], processors: ['memory_limiter', 'k8sattributes', 'resource', 'tail_sampling', 'batch'], exporters: ['otlp/jaeger'] },
        logs: { receivers: ['otlp'], processors: ['memory_limiter', 'k8sattributes', 'resource', 'batch'], exporters: [logsExporter.name] },
      },
    },
  });
}
