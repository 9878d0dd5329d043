import { shQuote } from '../../generators/serializers/shell.js';
import type { ResolvedSpec } from '../../spec/resolve.js';
import { DEPLOY_STAGING_MINUTES, SYNC_SECONDS, serverDeployed, type MlopsPlan } from './derive.js';
import { SERVER_CONTAINER } from './manifests.js';
import { SELDON_UNIT, seldonWorkloadName } from './platforms.js';
import { ARG_CANARY_WORKLOAD } from './release.js';

export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;

/** Seconds the script waits for Argo CD to report an environment synced and healthy. */
export function waitSeconds(plan: MlopsPlan): Record<(typeof ENVIRONMENTS)[number], number> {
  // Each wait is the CI job's time limit less one minute for checkout, tools and the overlay commit, so a deploy
  // that is still converging fails in the script (with Argo CD's status) rather than being killed by CI.
  const budget = (stage: string, fallback: number) => (plan.ci.stages.find((s) => s.name === stage)?.budget_minutes ?? fallback) * 60 - 60;
  const staging = budget('deploy_staging', DEPLOY_STAGING_MINUTES);
  // Production waits for the whole rollout (every analysis pause) plus the sync; its budget is sized for that.
  return { dev: staging, staging, prod: Math.max(Math.ceil(plan.rollout.rollout_seconds) + SYNC_SECONDS, budget('promote_production', 0)) };
}

/**
 * scripts/deploy.sh: GitOps promotion of one image tag through dev -> staging -> prod. It never talks to a
 * cluster directly: it bumps the tag in the environment's kustomize overlay, pushes, and waits for Argo CD,
 * so what runs is always what git says (and `git revert` is a rollback).
 */
export function deployScript(spec: ResolvedSpec, plan: MlopsPlan): string {
  const wait = waitSeconds(plan);
  const lines = [
    '#!/usr/bin/env bash',
    `# Promote one image tag of pipeline ${spec.name} through ${ENVIRONMENTS.join(' -> ')} (GitOps with Argo CD).`,
    '# Usage: scripts/deploy.sh <image-tag> [dev|staging|prod]   (stops after the given environment; default prod)',
    '# Production needs APPROVED_BY=<reviewer> (the approval the release checklist requires).',
    `# Rollout to prod: ${plan.rollout.strategy}, worst-case automated rollback ${plan.rollout.worst_case_rollback_seconds} s (SLO ${plan.rollout.rollback_budget_seconds} s).`,
    'set -euo pipefail',
    '',
    `readonly PIPELINE=${shQuote(spec.name)}`,
    `readonly REGISTRY="\${REGISTRY:-${plan.cloud.registry}}"`,
    `readonly SERVER_IMAGE="\${REGISTRY}/${plan.names.serverImage}"`,
    `readonly JOBS_IMAGE="\${REGISTRY}/${plan.names.jobsImage}"`,
    "readonly OVERLAY_ROOT='deploy/k8s/overlays'",
    `readonly ENVIRONMENTS=(${ENVIRONMENTS.join(' ')})`,
    `readonly WAIT_SECONDS_DEV=${wait.dev}`,
    `readonly WAIT_SECONDS_STAGING=${wait.staging}`,
    `readonly WAIT_SECONDS_PROD=${wait.prod}`,
    `readonly NAMESPACE=${shQuote(plan.namespaces.serving)}`,
    '# kubectl context of the production cluster (the release steps and the shadow run there).',
    'readonly PROD_CONTEXT="${PROD_KUBE_CONTEXT:-prod}"',
    '',
    'kube() {',
    '  kubectl --context "$PROD_CONTEXT" -n "$NAMESPACE" "$@"',
    '}',
    '',
    'die() {',
    '  echo "deploy: $*" >&2',
    '  exit 1',
    '}',
    '',
    'usage() {',
    '  echo "usage: $0 <image-tag> [dev|staging|prod]" >&2',
    '  exit 64',
    '}',
    '',
    'require_tools() {',
    '  local tool',
    '  for tool in "$@"; do',
    '    command -v "$tool" >/dev/null 2>&1 || die "missing tool: $tool"',
    '  done',
    '}',
    '',
    'wait_seconds() {',
    '  case "$1" in',
    '    dev) echo "$WAIT_SECONDS_DEV" ;;',
    '    staging) echo "$WAIT_SECONDS_STAGING" ;;',
    '    prod) echo "$WAIT_SECONDS_PROD" ;;',
    '    *) die "unknown environment: $1" ;;',
    '  esac',
    '}',
    '',
    '# Both images must exist before any environment points at them.',
    'check_images() {',
    '  local tag="$1" image',
    '  if ! command -v crane >/dev/null 2>&1; then',
    '    echo "deploy: crane not installed, skipping the image existence check" >&2',
    '    return 0',
    '  fi',
    '  for image in "$SERVER_IMAGE" "$JOBS_IMAGE"; do',
    '    crane digest "${image}:${tag}" >/dev/null || die "image ${image}:${tag} not found in the registry"',
    '  done',
    '}',
    '',
    'promote() {',
    '  local env="$1" tag="$2" overlay app timeout',
    '  overlay="${OVERLAY_ROOT}/${env}"',
    '  app="${PIPELINE}-${env}"',
    '  timeout="$(wait_seconds "$env")"',
    '  [[ -f "${overlay}/kustomization.yaml" ]] || die "no overlay at ${overlay} (generate the kustomize overlays first)"',
    '  if [[ "$env" == "prod" && -z "${APPROVED_BY:-}" ]]; then',
    '    die "production needs an approval: set APPROVED_BY=<reviewer> (see docs/runbooks/release.md)"',
    '  fi',
    '  [[ "$env" == "staging" ]] && shadow_candidate "$tag"',
    '  [[ "$env" == "prod" ]] && release_begin "$tag"',
    '  echo "deploy: ${app} -> ${tag} (wait up to ${timeout}s)"',
    '  git pull --rebase --quiet',
    '  (cd "$overlay" && kustomize edit set image "${SERVER_IMAGE}:${tag}" "${JOBS_IMAGE}:${tag}")',
    '  git add "${overlay}/kustomization.yaml"',
    '  if git diff --cached --quiet; then',
    '    echo "deploy: ${env} already runs ${tag}"',
    '  else',
    '    git commit --quiet -m "deploy(${env}): ${PIPELINE} ${tag}${APPROVED_BY:+ approved-by ${APPROVED_BY}}"',
    '    git push --quiet origin HEAD',
    '  fi',
    '  argocd app sync "$app" --timeout "$timeout" >/dev/null',
    '  if ! argocd app wait "$app" --sync --health --timeout "$timeout"; then',
    '    echo "deploy: ${app} did not become healthy within ${timeout}s" >&2',
    '    echo "deploy: follow docs/runbooks/rollback.md (git revert the commit above, then argocd app sync ${app})" >&2',
    '    exit 1',
    '  fi',
    '  [[ "$env" == "prod" ]] && release_steps "$tag"',
    '  return 0',
    '}',
    '',
    ...releaseFunctions(spec, plan),
    'main() {',
    '  [[ $# -ge 1 && $# -le 2 ]] || usage',
    '  local tag="$1" target="${2:-prod}" env',
    '  [[ "$tag" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || die "invalid image tag: $tag"',
    '  case "$target" in dev | staging | prod) ;; *) usage ;; esac',
    `  require_tools git kustomize argocd kubectl jq${plan.runtime.platform === 'torchserve' || plan.runtime.platform === 'triton' ? ' kubectl-argo-rollouts' : ''}`,
    '  check_images "$tag"',
    '  for env in "${ENVIRONMENTS[@]}"; do',
    '    promote "$env" "$tag"',
    '    [[ "$env" == "$target" ]] && break',
    '  done',
    '  echo "deploy: ${PIPELINE} ${tag} promoted up to ${target}"',
    '}',
    '',
    'main "$@"',
  ];
  return `${lines.join('\n')}\n`;
}

/** One block per release step: analysis while the step's weight holds (a plain wait for a 0 % preview), then the next weight. */
function stepLines(plan: MlopsPlan, workload: string, rollback: string, setWeight: (weight: number) => string): string[] {
  const steps = plan.rollout.steps;
  const lines: string[] = [];
  steps.forEach((st, i) => {
    lines.push(`  # step ${i + 1}: ${st.weight} % for ${st.pause_seconds} s`);
    if (st.pause_seconds > 0) {
      lines.push(st.weight > 0 ? `  run_analysis ${i + 1} ${workload} || ${rollback}` : `  sleep ${st.pause_seconds} # preview with no live traffic: smoke tests run against its tag URL`);
    }
    const next = steps[i + 1];
    if (next) lines.push(setWeight(next.weight));
  });
  return lines;
}

/** JSON written into the script as one shell-quoted literal (static patches only; dynamic values go through jq --arg). */
function jsonArg(value: unknown): string {
  return shQuote(JSON.stringify(value));
}

/**
 * The platform-specific part of the promotion: point the shadow at the candidate while staging is tested
 * (shadow_candidate), prepare prod before Argo CD syncs (release_begin), then walk the release steps with
 * analysis between them (release_steps). torchserve/triton delegate the steps to the Argo Rollout.
 */
function releaseFunctions(spec: ResolvedSpec, plan: MlopsPlan): string[] {
  const r = plan.rollout;
  const a = plan.analysis;
  const deployed = serverDeployed(plan.modes);
  const platform = plan.runtime.platform;
  const weights = r.steps.map((st) => st.weight);
  const lines: string[] = [];
  const noShadow = ['shadow_candidate() {', '  return 0', '}', ''];
  if (!deployed) {
    return [
      ...noShadow,
      'release_begin() {',
      '  return 0',
      '}',
      '',
      '# Batch-only: the new model writes to the green output location; the consumers\' view is switched after the checks (docs/runbooks/release.md).',
      'release_steps() {',
      '  return 0',
      '}',
      '',
    ];
  }
  const analysisRun = [
    `readonly ANALYSIS_RUN_FILE='deploy/k8s/release/analysis-run.yaml'`,
    `readonly ANALYSIS_INTERVAL=${r.analysis_interval_seconds}`,
    `# A run measures ${a.measurements_per_step} time(s) every ${r.analysis_interval_seconds} s; two extra polls cover scheduling.`,
    `readonly ANALYSIS_POLLS=${a.measurements_per_step + 2}`,
    '',
    '# Creates an AnalysisRun from the release template for the candidate workload and waits for its verdict.',
    'run_analysis() {',
    '  local step="$1" workload="$2" name phase i',
    '  name="${PIPELINE}-release-${step}-$(date +%s)"',
    `  kube create --dry-run=client -o json -f "$ANALYSIS_RUN_FILE" | jq --arg name "$name" --arg workload "$workload" '.metadata.name = $name | (.spec.args[] | select(.name == "${ARG_CANARY_WORKLOAD}") | .value) = $workload' | kube create -f - >/dev/null`,
    '  for ((i = 0; i < ANALYSIS_POLLS; i++)); do',
    '    sleep "$ANALYSIS_INTERVAL"',
    "    phase=\"$(kube get analysisrun \"$name\" -o jsonpath='{.status.phase}')\"",
    '    case "$phase" in',
    '      Successful) return 0 ;;',
    '      Failed | Error | Inconclusive) echo "deploy: analysis ${name}: ${phase}" >&2; return 1 ;;',
    '    esac',
    '  done',
    '  echo "deploy: analysis ${name} did not finish" >&2',
    '  return 1',
    '}',
    '',
  ];
  if (platform === 'torchserve' || platform === 'triton') {
    const shadow =
      r.shadow && r.strategy === 'canary'
        ? [
            '# The shadow Deployment receives the mirrored share of production traffic: run the candidate there while staging is tested.',
            'shadow_candidate() {',
            `  kube set image ${shQuote(`deployment/${plan.names.modelShadow}`)} "${SERVER_CONTAINER}=\${SERVER_IMAGE}:$1" >/dev/null`,
            '}',
            '',
          ]
        : noShadow;
    lines.push(
      ...shadow,
      'release_begin() {',
      '  return 0',
      '}',
      '',
      `# The Argo Rollout runs the ${r.strategy === 'canary' ? `canary steps ${weights.join(' → ')} %` : 'blue-green preview, switch and post-switch analysis'} with its AnalysisTemplates; a failed analysis aborts it.`,
      'release_steps() {',
      `  if ! kubectl argo rollouts --context "$PROD_CONTEXT" -n "$NAMESPACE" status ${shQuote(plan.names.modelServer)} --timeout "\${WAIT_SECONDS_PROD}s"; then`,
      `    echo "deploy: rollout aborted or stuck; traffic is back on the stable version. Inspect: kubectl argo rollouts get rollout ${plan.names.modelServer} -n ${plan.namespaces.serving}" >&2`,
      '    exit 1',
      '  fi',
      '}',
      '',
    );
    return lines;
  }
  if (platform === 'kserve') {
    const isvc = plan.names.platformObject;
    lines.push(
      ...analysisRun,
      ...(r.shadow
        ? [
            '# The shadow InferenceService receives the mirrored share of production traffic: run the candidate there while staging is tested.',
            'shadow_candidate() {',
            `  kube patch inferenceservice ${shQuote(plan.names.platformShadow)} --type merge -p "$(jq -n --arg image "\${SERVER_IMAGE}:$1" '{spec: {predictor: {model: {image: $image}}}}')" >/dev/null`,
            '}',
            '',
          ]
        : noShadow),
      `# KServe canary: the revision Argo CD creates next gets canaryTrafficPercent ${weights[0]} %, the last rolled-out revision the rest.`,
      'release_begin() {',
      `  kube patch inferenceservice ${shQuote(isvc)} --type merge -p ${jsonArg({ spec: { predictor: { canaryTrafficPercent: weights[0] } } })} >/dev/null`,
      '}',
      '',
      'kserve_rollback() {',
      `  kube patch inferenceservice ${shQuote(isvc)} --type merge -p ${jsonArg({ spec: { predictor: { canaryTrafficPercent: 0 } } })} >/dev/null`,
      '  die "analysis failed: all traffic is back on the previous revision; git revert the prod commit (docs/runbooks/rollback.md)"',
      '}',
      '',
      'release_steps() {',
      '  local revision',
      `  revision="$(kube get inferenceservice ${shQuote(isvc)} -o jsonpath='{.status.components.predictor.latestCreatedRevision}')"`,
      '  [[ -n "$revision" ]] || die "no new revision of the InferenceService"',
      ...stepLines(plan, '"${revision}-deployment"', 'kserve_rollback', (w) => `  kube patch inferenceservice ${shQuote(isvc)} --type merge -p ${jsonArg({ spec: { predictor: { canaryTrafficPercent: w } } })} >/dev/null`),
      '  # Promoted: drop the split so the next revision starts from release_begin again.',
      `  kube patch inferenceservice ${shQuote(isvc)} --type merge -p ${jsonArg({ spec: { predictor: { canaryTrafficPercent: null } } })} >/dev/null`,
      '}',
      '',
    );
    return lines;
  }
  // seldon
  const sdep = plan.names.platformObject;
  const canaryIndex = r.shadow && r.shadow_mirror_pct > 0 ? 2 : 1;
  const image0 = '/spec/predictors/0/componentSpecs/0/spec/containers/0/image';
  lines.push(
    ...analysisRun,
    `readonly CANARY_PREDICTOR_FILE='deploy/k8s/release/seldon-canary-predictor.json'`,
    '',
    ...(r.shadow && r.shadow_mirror_pct > 0
      ? [
          '# The shadow predictor receives the mirrored share of production traffic: run the candidate there while staging is tested.',
          'shadow_candidate() {',
          `  kube patch seldondeployment ${shQuote(sdep)} --type json -p "$(jq -n --arg image "\${SERVER_IMAGE}:$1" '[{op: "replace", path: "/spec/predictors/1/componentSpecs/0/spec/containers/0/image", value: $image}]')" >/dev/null`,
          '}',
          '',
        ]
      : noShadow),
    `# Seldon canary: add the candidate as predictor "canary" (${weights[0]} % of traffic) beside "stable"; Argo CD ignores /spec/predictors in prod.`,
    'release_begin() {',
    '  local patch',
    `  patch="$(jq --arg image "\${SERVER_IMAGE}:$1" '.componentSpecs[0].spec.containers[0].image = $image | [{op: "add", path: "/spec/predictors/-", value: .}, {op: "replace", path: "/spec/predictors/0/traffic", value: (100 - .traffic)}]' "$CANARY_PREDICTOR_FILE")"`,
    `  kube patch seldondeployment ${shQuote(sdep)} --type json -p "$patch" >/dev/null`,
    '}',
    '',
    'seldon_weight() {',
    `  kube patch seldondeployment ${shQuote(sdep)} --type json -p "$(jq -n --argjson w "$1" '[{op: "replace", path: "/spec/predictors/0/traffic", value: (100 - $w)}, {op: "replace", path: "/spec/predictors/${canaryIndex}/traffic", value: $w}]')" >/dev/null`,
    '}',
    '',
    'seldon_rollback() {',
    `  kube patch seldondeployment ${shQuote(sdep)} --type json -p ${jsonArg([{ op: 'remove', path: `/spec/predictors/${canaryIndex}` }, { op: 'replace', path: '/spec/predictors/0/traffic', value: 100 }])} >/dev/null`,
    '  die "analysis failed: the canary predictor is removed, stable serves 100 %; git revert the prod commit (docs/runbooks/rollback.md)"',
    '}',
    '',
    'release_steps() {',
    ...stepLines(plan, shQuote(seldonWorkloadName(plan, 'canary')), 'seldon_rollback', (w) => `  seldon_weight ${w}`),
    `  # Promoted: stable takes the candidate image and 100 %, the canary predictor (${SELDON_UNIT} container) goes.`,
    `  kube patch seldondeployment ${shQuote(sdep)} --type json -p "$(jq -n --arg image "\${SERVER_IMAGE}:$1" '[{op: "replace", path: "${image0}", value: $image}, {op: "replace", path: "/spec/predictors/0/traffic", value: 100}, {op: "remove", path: "/spec/predictors/${canaryIndex}"}]')" >/dev/null`,
    '}',
    '',
  );
  return lines;
}
