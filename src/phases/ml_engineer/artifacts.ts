import { artifact, type Artifact } from '../../artifacts/artifact.js';
import { toJson } from '../../generators/serializers/json.js';
import { code, MarkdownDocument } from '../../generators/serializers/markdown.js';
import { toYaml } from '../../generators/serializers/yaml.js';
import type { ResolvedSpec } from '../../spec/resolve.js';
import { LAYOUT } from '../common.js';
import type { TrainingConfigFile } from './config.js';
import type { MlPlan } from './derive.js';
import { interfacesPy, configPy, hpoPy, pipelinePy, trainingInitPy } from './python/training.js';
import { trackingPy } from './python/tracking.js';
import { promotionPy, registryInitPy } from './python/registry.js';
import { orchestrationPy, trainingMainPy } from './python/orchestration.js';
import { sampleDataPy } from './python/sampleData.js';
import { orchestrationContractTestPy, trackingContractTestPy } from './python/contractTests.js';
import { stepsPy } from './python/steps.js';
import { distributedPy } from './python/distributed.js';
import { rollbackBudget, rollbackScript } from './rollback.js';

const PHASE = 'ml_engineer';

/** Environment-variable prefix of the generated package (e.g. DEMAND_FORECAST_TRACKING). */
export function envPrefix(pkg: string): string {
  return pkg.toUpperCase();
}

function rollbackRunbook(spec: ResolvedSpec, plan: MlPlan): string {
  const b = rollbackBudget(spec.slo.rollback_minutes);
  return new MarkdownDocument()
    .heading(1, `Model rollback: ${code(plan.decisions.registry.model_name)}`)
    .paragraph(`Target: production serves the previous model version within ${code(`${spec.slo.rollback_minutes} min`)} (${b.totalSeconds} s) of the decision to roll back.`)
    .heading(2, 'When')
    .bullets([
      `the ${code(plan.decisions.registry.promotion_gate.metric)} of the prod version drops by more than ${code(`${spec.slo.max_degradation_pct} %`)} against its registered CV value;`,
      'error rate or p99 latency alerts fire right after a promotion;',
      'a canary or shadow comparison is cut short by the deployment pipeline.',
    ])
    .heading(2, 'Steps')
    .numbered([
      `${code('scripts/rollback_model.sh --reason INCIDENT-ID --dry-run')} to see what will happen (${code('--to VERSION')} to pick the version instead of ${code('previous_prod_version')}).`,
      `${code('scripts/rollback_model.sh --reason INCIDENT-ID')}: registry alias (${b.aliasSeconds} s), rolling restart (${b.restartSeconds} s), verification (${b.verifySeconds} s).`,
      `Check the ${code('rolled_back_at')} and ${code('rollback_reason')} tags on the bad version, and that the next scheduled training run does not re-promote it (the gate compares against the restored prod version).`,
    ])
    .heading(2, 'Drill')
    .paragraph(`${code(`${envPrefix(plan.pkg)}_REGISTRY=local:/tmp/registry.json`)} points the script at the offline JSON registry; run a promote and a rollback against it in CI so the procedure stays exercised.`)
    .toString();
}

export function buildArtifacts(spec: ResolvedSpec, plan: MlPlan, config: TrainingConfigFile): Artifact[] {
  const root = LAYOUT.pythonRoot;
  const pkgDir = `${root}/src/${plan.pkg}`;
  const env = envPrefix(plan.pkg);
  const searchSpace = {
    tool: plan.decisions.hpo.tool,
    parallel_trials: plan.decisions.hpo.parallel_trials,
    members: plan.members.map((m) => ({
      name: m.name,
      family: m.family,
      trials: m.trials,
      timeout_minutes: m.timeoutMinutes,
      parameters: m.space.map((p) => ({ name: p.name, kind: p.kind, low: p.low, high: p.high, log: p.log, choices: p.choices, why: p.why })),
    })),
  };
  return [
    artifact(PHASE, `${root}/configs/training.yaml`, 'yaml', toYaml(config)),
    artifact(PHASE, `${root}/configs/hpo_search_space.json`, 'json', toJson(searchSpace)),
    artifact(PHASE, `${pkgDir}/training/__init__.py`, 'python', trainingInitPy(spec)),
    artifact(PHASE, `${pkgDir}/training/__main__.py`, 'python', trainingMainPy(plan, env)),
    artifact(PHASE, `${pkgDir}/training/interfaces.py`, 'python', interfacesPy(spec, plan)),
    artifact(PHASE, `${pkgDir}/training/config.py`, 'python', configPy(config)),
    artifact(PHASE, `${pkgDir}/training/hpo.py`, 'python', hpoPy(plan)),
    artifact(PHASE, `${pkgDir}/training/tracking.py`, 'python', trackingPy(plan, env)),
    artifact(PHASE, `${pkgDir}/training/pipeline.py`, 'python', pipelinePy(plan)),
    artifact(PHASE, `${pkgDir}/training/distributed.py`, 'python', distributedPy()),
    artifact(PHASE, `${pkgDir}/steps.py`, 'python', stepsPy(plan)),
    artifact(PHASE, `${pkgDir}/sample_data.py`, 'python', sampleDataPy(spec, plan)),
    artifact(PHASE, `${pkgDir}/registry/__init__.py`, 'python', registryInitPy()),
    artifact(PHASE, `${pkgDir}/registry/promotion.py`, 'python', promotionPy(plan, config, env)),
    artifact(PHASE, plan.orchestration.file, 'python', orchestrationPy(spec, plan)),
    artifact(PHASE, `${root}/tests/integration/test_tracking_contract.py`, 'python', trackingContractTestPy(plan)),
    artifact(PHASE, `${root}/tests/integration/test_orchestration_contract.py`, 'python', orchestrationContractTestPy(spec, plan)),
    artifact(PHASE, 'scripts/rollback_model.sh', 'shell', rollbackScript(spec, plan, env)),
    artifact(PHASE, `${LAYOUT.runbooks}/model-rollback.md`, 'markdown', rollbackRunbook(spec, plan)),
  ];
}
