import { shQuote } from '../../generators/serializers/shell.js';
import type { ResolvedSpec } from '../../spec/resolve.js';
import { workloadNames, workloadNamespaces } from '../mlops_engineer/naming.js';
import type { MlPlan } from './derive.js';

/** Where the model server runs: the names the deployment phase gives it (shared naming module). */
export function servingTarget(spec: ResolvedSpec): { namespace: string; deployment: string } {
  return { namespace: workloadNamespaces(spec).serving, deployment: workloadNames(spec).modelServer };
}

/** How the rollback budget (slo.rollback_minutes) is split between the three steps of the procedure. */
export interface RollbackBudget {
  totalSeconds: number;
  aliasSeconds: number;
  restartSeconds: number;
  verifySeconds: number;
}

export function rollbackBudget(minutes: number): RollbackBudget {
  const totalSeconds = Math.round(minutes * 60);
  const aliasSeconds = Math.max(5, Math.round(totalSeconds * 0.1));
  const verifySeconds = Math.max(10, Math.round(totalSeconds * 0.2));
  return { totalSeconds, aliasSeconds, verifySeconds, restartSeconds: Math.max(10, totalSeconds - aliasSeconds - verifySeconds) };
}

/** scripts/rollback_model.sh: registry alias back to the previous prod version, rolling restart, verification, all within the budget. */
export function rollbackScript(spec: ResolvedSpec, plan: MlPlan, envPrefix: string): string {
  const b = rollbackBudget(spec.slo.rollback_minutes);
  return `#!/usr/bin/env bash
# Rolls the production model of ${spec.name} back to the previous registry version within ${spec.slo.rollback_minutes} minute(s)
# (slo.rollback_minutes): ${b.aliasSeconds} s registry alias switch, ${b.restartSeconds} s rolling restart, ${b.verifySeconds} s verification.
# Serving resolves the prod alias when a replica starts (the model is loaded once per process), so a rolling
# restart picks up the restored version. Usage: scripts/rollback_model.sh [--to VERSION] [--reason TEXT] [--dry-run]
set -euo pipefail

readonly DEFAULT_MODEL=${shQuote(plan.decisions.registry.model_name)}
readonly DEFAULT_NAMESPACE=${shQuote(servingTarget(spec).namespace)}
readonly DEFAULT_DEPLOYMENT=${shQuote(servingTarget(spec).deployment)}
readonly PACKAGE=${shQuote(plan.pkg)}
readonly BUDGET_SECONDS=${b.totalSeconds}
readonly VERIFY_SECONDS=${b.verifySeconds}

model="\${MODEL_NAME:-$DEFAULT_MODEL}"
namespace="\${SERVING_NAMESPACE:-$DEFAULT_NAMESPACE}"
deployment="\${SERVING_DEPLOYMENT:-$DEFAULT_DEPLOYMENT}"
registry="\${${envPrefix}_REGISTRY:-}"
to_version=""
reason="manual rollback"
dry_run=0

usage() {
  printf 'usage: %s [--to VERSION] [--reason TEXT] [--dry-run]\\n' "$0"
}

while [ "$#" -gt 0 ]; do
  case "$1" in
    --to)
      to_version="\${2:?--to needs a version}"
      shift 2
      ;;
    --reason)
      reason="\${2:?--reason needs a text}"
      shift 2
      ;;
    --dry-run)
      dry_run=1
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      printf 'unknown argument: %s\\n' "$1" >&2
      usage >&2
      exit 2
      ;;
  esac
done

started=$(date +%s)
elapsed() {
  echo $(($(date +%s) - started))
}

args=(-m "$PACKAGE.registry.promotion" --model "$model")
if [ -n "$registry" ]; then
  args+=(--registry "$registry")
fi
args+=(rollback --reason "$reason")
if [ -n "$to_version" ]; then
  args+=(--to "$to_version")
fi

if [ "$dry_run" -eq 1 ]; then
  printf 'would run: python3'
  printf ' %q' "\${args[@]}"
  printf '\\nwould restart deployment/%s in namespace %s\\n' "$deployment" "$namespace"
  exit 0
fi

restored=$(python3 "\${args[@]}")
printf 'registry: %s prod -> version %s after %ss\\n' "$model" "$restored" "$(elapsed)"

kubectl --namespace "$namespace" rollout restart "deployment/$deployment"
remaining=$((BUDGET_SECONDS - VERIFY_SECONDS - $(elapsed)))
if [ "$remaining" -lt 1 ]; then
  remaining=1
fi
kubectl --namespace "$namespace" rollout status "deployment/$deployment" --timeout="\${remaining}s"

# Verification: every ready replica serves; the budget check is the SLO.
ready=$(kubectl --namespace "$namespace" get "deployment/$deployment" -o jsonpath='{.status.readyReplicas}')
total=$(elapsed)
printf 'serving: %s ready replica(s) of %s after %ss (budget %ss)\\n' "\${ready:-0}" "$deployment" "$total" "$BUDGET_SECONDS"
if [ "$total" -gt "$BUDGET_SECONDS" ]; then
  printf 'rollback exceeded its %ss budget\\n' "$BUDGET_SECONDS" >&2
  exit 1
fi
`;
}
