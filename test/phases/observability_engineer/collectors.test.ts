import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { CollectorConfig } from '../../../src/phases/observability_engineer/collectors.js';
import { collectorFiles, otelAgentConfig, otelGatewayConfig, prometheusConfig } from '../../../src/phases/observability_engineer/collectors.js';
import { buildPlan, type MonitoringPlan } from '../../../src/phases/observability_engineer/plan.js';
import { checkCollectorConfig } from '../../../src/validate/validators/otelCollector.js';
import { scanForSecrets } from '../../../src/validate/validators/secrets.js';
import { OPTION_VALUES } from '../../../src/spec/options.js';
import type { ResolvedSpec } from '../../../src/spec/resolve.js';
import { upstreamFor, withSpec } from '../../helpers/phaseHarness.js';
import { defaultSpec } from '../../helpers/specs.js';

/**
 * Tracing and logs for every monitoring stack: an OpenTelemetry Collector agent (DaemonSet) and gateway per stack,
 * exporting traces to Jaeger or Zipkin (or the vendor's APM) and logs to Loki or Elasticsearch (or the vendor).
 * Scenarios: every monitoring_stack × requirements naming Zipkin or not × a text feature (ELK) or not.
 */
const STACKS = OPTION_VALUES.monitoring_stack;
const base = defaultSpec();
const textSpec = withSpec(base, (s) => {
  s.data.features = [...s.data.features, { ...s.data.features[0]!, name: 'merchant_description', type: 'text' } as (typeof s.data.features)[number]];
});
// The collector configs read only the spec's stack, requirements and features: one upstream per feature set.
const upstream = { plain: upstreamFor(base, 'observability_engineer'), text: upstreamFor(textSpec, 'observability_engineer') };

function plan(stack: string, zipkin: boolean, text: boolean): MonitoringPlan {
  const spec = withSpec(text ? textSpec : base, (s: ResolvedSpec) => {
    s.options.monitoring_stack = stack as ResolvedSpec['options']['monitoring_stack'];
    if (zipkin) s.requirements = `${s.requirements}. Our services are instrumented for Zipkin (B3 headers).`;
  });
  return buildPlan(spec, (text ? upstream.text : upstream.plain) as never);
}

const SCENARIOS = STACKS.flatMap((stack) => [false, true].flatMap((zipkin) => [false, true].map((text) => ({ stack, zipkin, text, p: plan(stack, zipkin, text) }))));
const label = (s: { stack: string; zipkin: boolean; text: boolean }) => `${s.stack}${s.zipkin ? ' + Zipkin' : ''}${s.text ? ' + text feature' : ''}`;

describe('collectorFiles: an agent and a gateway for every stack', () => {
  for (const s of SCENARIOS) {
    it(`${label(s)}: two otel-collector files that pass the otel-collector checks`, () => {
      const files = collectorFiles(s.p);
      expect(files.map((f) => [f.path, f.kind])).toEqual([
        ['monitoring/otel/collector-agent.yaml', 'otel-collector'],
        ['monitoring/otel/collector-gateway.yaml', 'otel-collector'],
      ]);
      for (const f of files) expect(checkCollectorConfig(f.content), f.path).toEqual([]);
    });
  }

  it('is deterministic', () => {
    const p = plan('custom', true, true);
    expect(JSON.stringify(collectorFiles(p))).toBe(JSON.stringify(collectorFiles(plan('custom', true, true))));
  });
});

describe('the agent', () => {
  const agent = otelAgentConfig(plan('prometheus', false, false));

  it('tails /var/log/pods with the container parser, skipping the collectors own logs', () => {
    const filelog = agent.receivers.filelog as { include: string[]; exclude: string[]; operators: { type: string }[] };
    expect(filelog.include).toEqual(['/var/log/pods/*/*/*.log']);
    expect(filelog.operators.map((o) => o.type)).toEqual(['container']);
    expect(filelog.exclude.every((e) => e.startsWith(`/var/log/pods/${base.name}`) || e.includes('_otel-'))).toBe(true);
  });

  it('receives OTLP from the apps, adds Kubernetes metadata of its node, and routes traces by trace id to the gateway', () => {
    expect(agent.receivers.otlp).toBeDefined();
    expect(agent.processors.k8sattributes).toMatchObject({ filter: { node_from_env_var: 'K8S_NODE_NAME' } });
    expect(agent.exporters.loadbalancing).toMatchObject({ routing_key: 'traceID' });
    expect(agent.service.pipelines.traces).toEqual({ receivers: ['otlp'], processors: ['memory_limiter', 'k8sattributes', 'resource', 'batch'], exporters: ['loadbalancing'] });
    expect(agent.service.pipelines.logs!.receivers).toEqual(['otlp', 'filelog']);
  });

  it('is the same for every stack (the backends are the gateways business)', () => {
    const agents = new Set(STACKS.map((stack) => JSON.stringify(otelAgentConfig(plan(stack, false, false)))));
    expect(agents.size).toBe(1);
  });
});

describe('the gateway exports to the backends of the plan', () => {
  const gateway = (stack: string, zipkin: boolean, text: boolean): CollectorConfig => otelGatewayConfig(plan(stack, zipkin, text));

  it('tail-samples traces: errors, slower than the p99 SLO, and the head ratio of the rest', () => {
    const p = plan('prometheus', false, false);
    const policies = (gateway('prometheus', false, false).processors.tail_sampling as { policies: { name: string; latency?: { threshold_ms: number }; probabilistic?: { sampling_percentage: number } }[] }).policies;
    expect(policies.map((x) => x.name)).toEqual(['errors', 'slower-than-slo', 'baseline']);
    expect(policies[1]!.latency!.threshold_ms).toBe(p.spec.slo.p99_latency_ms);
    expect(policies[2]!.probabilistic!.sampling_percentage).toBeCloseTo(p.tracing.headSampleRatio * 100, 6);
  });

  it('traces: Jaeger over OTLP by default, Zipkin when the requirements name Zipkin only, Jaeger when they name both', () => {
    expect(gateway('prometheus', false, false).service.pipelines.traces!.exporters).toEqual(['otlp/jaeger']);
    expect(gateway('custom', true, false).service.pipelines.traces!.exporters).toEqual(['zipkin']);
    expect(gateway('custom', true, false).exporters.zipkin).toMatchObject({ endpoint: expect.stringMatching(/:9411\/api\/v2\/spans$/) });
    const both = buildPlan(withSpec(base, (s) => void (s.requirements = 'Distributed tracing with Jaeger/Zipkin')), upstream.plain as never);
    expect(both.tracing.backend).toBe('jaeger');
  });

  it('logs: Loki 3 native OTLP endpoint, or Elasticsearch when a text feature needs full-text search', () => {
    expect(gateway('prometheus', false, false).exporters['otlphttp/loki']).toEqual({ endpoint: expect.stringMatching(/^http:\/\/loki-gateway\..*\/otlp$/) });
    const elk = gateway('custom', false, true);
    expect(elk.service.pipelines.logs!.exporters).toEqual(['elasticsearch']);
    expect(elk.exporters.elasticsearch).toMatchObject({ logs_index: `${base.name}-logs`, api_key: '${env:ELASTICSEARCH_API_KEY}' });
  });

  it('datadog: the datadog exporter for traces and logs, the API key from the environment; Zipkin and ELK do not apply', () => {
    for (const [zipkin, text] of [[false, false], [true, true]] as const) {
      const g = gateway('datadog', zipkin, text);
      expect(g.service.pipelines.traces!.exporters).toEqual(['datadog']);
      expect(g.service.pipelines.logs!.exporters).toEqual(['datadog']);
      expect(g.exporters.datadog).toEqual({ api: { key: '${env:DD_API_KEY}', site: '${env:DD_SITE}' } });
      expect(g.service.pipelines.metrics).toBeUndefined();
    }
  });

  it('newrelic: OTLP/HTTP to New Relic with the api-key header from the environment, metrics included', () => {
    const g = gateway('newrelic', true, true);
    expect(g.exporters['otlphttp/newrelic']).toMatchObject({ endpoint: 'https://otlp.nr-data.net', headers: { 'api-key': '${env:NEW_RELIC_LICENSE_KEY}' } });
    for (const signal of ['traces', 'logs', 'metrics'] as const) expect(g.service.pipelines[signal]!.exporters).toEqual(['otlphttp/newrelic']);
  });

  it('custom: the gateway scrapes the serving pods and exposes Prometheus format on :8889; prometheus: metrics stay with the Prometheus server', () => {
    const custom = gateway('custom', false, false);
    expect(custom.service.pipelines.metrics).toEqual({ receivers: ['otlp', 'prometheus'], processors: ['memory_limiter', 'resource', 'batch'], exporters: ['prometheus'] });
    expect(custom.exporters.prometheus).toMatchObject({ endpoint: '0.0.0.0:8889' });
    expect(prometheusConfig(plan('custom', false, false))).toContain('otel-gateway.');
    const prom = gateway('prometheus', false, false);
    expect(prom.service.pipelines.metrics).toBeUndefined();
    expect(prom.receivers.prometheus).toBeUndefined();
    expect(prometheusConfig(plan('prometheus', false, false))).toContain(`job_name: ${base.name}-serving`);
  });

  it('no secret is a literal: credentials are ${env:…} references, and the no-secrets scan finds nothing', () => {
    for (const s of SCENARIOS) {
      for (const f of collectorFiles(s.p)) {
        expect(scanForSecrets(f.content, f.kind), `${label(s)} ${f.path}`).toEqual([]);
        for (const m of f.content.matchAll(/^\s*(?:key|api_key|api-key):\s*(\S+)$/gm)) expect(m[1], label(s)).toMatch(/^\$\{env:[A-Z_]+\}$/);
      }
    }
  });

  it('every stack, Zipkin and ELK choice changes the gateway where it applies', () => {
    const texts = new Set(SCENARIOS.map((s) => collectorFiles(s.p)[1]!.content));
    // prometheus and custom: 4 variants each; datadog and newrelic ignore Zipkin and ELK (vendor APM and logs).
    expect(texts.size).toBe(4 + 4 + 1 + 1);
    expect(parseYaml(collectorFiles(plan('custom', true, true))[1]!.content)).toMatchObject({ exporters: { zipkin: {}, elasticsearch: {} } });
  });
});
