import { describe, expect, it } from 'vitest';
import type { DecisionsByPhase } from '../../src/phases/types.js';
import type { Artifact } from '../../src/artifacts/artifact.js';
import { ciEvidence } from '../../src/pipeline/ciEvidence.js';
import { observabilityEvidence } from '../../src/pipeline/observabilityEvidence.js';
import { runAllPhases } from '../../src/pipeline/runPhases.js';
import { CRITERIA_COUNT, scoreCriteria } from '../../src/pipeline/scorecard.js';
import { mergePatch } from '../../src/spec/merge.js';
import { resolveSpec, type ResolvedSpec } from '../../src/spec/resolve.js';
import { defaultSpec } from '../helpers/specs.js';

function score(spec: ResolvedSpec, stale: string[] = [], edit: (files: Artifact[]) => Artifact[] = (f) => f) {
  const { outputs, artifacts } = runAllPhases(spec);
  const decisions = Object.fromEntries(Object.entries(outputs).map(([p, o]) => [p, o!.decisions])) as Partial<DecisionsByPhase>;
  const monitoring = edit(artifacts.filter((a) => a.phase === 'observability_engineer'));
  return Object.fromEntries(scoreCriteria(spec, decisions, new Set(stale as never[]), null, ciEvidence(artifacts), observabilityEvidence(monitoring)).map((c) => [c.id, c]));
}

describe('the success-criteria scorecard', () => {
  it('covers the 20 success criteria of the source document', () => {
    expect(CRITERIA_COUNT).toBe(20);
  });

  it('judges commit-to-production on the chain of CI jobs and their enforced time limits, per CI platform', () => {
    const github = score(defaultSpec())['velocity.commit_to_prod']!;
    expect(github.status).toBe('met');
    expect(github.evidence).toMatch(/^\.github\/workflows\/delivery\.yml enforces \d+ min from commit to production: .*promote-production ≤ \d+ min \+ approval 5 min$/);
    const gitlab = score(resolveSpec(mergePatch(defaultSpec(), { delivery: { ci_platform: 'gitlab' } })))['velocity.commit_to_prod']!;
    expect(gitlab.evidence).toMatch(/^\.gitlab-ci\.yml enforces/);
    // Without CI files the budget table alone is no evidence.
    const { outputs } = runAllPhases(defaultSpec());
    const decisions = Object.fromEntries(Object.entries(outputs).map(([p, o]) => [p, o!.decisions])) as Partial<DecisionsByPhase>;
    const bare = scoreCriteria(defaultSpec(), decisions, new Set()).find((c) => c.id === 'velocity.commit_to_prod')!;
    expect(bare.status).toBe('not_met');
  });

  it('meets every design-level criterion for the default spec and asks for evidence where only data can tell', () => {
    const c = score(defaultSpec());
    const notMet = Object.values(c).filter((x) => x.status === 'not_met');
    expect(notMet).toEqual([]);
    expect(c['model.beats_baseline']!.status).toBe('no_evidence');
    expect(c['model.beats_baseline']!.evidence).toMatch(/roc_auc ≥ 0\.65/);
    expect(c['cost.waste']!.status).toBe('met');
    expect(c['cost.waste']!.evidence).toMatch(/serving [\d.]+ % idle at the average load .* of the 20,000 USD budget \(estimate_cost/);
    expect(c['ops.rollback']!.evidence).toMatch(/worst case 270 s/);
    expect(c['ops.alert_time']!.evidence).toMatch(/ModelErrorSpike \d+ s.*each alert fired by a promtool test; Alertmanager group_wait \d+ s/);
    expect(c['model.drift_detection']!.evidence).toMatch(/^CronJob schedule .* worst case [\d.]+ h/);
  });

  it('judges alert time and drift detection on the monitoring files themselves', () => {
    const dropLogs = (files: Artifact[]) => files.filter((f) => !f.path.startsWith('monitoring/otel/'));
    expect(score(defaultSpec(), [], dropLogs)['ops.alert_time']!.evidence).toMatch(/collect no logs, traces/);
    const slower = (files: Artifact[]) => files.map((f) => (f.path === 'monitoring/prometheus/rules.yml' ? { ...f, content: f.content.replace(/(alert: ModelErrorSpike\n(?:.*\n)*?\s+for: )\S+/, '$11h') } : f));
    const late = score(defaultSpec(), [], slower)['ops.alert_time']!;
    expect(late.status).toBe('not_met');
    expect(late.evidence).toMatch(/ModelErrorSpike \(for: 3600 s/);
    const untested = (files: Artifact[]) => files.filter((f) => !f.path.startsWith('monitoring/prometheus/tests/'));
    expect(score(defaultSpec(), [], untested)['ops.alert_time']!.evidence).toMatch(/no promtool test makes .*ModelErrorSpike.* fire/);
    const noCron = (files: Artifact[]) => files.filter((f) => f.path !== 'deploy/k8s/monitoring/jobs.yaml');
    expect(score(defaultSpec(), [], noCron)['model.drift_detection']!.status).toBe('not_met');
    const daily = (files: Artifact[]) => files.map((f) => (f.path === 'deploy/k8s/monitoring/jobs.yaml' ? { ...f, content: f.content.replace(/\n {2}schedule: .*/, '\n  schedule: "0 0 */2 * *"') } : f));
    expect(score(defaultSpec(), [], daily)['model.drift_detection']!.evidence).toMatch(/exceeds 24 h/);
  });

  it('judges waste on the cost model: idle serving capacity against max_waste_pct', () => {
    const strict = score(resolveSpec(mergePatch(defaultSpec(), { slo: { max_waste_pct: 5 } })))['cost.waste']!;
    expect(strict.status).toBe('not_met');
    expect(strict.evidence).toMatch(/% idle at the average load/);
  });

  it('fails a criterion whose spec target is looser than the source document', () => {
    const c = score(resolveSpec(mergePatch(defaultSpec(), { slo: { p99_latency_ms: 300 } })));
    expect(c['ops.p99_latency']!.status).toBe('not_met');
    expect(c['ops.p99_latency']!.evidence).toMatch(/looser than the criterion \(200 ms\)/);
  });

  it('has nothing to measure for online-serving criteria in batch mode', () => {
    const c = score(resolveSpec(mergePatch(defaultSpec(), { options: { deployment_mode: 'batch' } })));
    for (const id of ['ops.uptime', 'ops.p99_latency', 'ops.alert_time', 'cost.autoscaling']) {
      expect(c[id]!.status, id).toBe('no_evidence');
      expect(c[id]!.evidence, id).toMatch(/no online endpoint/);
    }
  });

  it('does not count evidence from a stale phase', () => {
    const c = score(defaultSpec(), ['kubernetes_architect']);
    expect(c['cost.spot_share']!.status).toBe('no_evidence');
    expect(c['cost.spot_share']!.evidence).toMatch(/stale/);
  });
});
