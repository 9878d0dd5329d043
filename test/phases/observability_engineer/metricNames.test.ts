import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { pythonPackage } from '../../../src/phases/common.js';
import { EXTERNAL_METRICS } from '../../../src/phases/observability_engineer/metrics.js';
import { runAllPhases } from '../../../src/pipeline/runPhases.js';
import type { ResolvedSpec } from '../../../src/spec/resolve.js';
import { runPython, writeArtifacts } from '../../helpers/phaseHarness.js';
import { defaultSpec, richSpec } from '../../helpers/specs.js';

/**
 * The cross-check the issue asks for: every metric an alert or recording rule reads is one the generated code
 * really exposes, with the labels the rule matches on. The generated Python runs and its Prometheus exposition
 * is compared with the rule file.
 */

/** Calls every emitter of the generated package and prints {metric family: label names} of the exposition. */
const EXPOSE = (pkg: string) => `
import json
from prometheus_client import REGISTRY, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from ${pkg}.observability import instrumentation as m

m.observe_request("/predict", 200, 0.01, "v1")
m.observe_request("/predict", 503, 0.5, "v1")
with m.timed_feature_lookup("online", "view"):
    pass
m.record_validation("source", "not_null", True)
m.record_records("source", 10, 1, 1)
m.record_batch_run(True)
m.record_stream("topic", "group", 3.0)
m.record_training_run("drift", "success")
m.set_month_to_date_cost("team", "serving", 12.5)
m.record_feature_importance({"amount": 0.6, "country": 0.4}, 0.9)
m.record_business_kpi("kpi", 0.2, "roc_auc", 0.5)
series = {}
for family in text_string_to_metric_families(generate_latest(REGISTRY).decode()):
    for sample in family.samples:
        series.setdefault(sample.name, set()).update(sample.labels.keys())

# The jobs' own exposition (drift and quality evaluation), from their metric samples on small synthetic data.
from ${pkg}.observability import drift, quality
from ${pkg}.observability import metrics as names
config = drift.load_config("monitoring/drift/drift_config.yaml")
def column(feature, shift):
    if feature["kind"] == "numeric":
        return [str(i % 97 + shift) for i in range(200)]
    values = [str(c) for c in feature.get("categories") or ["a", "b"]]
    return [values[(i + shift) % len(values)] for i in range(200)]
reference = {f["name"]: column(f, 0) for f in config["features"]}
current = {f["name"]: column(f, 50) for f in config["features"]}
results = drift.evaluate(config, reference, current)
samples = drift.metric_samples(config, results, 0.3, 1.0, 0.0)
now = 2_000_000_000.0
due = now - quality.LABEL_DELAY_HOURS * 3600 - 60
joined = [quality.Joined(due - i, "v1", str((i % 10) / 10), str(i % 2), str(i)) for i in range(2000)]
samples += quality.metric_samples(quality.evaluate(joined, now, quality.REFERENCE if quality.REFERENCE is not None else 0.5, 1), joined)
for name, rows in names.parse_exposition(names.exposition(samples)).items():
    for labels, _ in rows:
        series.setdefault(name, set()).update(labels.keys())
print(json.dumps({k: sorted(v) for k, v in series.items()}))
`;

/** Metric names and the labels matched on them, from every rule expression (recording rules excluded). */
function ruleSelectors(rulesYaml: string): { name: string; labels: string[]; expr: string }[] {
  const rules = parseYaml(rulesYaml) as { groups: { rules: { record?: string; expr: string }[] }[] };
  const out: { name: string; labels: string[]; expr: string }[] = [];
  for (const r of rules.groups.flatMap((g) => g.rules)) {
    for (const m of r.expr.matchAll(/([A-Za-z_:][A-Za-z0-9_:]*)\{([^}]*)\}/g)) {
      const labels = [...m[2]!.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map((x) => x[1]!);
      out.push({ name: m[1]!, labels, expr: r.expr });
    }
  }
  return out;
}

// Labels Prometheus adds to every scraped or pushed series (target labels), not set by the emitting code.
const TARGET_LABELS = new Set(['namespace', 'pod', 'job', 'instance', 'container', 'node']);

function crossCheck(spec: ResolvedSpec): string[] {
  const files = runAllPhases(spec).artifacts;
  const dir = writeArtifacts(files.filter((f) => f.path.startsWith('ml/') || f.path.startsWith('monitoring/drift/')));
  const exposed = runPython(dir, EXPOSE(pythonPackage(spec))) as Record<string, string[]>;
  const rules = files.find((f) => f.path === 'monitoring/prometheus/rules.yml')!.content;
  const records = new Set((parseYaml(rules) as { groups: { rules: { record?: string }[] }[] }).groups.flatMap((g) => g.rules.flatMap((r) => (r.record ? [r.record] : []))));
  const external = new Set<string>(Object.values(EXTERNAL_METRICS));
  const problems: string[] = [];
  for (const s of ruleSelectors(rules)) {
    if (external.has(s.name) || records.has(s.name)) continue;
    const labels = exposed[s.name];
    if (!labels) {
      problems.push(`${s.name} is read by a rule but no generated code exposes it`);
      continue;
    }
    for (const l of s.labels) if (!TARGET_LABELS.has(l) && !labels.includes(l)) problems.push(`${s.name}{${l}} is matched by a rule but the code sets labels ${labels.join(', ')}`);
  }
  return problems;
}

describe('metric names: the rules read what the generated code exposes', () => {
  it.each([
    ['the default spec (online serving)', defaultSpec()],
    ['a hybrid spec with batch and GPUs', richSpec({ options: { ...richSpec().options, monitoring_stack: 'prometheus' } })],
  ])('%s', (_what, spec) => {
    expect(crossCheck(spec)).toEqual([]);
  });
});
