import { parseDocument } from 'yaml';
import { firstLines } from '../exec.js';
import type { Validator, Verdict } from '../types.js';

/**
 * OpenTelemetry Collector configuration, checked the way `otelcol-contrib validate` would without the binary
 * (it cannot be installed here):
 *
 * - well-formed YAML (no duplicate keys), top-level sections only receivers / processors / exporters / connectors /
 *   extensions / service;
 * - every component id is `type[/name]` with a type of the collector-contrib distribution known to COMPONENTS, and
 *   its configuration uses only that component's top-level keys (strict: a misspelt key fails, as the collector's
 *   unmarshalling does);
 * - every pipeline is `traces|metrics|logs[/name]`, has at least one receiver and one exporter, references only
 *   defined components, and each component supports the pipeline's signal (a filelog receiver in a traces pipeline
 *   fails the collector at start);
 * - every defined receiver, processor, exporter is used by a pipeline; a connector is used as an exporter in one
 *   pipeline and a receiver in another;
 * - memory_limiter is the first processor and batch the last, as the collector's processor README recommends;
 * - service.extensions lists defined extensions, and every defined extension is listed.
 */

type Signal = 'traces' | 'metrics' | 'logs';
type Section = 'receivers' | 'processors' | 'exporters' | 'connectors' | 'extensions';

interface ComponentSpec {
  /** Allowed top-level configuration keys. */
  keys: readonly string[];
  /** Signals it handles (extensions: none). For connectors: the signals it connects. */
  signals: readonly Signal[];
}

const ALL: readonly Signal[] = ['traces', 'metrics', 'logs'];
/** exporterhelper settings every queued exporter accepts. */
const EXPORTER_HELPER = ['timeout', 'sending_queue', 'retry_on_failure'] as const;
/** confighttp / configgrpc client settings. */
const HTTP_CLIENT = ['endpoint', 'tls', 'headers', 'compression', 'auth', 'proxy_url', 'read_buffer_size', 'write_buffer_size', 'max_idle_conns', 'idle_conn_timeout', 'disable_keep_alives', 'http2_read_idle_timeout', 'http2_ping_timeout', 'cookies'] as const;
const GRPC_CLIENT = ['endpoint', 'tls', 'headers', 'compression', 'auth', 'keepalive', 'balancer_name', 'authority', 'read_buffer_size', 'write_buffer_size', 'wait_for_ready'] as const;

/**
 * The components this project generates plus common ones of otelcol-contrib, with their top-level keys (from each
 * component's README / config.go in open-telemetry/opentelemetry-collector(-contrib)).
 */
export const COMPONENTS: Record<Section, Record<string, ComponentSpec>> = {
  receivers: {
    otlp: { keys: ['protocols'], signals: ALL },
    filelog: {
      keys: [
        'include', 'exclude', 'exclude_older_than', 'start_at', 'poll_interval', 'max_concurrent_files', 'max_batches', 'max_log_size', 'encoding', 'multiline', 'force_flush_period',
        'include_file_name', 'include_file_path', 'include_file_name_resolved', 'include_file_path_resolved', 'include_file_owner_name', 'include_file_owner_group_name', 'include_file_record_number',
        'operators', 'storage', 'retry_on_failure', 'fingerprint_size', 'delete_after_read', 'header', 'attributes', 'resource', 'ordering_criteria', 'acquire_fs_lock', 'compression', 'polls_to_archive',
      ],
      signals: ['logs'],
    },
    prometheus: { keys: ['config', 'target_allocator', 'trim_metric_suffixes', 'use_start_time_metric', 'start_time_metric_regex', 'report_extra_scrape_metrics', 'api_server'], signals: ['metrics'] },
    hostmetrics: { keys: ['collection_interval', 'initial_delay', 'root_path', 'scrapers', 'timeout'], signals: ['metrics'] },
    kubeletstats: { keys: ['collection_interval', 'initial_delay', 'timeout', 'auth_type', 'endpoint', 'insecure_skip_verify', 'metric_groups', 'extra_metadata_labels', 'k8s_api_config', 'node', 'metrics', 'resource_attributes'], signals: ['metrics'] },
    k8s_cluster: { keys: ['auth_type', 'collection_interval', 'node_conditions_to_report', 'allocatable_types_to_report', 'metadata_exporters', 'distribution', 'metrics', 'resource_attributes', 'namespace', 'metadata_collection_interval'], signals: ['metrics', 'logs'] },
    k8s_events: { keys: ['auth_type', 'namespaces'], signals: ['logs'] },
    zipkin: { keys: ['endpoint', 'parse_string_tags', 'tls', 'cors', 'include_metadata'], signals: ['traces'] },
    jaeger: { keys: ['protocols'], signals: ['traces'] },
  },
  processors: {
    memory_limiter: { keys: ['check_interval', 'limit_mib', 'spike_limit_mib', 'limit_percentage', 'spike_limit_percentage'], signals: ALL },
    batch: { keys: ['timeout', 'send_batch_size', 'send_batch_max_size', 'metadata_keys', 'metadata_cardinality_limit'], signals: ALL },
    k8sattributes: { keys: ['auth_type', 'passthrough', 'filter', 'extract', 'pod_association', 'exclude', 'wait_for_metadata', 'wait_for_metadata_timeout'], signals: ALL },
    resource: { keys: ['attributes'], signals: ALL },
    attributes: { keys: ['actions', 'include', 'exclude'], signals: ALL },
    resourcedetection: { keys: ['detectors', 'timeout', 'override', 'refresh_interval', 'system', 'env', 'ec2', 'gcp', 'azure', 'eks', 'aks', 'k8snode'], signals: ALL },
    tail_sampling: { keys: ['decision_wait', 'num_traces', 'expected_new_traces_per_sec', 'policies', 'decision_cache', 'sample_on_first_match'], signals: ['traces'] },
    probabilistic_sampler: { keys: ['sampling_percentage', 'hash_seed', 'mode', 'fail_closed', 'sampling_precision', 'attribute_source', 'from_attribute', 'sampling_priority'], signals: ['traces', 'logs'] },
    filter: { keys: ['error_mode', 'traces', 'metrics', 'logs'], signals: ALL },
    transform: { keys: ['error_mode', 'trace_statements', 'metric_statements', 'log_statements'], signals: ALL },
  },
  exporters: {
    otlp: { keys: [...GRPC_CLIENT, ...EXPORTER_HELPER], signals: ALL },
    otlphttp: { keys: [...HTTP_CLIENT, 'traces_endpoint', 'metrics_endpoint', 'logs_endpoint', 'encoding', ...EXPORTER_HELPER], signals: ALL },
    zipkin: { keys: ['endpoint', 'format', 'default_service_name', 'tls', 'headers', ...EXPORTER_HELPER], signals: ['traces'] },
    elasticsearch: {
      keys: ['endpoint', 'endpoints', 'cloudid', 'logs_index', 'logs_dynamic_index', 'traces_index', 'traces_dynamic_index', 'metrics_index', 'metrics_dynamic_index', 'user', 'password', 'api_key', 'auth', 'tls', 'headers', 'mapping', 'pipeline', 'discover', 'num_workers', 'flush', 'retry', 'batcher', 'sending_queue', 'timeout', 'logstash_format', 'telemetry'],
      signals: ALL,
    },
    datadog: { keys: ['api', 'hostname', 'traces', 'logs', 'metrics', 'host_metadata', 'only_metadata', 'tls', ...EXPORTER_HELPER], signals: ALL },
    prometheus: { keys: ['endpoint', 'namespace', 'const_labels', 'send_timestamps', 'metric_expiration', 'resource_to_telemetry_conversion', 'enable_open_metrics', 'add_metric_suffixes', 'tls'], signals: ['metrics'] },
    prometheusremotewrite: { keys: [...HTTP_CLIENT, 'namespace', 'external_labels', 'resource_to_telemetry_conversion', 'remote_write_queue', 'target_info', 'add_metric_suffixes', 'max_batch_size_bytes', 'timeout', 'retry_on_failure'], signals: ['metrics'] },
    loadbalancing: { keys: ['routing_key', 'protocol', 'resolver', ...EXPORTER_HELPER], signals: ['traces', 'metrics', 'logs'] },
    debug: { keys: ['verbosity', 'sampling_initial', 'sampling_thereafter', 'use_internal_logger'], signals: ALL },
  },
  connectors: {
    forward: { keys: [], signals: ALL },
    spanmetrics: { keys: ['histogram', 'dimensions', 'exemplars', 'namespace', 'metrics_flush_interval', 'metrics_expiration', 'aggregation_temporality', 'resource_metrics_key_attributes', 'dimensions_cache_size', 'events'], signals: ['traces', 'metrics'] },
    routing: { keys: ['default_pipelines', 'error_mode', 'table', 'match_once'], signals: ALL },
  },
  extensions: {
    health_check: { keys: ['endpoint', 'path', 'tls', 'check_collector_pipeline', 'response_body'], signals: [] },
    pprof: { keys: ['endpoint', 'block_profile_fraction', 'mutex_profile_fraction', 'save_to_file'], signals: [] },
    zpages: { keys: ['endpoint'], signals: [] },
    file_storage: { keys: ['directory', 'timeout', 'compaction', 'fsync', 'create_directory'], signals: [] },
    basicauth: { keys: ['htpasswd', 'client_auth'], signals: [] },
    bearertokenauth: { keys: ['scheme', 'token', 'filename', 'header'], signals: [] },
  },
};

const SECTIONS: readonly Section[] = ['receivers', 'processors', 'exporters', 'connectors', 'extensions'];
const TOP_LEVEL = new Set<string>([...SECTIONS, 'service']);
const SERVICE_KEYS = new Set(['extensions', 'pipelines', 'telemetry']);
const PIPELINE_KEYS = new Set(['receivers', 'processors', 'exporters']);
const SIGNALS = new Set<string>(['traces', 'metrics', 'logs']);
const ID = /^([a-z][a-z0-9_]*)(?:\/([^/\s]+))?$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The problems of one collector configuration; empty when it checks out. */
export function checkCollectorConfig(text: string): string[] {
  const doc = parseDocument(text, { uniqueKeys: true, strict: true });
  if (doc.errors.length > 0) return doc.errors.map((e) => e.message);
  const root: unknown = doc.toJS();
  if (!isObject(root)) return ['the configuration is not a mapping'];
  const problems: string[] = [];
  for (const k of Object.keys(root)) if (!TOP_LEVEL.has(k)) problems.push(`unknown top-level section "${k}"`);

  /** Defined components per section: id → type. */
  const defined: Record<Section, Map<string, string>> = { receivers: new Map(), processors: new Map(), exporters: new Map(), connectors: new Map(), extensions: new Map() };
  for (const section of SECTIONS) {
    const body = root[section];
    if (body === undefined || body === null) continue;
    if (!isObject(body)) {
      problems.push(`${section} must be a mapping`);
      continue;
    }
    for (const [id, config] of Object.entries(body)) {
      const m = ID.exec(id);
      if (!m) {
        problems.push(`${section}.${id}: not a component id of the form type[/name]`);
        continue;
      }
      const type = m[1]!;
      const spec = COMPONENTS[section][type];
      if (!spec) {
        problems.push(`${section}.${id}: unknown ${section.slice(0, -1)} type "${type}"`);
        continue;
      }
      defined[section].set(id, type);
      if (config === null || config === undefined) continue;
      if (!isObject(config)) {
        problems.push(`${section}.${id}: configuration must be a mapping`);
        continue;
      }
      for (const key of Object.keys(config)) if (!spec.keys.includes(key)) problems.push(`${section}.${id}: unknown key "${key}" (allowed: ${spec.keys.join(', ') || 'none'})`);
    }
  }

  const service = root.service;
  if (!isObject(service)) return [...problems, 'service is missing or not a mapping'];
  for (const k of Object.keys(service)) if (!SERVICE_KEYS.has(k)) problems.push(`service: unknown key "${k}"`);

  const listedExtensions = service.extensions ?? [];
  if (!Array.isArray(listedExtensions)) problems.push('service.extensions must be a list');
  else {
    for (const e of listedExtensions) if (!defined.extensions.has(String(e))) problems.push(`service.extensions: "${String(e)}" is not defined under extensions`);
    for (const e of defined.extensions.keys()) if (!listedExtensions.includes(e)) problems.push(`extensions.${e} is defined but not listed in service.extensions`);
  }

  const pipelines = service.pipelines;
  if (!isObject(pipelines) || Object.keys(pipelines).length === 0) return [...problems, 'service.pipelines must define at least one pipeline'];
  const used = { receivers: new Set<string>(), processors: new Set<string>(), exporters: new Set<string>() };
  const connectorUse = new Map<string, { asExporter: boolean; asReceiver: boolean }>();
  for (const [pid, pipeline] of Object.entries(pipelines)) {
    const m = ID.exec(pid);
    const signal = m?.[1];
    if (!signal || !SIGNALS.has(signal)) {
      problems.push(`service.pipelines.${pid}: the pipeline type must be traces, metrics or logs`);
      continue;
    }
    if (!isObject(pipeline)) {
      problems.push(`service.pipelines.${pid} must be a mapping`);
      continue;
    }
    for (const k of Object.keys(pipeline)) if (!PIPELINE_KEYS.has(k)) problems.push(`service.pipelines.${pid}: unknown key "${k}"`);
    const list = (key: 'receivers' | 'processors' | 'exporters'): string[] => {
      const v = pipeline[key] ?? [];
      if (!Array.isArray(v)) {
        problems.push(`service.pipelines.${pid}.${key} must be a list`);
        return [];
      }
      const ids = v.map(String);
      for (const dup of ids.filter((id, i) => ids.indexOf(id) !== i)) problems.push(`service.pipelines.${pid}.${key}: "${dup}" is listed twice`);
      return ids;
    };
    const receivers = list('receivers');
    const processors = list('processors');
    const exporters = list('exporters');
    if (receivers.length === 0) problems.push(`service.pipelines.${pid}: needs at least one receiver`);
    if (exporters.length === 0) problems.push(`service.pipelines.${pid}: needs at least one exporter`);
    const supports = (section: Section, id: string) => {
      const type = defined[section].get(id)!;
      if (!COMPONENTS[section][type]!.signals.includes(signal as Signal)) problems.push(`service.pipelines.${pid}: ${section.slice(0, -1)} "${id}" does not support ${signal}`);
    };
    for (const id of receivers) {
      if (defined.receivers.has(id)) {
        used.receivers.add(id);
        supports('receivers', id);
      } else if (defined.connectors.has(id)) {
        connectorUse.set(id, { asExporter: connectorUse.get(id)?.asExporter ?? false, asReceiver: true });
      } else problems.push(`service.pipelines.${pid}: receiver "${id}" is not defined`);
    }
    for (const id of processors) {
      if (defined.processors.has(id)) {
        used.processors.add(id);
        supports('processors', id);
      } else problems.push(`service.pipelines.${pid}: processor "${id}" is not defined`);
    }
    for (const id of exporters) {
      if (defined.exporters.has(id)) {
        used.exporters.add(id);
        supports('exporters', id);
      } else if (defined.connectors.has(id)) {
        connectorUse.set(id, { asReceiver: connectorUse.get(id)?.asReceiver ?? false, asExporter: true });
      } else problems.push(`service.pipelines.${pid}: exporter "${id}" is not defined`);
    }
    const types = processors.map((id) => defined.processors.get(id));
    const limiter = types.indexOf('memory_limiter');
    if (limiter > 0) problems.push(`service.pipelines.${pid}: memory_limiter must be the first processor (it is #${limiter + 1})`);
    const batch = types.lastIndexOf('batch');
    if (batch >= 0 && batch !== types.length - 1) problems.push(`service.pipelines.${pid}: batch must be the last processor (it is #${batch + 1} of ${types.length})`);
  }
  for (const section of ['receivers', 'processors', 'exporters'] as const) {
    for (const id of defined[section].keys()) if (!used[section].has(id)) problems.push(`${section}.${id} is defined but used by no pipeline`);
  }
  for (const id of defined.connectors.keys()) {
    const use = connectorUse.get(id);
    if (!use?.asExporter || !use.asReceiver) problems.push(`connectors.${id} must be an exporter of one pipeline and a receiver of another`);
  }
  return problems;
}

export const otelCollectorValidator: Validator = {
  name: 'otel-collector',
  description:
    'OpenTelemetry Collector configuration: component ids of known collector-contrib types with only their configuration keys, pipelines (traces/metrics/logs) with a receiver and an exporter, every reference defined and every component used, signals each component supports, memory_limiter first and batch last, extensions defined and enabled',
  kinds: ['otel-collector'],
  async available() {
    return { ok: true };
  },
  async validate({ artifacts }) {
    return artifacts.map((a): Verdict => {
      const problems = checkCollectorConfig(a.content);
      return problems.length === 0
        ? { path: a.path, validator: this.name, verdict: 'pass', message: 'components, pipelines and extensions check out' }
        : { path: a.path, validator: this.name, verdict: 'fail', message: firstLines(problems.join('\n'), 12) };
    });
  },
};
