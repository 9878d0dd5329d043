import { describe, expect, it } from 'vitest';
import type { Artifact } from '../../src/artifacts/artifact.js';
import { checkCollectorConfig, COMPONENTS, otelCollectorValidator } from '../../src/validate/validators/otelCollector.js';

/** A realistic gateway: OTLP in, tail sampling, Jaeger + Loki out, span metrics through a connector, Prometheus exposition. */
const GOOD = `extensions:
  health_check:
    endpoint: 0.0.0.0:13133
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 0.0.0.0:4317
  filelog:
    include: [/var/log/pods/*/*/*.log]
    operators:
      - type: container
processors:
  memory_limiter:
    check_interval: 1s
    limit_percentage: 80
  tail_sampling:
    decision_wait: 10s
    policies:
      - { name: errors, type: status_code, status_code: { status_codes: [ERROR] } }
  batch: {}
  resource/team:
    attributes:
      - { key: team, value: ml, action: upsert }
connectors:
  spanmetrics: {}
exporters:
  otlp/jaeger:
    endpoint: jaeger-collector.monitoring.svc:4317
    tls: { insecure: true }
  otlphttp/loki:
    endpoint: http://loki-gateway.monitoring.svc:80/otlp
  prometheus:
    endpoint: 0.0.0.0:8889
service:
  extensions: [health_check]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [memory_limiter, resource/team, tail_sampling, batch]
      exporters: [otlp/jaeger, spanmetrics]
    metrics/spans:
      receivers: [spanmetrics]
      processors: [memory_limiter, batch]
      exporters: [prometheus]
    logs:
      receivers: [otlp, filelog]
      exporters: [otlphttp/loki]
`;

/** Each broken sample: one edit of GOOD, and the problem it must produce. */
const BROKEN: Record<string, [edit: (s: string) => string, problem: RegExp]> = {
  'unknown component type': [(s) => s.replace('otlp/jaeger:', 'jaegerx/traces:').replace('exporters: [otlp/jaeger, spanmetrics]', 'exporters: [jaegerx/traces, spanmetrics]'), /exporters\.jaegerx\/traces: unknown exporter type "jaegerx"/],
  'misspelt configuration key': [(s) => s.replace('check_interval: 1s', 'check_intervall: 1s'), /processors\.memory_limiter: unknown key "check_intervall"/],
  'bad component id': [(s) => s.replace('resource/team:', 'resource/:').replace('resource/team, ', ''), /processors\.resource\/: not a component id/],
  'undefined exporter in a pipeline': [(s) => s.replace('exporters: [otlphttp/loki]', 'exporters: [otlphttp/loki, debug]'), /service\.pipelines\.logs: exporter "debug" is not defined/],
  'undefined processor in a pipeline': [(s) => s.replace('[memory_limiter, batch]', '[memory_limiter, filter, batch]'), /processor "filter" is not defined/],
  'defined but unused receiver': [(s) => s.replace('receivers: [otlp, filelog]', 'receivers: [otlp]'), /receivers\.filelog is defined but used by no pipeline/],
  'memory_limiter not first': [(s) => s.replace('[memory_limiter, resource/team, tail_sampling, batch]', '[resource/team, memory_limiter, tail_sampling, batch]'), /traces: memory_limiter must be the first processor/],
  'batch not last': [(s) => s.replace('[memory_limiter, resource/team, tail_sampling, batch]', '[memory_limiter, resource/team, batch, tail_sampling]'), /traces: batch must be the last processor/],
  'unknown pipeline type': [(s) => s.replace('    logs:\n      receivers', '    events:\n      receivers'), /service\.pipelines\.events: the pipeline type must be traces, metrics or logs/],
  'pipeline without exporter': [(s) => s.replace('      exporters: [otlphttp/loki]\n', ''), /service\.pipelines\.logs: needs at least one exporter/],
  'component of the wrong signal': [(s) => s.replace('receivers: [otlp]\n      processors: [memory_limiter, resource/team', 'receivers: [otlp, filelog]\n      processors: [memory_limiter, resource/team'), /service\.pipelines\.traces: receiver "filelog" does not support traces/],
  'extension listed but not defined': [(s) => s.replace('extensions: [health_check]', 'extensions: [health_check, pprof]'), /service\.extensions: "pprof" is not defined/],
  'extension defined but not enabled': [(s) => s.replace('extensions: [health_check]', 'extensions: []'), /extensions\.health_check is defined but not listed in service\.extensions/],
  'connector used on one side only': [(s) => s.replace('exporters: [otlp/jaeger, spanmetrics]', 'exporters: [otlp/jaeger]'), /connectors\.spanmetrics must be an exporter of one pipeline and a receiver of another/],
  'duplicate key': [(s) => s.replace('  batch: {}\n', '  batch: {}\n  batch: {}\n'), /unique|duplicate/i],
  'unknown top-level section': [(s) => `${s}pipelines: {}\n`, /unknown top-level section "pipelines"/],
  'component listed twice': [(s) => s.replace('receivers: [otlp, filelog]', 'receivers: [otlp, filelog, otlp]'), /"otlp" is listed twice/],
};

describe('otel-collector validator', () => {
  it('passes a realistic configuration (named components, a connector, extensions)', () => {
    expect(checkCollectorConfig(GOOD)).toEqual([]);
  });

  for (const [name, [edit, problem]] of Object.entries(BROKEN)) {
    it(`rejects: ${name}`, () => {
      const broken = edit(GOOD);
      expect(broken, 'the edit applies').not.toBe(GOOD);
      expect(checkCollectorConfig(broken).join('\n')).toMatch(problem);
    });
  }

  it('knows the components the observability phase generates, with their signals', () => {
    expect(Object.keys(COMPONENTS.exporters)).toEqual(expect.arrayContaining(['otlp', 'otlphttp', 'zipkin', 'elasticsearch', 'datadog', 'prometheus', 'loadbalancing']));
    expect(COMPONENTS.receivers.filelog!.signals).toEqual(['logs']);
    expect(COMPONENTS.exporters.zipkin!.signals).toEqual(['traces']);
    expect(COMPONENTS.processors.tail_sampling!.signals).toEqual(['traces']);
  });

  it('gives one verdict per artifact, failing with the problems', async () => {
    const a = (path: string, content: string): Artifact => ({ path, kind: 'otel-collector', phase: 'test', content });
    const verdicts = await otelCollectorValidator.validate({ artifacts: [a('good.yaml', GOOD), a('bad.yaml', BROKEN['batch not last']![0](GOOD))], bundle: [], root: '/nonexistent' });
    expect(verdicts.map((v) => [v.path, v.verdict])).toEqual([
      ['good.yaml', 'pass'],
      ['bad.yaml', 'fail'],
    ]);
    expect(verdicts[1]!.message).toMatch(/batch must be the last processor/);
    expect(await otelCollectorValidator.available()).toEqual({ ok: true });
  });
});
