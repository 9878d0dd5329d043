import { MarkdownDocument, code, num, text } from '../../generators/serializers/markdown.js';
import type { ResolvedSpec } from '../../spec/resolve.js';
import type { DataScientistDecisions } from '../data_scientist/decisions.js';
import type { MlEngineerDecisions } from '../ml_engineer/decisions.js';
import { serverDeployed, type MlopsPlan } from './derive.js';
import { waitSeconds } from './scripts.js';
import { seldonWorkloadName } from './platforms.js';
import { analysisTemplateNames } from './release.js';

/** The commands that stop a release in progress and return traffic to the stable version, per platform. */
export function abortCommands(plan: MlopsPlan): { watch: string; abort: string; undo: string } {
  const ns = plan.namespaces.serving;
  const canaryIndex = plan.rollout.shadow && plan.rollout.shadow_mirror_pct > 0 ? 2 : 1;
  switch (plan.runtime.platform) {
    case 'torchserve':
    case 'triton':
      return {
        watch: `kubectl argo rollouts get rollout ${plan.names.modelServer} -n ${ns} --watch`,
        abort: `kubectl argo rollouts abort ${plan.names.modelServer} -n ${ns}`,
        undo: `kubectl argo rollouts undo ${plan.names.modelServer} -n ${ns}`,
      };
    case 'kserve':
      return {
        watch: `kubectl get inferenceservice ${plan.names.platformObject} -n ${ns} -o jsonpath='{.status.components.predictor.traffic}' && kubectl get analysisrun -n ${ns}`,
        abort: `kubectl patch inferenceservice ${plan.names.platformObject} -n ${ns} --type merge -p '{"spec":{"predictor":{"canaryTrafficPercent":0}}}'`,
        undo: `kubectl patch inferenceservice ${plan.names.platformObject} -n ${ns} --type merge -p '{"spec":{"predictor":{"canaryTrafficPercent":0}}}' (the previous rolled-out revision takes 100 %)`,
      };
    case 'seldon':
      return {
        watch: `kubectl get seldondeployment ${plan.names.platformObject} -n ${ns} -o jsonpath='{.spec.predictors[*].traffic}' && kubectl get analysisrun -n ${ns}`,
        abort: `kubectl patch seldondeployment ${plan.names.platformObject} -n ${ns} --type json -p '[{"op":"remove","path":"/spec/predictors/${canaryIndex}"},{"op":"replace","path":"/spec/predictors/0/traffic","value":100}]'`,
        undo: `git revert the prod commit; scripts/deploy.sh <previous tag> prod runs a canary of the previous image (Deployment ${seldonWorkloadName(plan, 'canary')})`,
      };
  }
}

function rollbackArithmetic(plan: MlopsPlan): string {
  const r = plan.rollout;
  return `${r.analysis_interval_seconds} s × ${r.failure_limit} + ${r.scale_back_seconds} s = ${r.worst_case_rollback_seconds} s ${r.fits_rollback_slo ? '≤' : '>'} ${r.rollback_budget_seconds} s`;
}

export function releaseRunbook(spec: ResolvedSpec, plan: MlopsPlan, ds: DataScientistDecisions): string {
  const r = plan.rollout;
  const wait = waitSeconds(plan);
  const doc = new MarkdownDocument()
    .heading(1, `Release checklist: ${text(spec.name)}`)
    .paragraph(
      `Owner: ${text(spec.team.owner)}. One release = one image tag (the commit SHA) promoted through ${code('dev')} → ${code('staging')} → ${code('prod')} by ${code('scripts/deploy.sh')} and Argo CD.`,
      `Budget from commit to production: ${plan.ci.total_minutes} min of ${plan.ci.slo_minutes} min allowed (${plan.ci.fits_slo ? `${plan.ci.slack_minutes} min slack` : `${-plan.ci.slack_minutes} min OVER the SLO`}).`,
    )
    .heading(2, 'Before merging')
    .bullets([
      '[ ] CI green: every stage below passed within its budget.',
      `[ ] Model validation gate: candidate ${code(plan.ci.stages.find((s) => s.name === 'model_validation_gate')?.what ?? '')}.`,
      `[ ] Model registered as ${code(plan.modelName)} with lineage (data snapshot, code commit, parameters).`,
    ])
    .heading(2, 'CI stages and budgets')
    .table(
      ['Stage', 'Budget (min)', 'Check'],
      plan.ci.stages.map((s) => [code(s.name), s.budget_minutes, s.what]),
    )
    .heading(2, 'Promotion')
    .numbered([
      `Run ${code('scripts/deploy.sh <tag> staging')}; staging must be synced and healthy within ${wait.staging} s.`,
      serverDeployed(plan.modes)
        ? `While staging smoke tests run, production mirrors ${r.shadow_mirror_pct} % of live traffic to the candidate (shadow, ≈ ${num(r.shadow_requests)} requests in ${r.shadow_window_seconds} s); prediction-distribution PSI between candidate and production must stay below 0.2.`
        : `Shadow: the candidate scores the last batch (${num(spec.scale.batch_size)} rows) into the shadow location; compare with production before switching.`,
      `Approval: the release manager sets ${code('APPROVED_BY')} and runs ${code('scripts/deploy.sh <tag> prod')}.`,
      r.strategy === 'canary'
        ? `Canary steps ${r.steps.map((s) => `${s.weight} % (${s.pause_seconds} s)`).join(' → ')}; analysis every ${r.analysis_interval_seconds} s on error rate (≤ ${(plan.analysis.max_error_rate * 100).toFixed(2)} %) and p99 latency (≤ ${spec.slo.p99_latency_ms} ms).`
        : `Blue-green: preview analysis for ${r.steps[0]?.pause_seconds ?? 0} s, switch, post-switch analysis for ${r.steps[1]?.pause_seconds ?? 0} s; the previous version stays up until then.`,
      ...(serverDeployed(plan.modes)
        ? [
            `Watch: ${code(abortCommands(plan).watch)}; the AnalysisTemplates are ${code(analysisTemplateNames(plan).errorRate)} and ${code(analysisTemplateNames(plan).latency)} (provider ${code(plan.analysis.provider)}).`,
          ]
        : []),
      `Automated rollback triggers after ${r.failure_limit} failed measurement(s): worst case ${rollbackArithmetic(plan)}.`,
      `A/B (model changes only): hold the new model at ${code(`${Math.round(spec.experiment.treatment_share * 100)} %`)} of entities until ${num(ds.ab_test.control_n)} control and ${num(ds.ab_test.treatment_n)} treatment units are observed (≈ ${ds.ab_test.duration_days} days), then decide.`,
    ])
    .heading(2, 'After release')
    .bullets([
      `[ ] p99 latency ≤ ${spec.slo.p99_latency_ms} ms and availability ≥ ${spec.slo.availability_pct} % over the first hour.`,
      '[ ] Release noted in the model registry (stage Production) and in the changelog.',
      '[ ] Previous version kept for rollback (see docs/runbooks/rollback.md).',
    ]);
  return doc.toString();
}

export function rollbackRunbook(spec: ResolvedSpec, plan: MlopsPlan, ml: MlEngineerDecisions): string {
  const r = plan.rollout;
  const doc = new MarkdownDocument()
    .heading(1, `Rollback: ${text(spec.name)}`)
    .paragraph(
      `SLO: automated rollback within ${spec.slo.rollback_minutes} min (${r.rollback_budget_seconds} s).`,
      `Worst case of the automated path: analysis interval × failure limit + scale-back = ${rollbackArithmetic(plan)}.`,
    )
    .heading(2, 'Automated rollback (no action needed)')
    .bullets([
      `${r.strategy === 'canary' ? 'The canary' : 'The green (new) version'} is measured every ${r.analysis_interval_seconds} s; after ${r.failure_limit} failed measurement(s) traffic returns to the stable version within ${r.scale_back_seconds} s (route update + drain).`,
      `Failure = error rate above ${(plan.analysis.max_error_rate * 100).toFixed(2)} % or p99 latency above ${spec.slo.p99_latency_ms} ms over the interval (${plan.analysis.provider} analysis).`,
      'The stable version is never scaled down during a release, so rolling back needs no new pods.',
    ])
    .heading(2, 'Stop a release in progress')
    .bullets(
      serverDeployed(plan.modes)
        ? [`Abort now (traffic back to stable within ${r.scale_back_seconds} s): ${code(abortCommands(plan).abort)}.`, `Then roll back the version: ${code(abortCommands(plan).undo)}, and revert the promotion commit (below) so git matches.`]
        : ['Batch-only: point the consumers\' view back at the previous run (below).'],
    )
    .heading(2, 'Manual rollback of a release that already completed')
    .numbered([
      `Find the last good tag: ${code(`git log --oneline -- deploy/k8s/overlays/prod/kustomization.yaml`)}.`,
      `Revert the promotion commit: ${code('git revert <commit> && git push')} (GitOps: git is the source of truth).`,
      `Sync: ${code(`argocd app sync ${spec.name}-prod`)} and ${code(`argocd app wait ${spec.name}-prod --health --timeout ${waitSeconds(plan).prod}`)}.`,
      `Model only (same code): ${code(`${ml.registry.rollback_script} --reason "<incident id>"`)} moves the registry alias of ${code(plan.modelName)} back to the previous version and restarts ${code(`${plan.namespaces.serving}/${plan.names.modelServer}`)}, whose init container then fetches it (details: docs/runbooks/model-rollback.md).`,
    ]);
  if (plan.batch) {
    doc.heading(2, 'Batch scoring').bullets([
      `Predictions of each run are written under ${code(plan.batch.output_uri)}; consumers read the view that points at the current run: point it back at the previous run.`,
      `Stop a bad run: ${code(`kubectl -n ${plan.namespaces.batch} delete job -l app.kubernetes.io/instance=${plan.names.batchScoring}`)}; pause the schedule: ${code(`kubectl -n ${plan.namespaces.batch} patch cronjob ${plan.names.batchScoring} -p '{"spec":{"suspend":true}}'`)}.`,
    ]);
  }
  if (plan.stream) {
    doc.heading(2, 'Stream consumer').bullets([
      `After rolling back the model server, re-score the affected window by resetting consumer group ${code(plan.stream.consumer_group)} on ${code(plan.stream.topic)} to the release time (downstream must accept duplicate predictions keyed by ${code(spec.data.entity_key)} + event time).`,
    ]);
  }
  return doc.toString();
}
