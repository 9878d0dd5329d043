import { artifact, type Artifact } from '../../artifacts/artifact.js';
import { toToml } from '../../generators/serializers/toml.js';
import type { ResolvedSpec } from '../../spec/resolve.js';
import { LAYOUT } from '../common.js';
import type { PyPlan, PyUpstream } from './derive.js';
import { performanceRunbook } from './document.js';
import { cachePy, dataioPy, errorsPy, loggingPy, packageInitPy } from './python/package.js';
import { pyprojectObject } from './pyproject.js';
import { conftestPy, integrationPy, integrationTrainingPy, performancePy, qualityPy, supportPy, unitTrainingStepsPy, unitTransformationsPy, unitUtilitiesPy } from './python/tests.js';

const PHASE = 'python_pro';

export function buildArtifacts(spec: ResolvedSpec, up: PyUpstream, plan: PyPlan): Artifact[] {
  const root = LAYOUT.pythonRoot;
  const pkgDir = `${root}/src/${plan.pkg}`;
  const ml = up.ml_engineer;
  return [
    // kind toml for now: the project's own pytest suite needs a trained model for two of its layers.
    artifact(PHASE, `${root}/pyproject.toml`, 'python-project', toToml(pyprojectObject(spec, ml, plan.pkg, plan.decisions.python_version))),
    artifact(PHASE, `${pkgDir}/__init__.py`, 'python', packageInitPy(spec, plan)),
    artifact(PHASE, `${pkgDir}/errors.py`, 'python', errorsPy()),
    artifact(PHASE, `${pkgDir}/logging_utils.py`, 'python', loggingPy(plan, spec)),
    artifact(PHASE, `${pkgDir}/cache.py`, 'python', cachePy(plan)),
    artifact(PHASE, `${pkgDir}/dataio.py`, 'python', dataioPy(plan, spec)),
    artifact(PHASE, `${root}/tests/support.py`, 'python', supportPy(spec, plan)),
    artifact(PHASE, `${root}/tests/conftest.py`, 'python', conftestPy()),
    artifact(PHASE, `${root}/tests/unit/test_transformations.py`, 'python', unitTransformationsPy(plan, ml.training.sample_rows)),
    artifact(PHASE, `${root}/tests/unit/test_utilities.py`, 'python', unitUtilitiesPy()),
    artifact(PHASE, `${root}/tests/unit/test_training_steps.py`, 'python', unitTrainingStepsPy()),
    artifact(PHASE, `${root}/tests/integration/test_pipeline_components.py`, 'python', integrationPy(ml)),
    artifact(PHASE, `${root}/tests/integration/test_training_run.py`, 'python', integrationTrainingPy()),
    artifact(PHASE, `${root}/tests/quality/test_model_quality.py`, 'python', qualityPy(spec, plan)),
    artifact(PHASE, `${root}/tests/performance/test_budgets.py`, 'python', performancePy(plan, ml)),
    artifact(PHASE, `${LAYOUT.runbooks}/performance.md`, 'markdown', performanceRunbook(spec, up, plan)),
  ];
}
