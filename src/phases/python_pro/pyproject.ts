import type { ResolvedSpec } from '../../spec/resolve.js';
import type { MlEngineerDecisions } from '../ml_engineer/decisions.js';

/** A runtime dependency and why the project has it (the document lists the reasons). */
export interface Dependency {
  requirement: string;
  why: string;
}

const MEMBER_LIBS: [RegExp, string][] = [
  [/xgb|xgboost/i, 'xgboost>=1.7'],
  [/lightgbm|lgbm/i, 'lightgbm>=4.0'],
  [/catboost/i, 'catboost>=1.2'],
  [/prophet/i, 'prophet>=1.1'],
  [/\bals\b|implicit|matrix[-_ ]?factori/i, 'implicit>=0.7'],
  [/torch|neural|mlp|lstm|transformer|two[-_ ]?tower|tft|deepar/i, 'torch>=2.1'],
  [/arima|ets\b|exponential/i, 'statsmodels>=0.14'],
];

const TRACKING_LIBS: Record<string, string> = { mlflow: 'mlflow>=2.9', wandb: 'wandb>=0.16', neptune: 'neptune>=1.8', clearml: 'clearml>=1.14' };
const ORCHESTRATION_LIBS: Record<string, string[]> = {
  kubeflow: ['kfp>=2.4'],
  airflow: ['apache-airflow>=2.8', 'apache-airflow-providers-cncf-kubernetes>=7.0'],
  prefect: ['prefect>=2.16'],
  dagster: ['dagster>=1.6', 'dagster-k8s>=0.22'],
};

const FEATURE_STORE_LIBS: Record<string, string[]> = {
  feast: ['feast>=0.40'],
  tecton: ['tecton>=0.9'],
  databricks: ['databricks-feature-engineering>=0.6', 'databricks-sdk>=0.20'],
  custom: ['redis>=5'],
};

/** Optional groups: SDKs the generated code imports lazily, behind adapters with local fallbacks. */
export interface OptionalGroups {
  orchestration: string[];
  'feature-store': string[];
  'data-quality': string[];
  lineage: string[];
  state: string[];
  streaming?: string[];
}

/** The serving app exists for every deployment mode but batch (serving/app.py). */
function servesOnline(spec: ResolvedSpec): boolean {
  return spec.options.deployment_mode !== 'batch';
}

function streamLibrary(spec: ResolvedSpec): string {
  return spec.data.sources.find((s) => s.kind === 'kafka' || s.kind === 'kinesis')?.kind === 'kinesis' ? 'boto3>=1.28' : 'kafka-python>=2.0';
}

export function dependencies(spec: ResolvedSpec, ml: MlEngineerDecisions): { runtime: Dependency[]; orchestration: string[]; optional: OptionalGroups; dev: string[] } {
  const runtime: Dependency[] = [
    { requirement: 'numpy>=1.24', why: 'arrays' },
    { requirement: 'scipy>=1.10', why: 'drift monitor statistics (observability/drift.py)' },
    { requirement: 'pandas>=1.5', why: 'frames, nullable and category dtypes' },
    { requirement: 'pyarrow>=14', why: 'columnar Parquet reads in chunks, Arrow strings' },
    { requirement: 'scikit-learn>=1.2', why: `${ml.cross_validation.strategy} folds, metrics` },
    { requirement: 'PyYAML>=6', why: 'reads configs/training.yaml' },
    { requirement: 'pydantic>=1.10,<3', why: 'record models per source (data/models.py) and the serving request schema' },
    { requirement: 'prometheus-client>=0.16', why: 'metrics of the serving app and the jobs (observability/instrumentation.py)' },
  ];
  if (servesOnline(spec)) {
    runtime.push({ requirement: 'fastapi>=0.92', why: 'the serving app (serving/app.py)' }, { requirement: 'uvicorn>=0.20', why: 'ASGI server of the serving app' });
  }
  const seen = new Set(runtime.map((d) => d.requirement));
  for (const member of ml.ensemble.members) {
    const lib = MEMBER_LIBS.find(([re]) => re.test(member))?.[1];
    if (lib && !seen.has(lib)) {
      seen.add(lib);
      runtime.push({ requirement: lib, why: `ensemble member ${member}` });
    }
  }
  if (ml.distributed.enabled && !seen.has('torch>=2.1')) runtime.push({ requirement: 'torch>=2.1', why: `torchrun launcher for ${ml.distributed.workers}×${ml.distributed.gpus_per_worker} GPUs` });
  if (ml.hpo.tool === 'ray_tune') runtime.push({ requirement: 'ray[tune]>=2.9', why: 'Ray Tune HPO, one trial per GPU' });
  runtime.push({ requirement: 'optuna>=3.1', why: ml.hpo.tool === 'ray_tune' ? 'TPE sampler behind Ray OptunaSearch' : 'HPO with TPE and pruning' });
  if (ml.hpo.tool === 'optuna') runtime.push({ requirement: 'psycopg2-binary>=2.9', why: 'Optuna RDB storage shared by parallel trial pods' });
  const tracking = TRACKING_LIBS[spec.options.experiment_tracking];
  if (tracking) runtime.push({ requirement: tracking, why: `experiment tracking and registry (${spec.options.experiment_tracking})` });
  const orchestration = ORCHESTRATION_LIBS[spec.options.orchestration] ?? [];
  const optional: OptionalGroups = {
    orchestration,
    'feature-store': FEATURE_STORE_LIBS[spec.options.feature_store] ?? [],
    'data-quality': ['great_expectations>=0.18,<1'],
    lineage: ['openlineage-python>=1.0'],
    state: ['fsspec>=2023.1'],
  };
  if (spec.options.deployment_mode === 'streaming') optional.streaming = [streamLibrary(spec)];
  return {
    runtime,
    orchestration,
    optional,
    dev: ['pytest>=7.2', 'httpx>=0.23', 'ruff>=0.4', 'mypy>=1.8', 'py-spy>=0.3', 'types-PyYAML>=6'],
  };
}

/** pyproject.toml as a typed object (serialized with toToml). */
/** Triton's Python backend runs the package in its stub's interpreter: CPython 3.10 in the tritonserver 24.08 image. */
export const TRITON_STUB_PYTHON = '3.10';

/** The oldest Python the package must run on: the development version, or Triton's stub interpreter when it serves. */
export function oldestPython(spec: ResolvedSpec, pythonVersion: string): string {
  return spec.options.serving_platform === 'triton' && spec.options.deployment_mode !== 'batch' ? TRITON_STUB_PYTHON : pythonVersion;
}

export function pyprojectObject(spec: ResolvedSpec, ml: MlEngineerDecisions, pkg: string, pythonVersion: string): Record<string, unknown> {
  const deps = dependencies(spec, ml);
  const untyped = ['sklearn', 'pyarrow', 'xgboost', 'lightgbm', 'catboost', 'prophet', 'implicit', 'optuna', 'ray', 'mlflow', 'wandb', 'neptune', 'clearml', 'kfp', 'airflow', 'prefect', 'dagster', 'kubernetes', 'pendulum', 'great_expectations', 'openlineage', 'fsspec', 'feast', 'tecton', 'databricks', 'redis', 'kafka', 'boto3', 'uvicorn'];
  return {
    'build-system': { requires: ['setuptools>=68', 'wheel'], 'build-backend': 'setuptools.build_meta' },
    project: {
      name: spec.name,
      version: '0.1.0',
      description: `Training, registry and utilities of the ${spec.name} ML pipeline`,
      'requires-python': `>=${oldestPython(spec, pythonVersion)}`,
      authors: [{ name: spec.team.owner }],
      dependencies: deps.runtime.map((d) => d.requirement),
      'optional-dependencies': { ...deps.optional, dev: deps.dev },
      scripts: {
        [`${spec.name}-train`]: `${pkg}.training.__main__:main`,
        [`${spec.name}-promote`]: `${pkg}.registry.promotion:main`,
      },
    },
    tool: {
      setuptools: { 'package-dir': { '': 'src' }, packages: { find: { where: ['src'] } } },
      ruff: {
        'line-length': 160,
        'target-version': `py${oldestPython(spec, pythonVersion).replace('.', '')}`,
        src: ['src', 'tests'],
        lint: {
          select: ['E', 'F', 'W', 'I', 'B', 'UP', 'N', 'SIM', 'RUF', 'PL', 'PT'],
          // Many keyword arguments and literal thresholds are the nature of ML configuration and budget tests.
          ignore: ['PLR0913', 'PLR2004'],
        },
      },
      mypy: {
        python_version: oldestPython(spec, pythonVersion),
        strict: true,
        mypy_path: 'src',
        packages: [pkg],
        warn_unreachable: true,
        overrides: [{ module: untyped.map((m) => `${m}.*`), ignore_missing_imports: true }],
      },
      pytest: {
        ini_options: {
          minversion: '7.2',
          testpaths: ['tests'],
          pythonpath: ['src', 'tests'],
          addopts: '-ra --strict-markers',
          markers: [
            'unit: data transformations and utilities, no I/O',
            'integration: pipeline components together, offline backends',
            'quality: invariance and directional tests on a trained model',
            'performance: latency, throughput and memory budgets',
          ],
        },
      },
    },
  };
}
