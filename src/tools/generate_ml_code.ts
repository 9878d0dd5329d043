import { generatorTool } from './generator_tool.js';

/**
 * The generators of the pipeline's Python project (ml/) and its data and feature definitions: each returns one
 * concern's slice of the bundle. The whole project (pyproject.toml, shared utilities, every test layer) comes
 * with export_bundle; these slices are for reading and reviewing one part.
 */
const PACKAGE = String.raw`^ml\/src\/[^/]+\/`;

export function isDataValidationFile(path: string): boolean {
  return new RegExp(`${PACKAGE}data\\/`).test(path) || /^data\/(schemas|expectations|contracts)\//.test(path) || path.startsWith('ml/tests/data/');
}

export function isFeatureStoreFile(path: string): boolean {
  return path.startsWith('features/') || new RegExp(`${PACKAGE}features\\/`).test(path) || path.startsWith('experiments/');
}

export function isTrainingPipelineFile(path: string): boolean {
  return (
    new RegExp(`${PACKAGE}(training|registry)\\/`).test(path) ||
    new RegExp(`${PACKAGE}(sample_data|steps)\\.py$`).test(path) ||
    path.startsWith('ml/configs/') ||
    path.startsWith('ml/pipelines/') ||
    path.startsWith('ml/tests/integration/') ||
    path === 'scripts/rollback_model.sh'
  );
}

export function isServingAppFile(path: string): boolean {
  return new RegExp(`${PACKAGE}serving\\/`).test(path) || path.startsWith('ml/tests/serving/');
}

export const generateDataValidation = generatorTool({
  name: 'generate_data_validation',
  title: 'Generate the data validation code',
  description:
    "Returns the data layer's code and contracts: JSON schemas and pydantic models per source, a Great Expectations suite per source with a pandas runner that applies the same suite where Great Expectations is not installed, incremental/CDC loading with watermarks, OpenLineage events, the profiling job and the quality gates, with their tests. Give pipeline_id (files stored with the pipeline) or an inline spec/requirements (nothing stored).",
  phase: 'data_engineer',
  select: isDataValidationFile,
  summary: (files) => `Data validation: ${files.length} files`,
  checkedBy: '/usr/bin/python3 -m py_compile for the Python, JSON and YAML parsers for the suites and schemas; the generated pytest suite runs them on sample data',
});

export const generateFeatureStore = generatorTool({
  name: 'generate_feature_store',
  title: 'Generate the feature store and transformations',
  description:
    "Returns the feature layer for the spec's feature_store: a Feast repository (feature_store.yaml with online/offline stores per cloud, entities, feature views, feature services), Tecton or Databricks Feature Engineering definitions, or a Redis-backed store for custom; the feature transformations built from the declared feature types, the statistical validation rules, the A/B test plan and the bias checks. Give pipeline_id (files stored with the pipeline) or an inline spec/requirements (nothing stored).",
  phase: 'data_scientist',
  select: isFeatureStoreFile,
  summary: (files) => `Feature store: ${files.length} files`,
  checkedBy: '/usr/bin/python3 -m py_compile for the Python, the YAML parser and yamllint for the store configuration',
});

export const generateTrainingPipeline = generatorTool({
  name: 'generate_training_pipeline',
  title: 'Generate the training pipeline',
  description:
    "Returns the training package: interfaces (load, preprocess, train, evaluate with cross-validation, ensemble), the concrete steps for the chosen algorithms with a scikit-learn ColumnTransformer, the seeded sample-data generator, one typed configuration file, Optuna HPO (Ray Tune when chosen), the tracking adapter for experiment_tracking with a local file backend, registry promotion dev → staging → prod behind a comparison gate, the rollback script and the orchestration pipeline for the spec's orchestration. Give pipeline_id (files stored with the pipeline) or an inline spec/requirements (nothing stored).",
  phase: 'ml_engineer',
  select: isTrainingPipelineFile,
  summary: (files) => `Training pipeline: ${files.length} files`,
  checkedBy: '/usr/bin/python3 -m py_compile, shellcheck for the rollback script; the generated pytest suite trains on sample data and checks the model beats the baseline',
});

export const generateServingApp = generatorTool({
  name: 'generate_serving_app',
  title: 'Generate the serving app',
  description:
    "Returns the serving code for the spec's deployment_mode: a FastAPI app with /predict, /predict/batch, /health, /ready and /metrics (the Prometheus series the alert rules use), request validation from the feature schema and the model loaded once at start-up; the batch prediction job; the Kafka/Kinesis consumer for streaming; and their tests. Give pipeline_id (files stored with the pipeline) or an inline spec/requirements (nothing stored).",
  phase: 'mlops_engineer',
  select: isServingAppFile,
  summary: (files) => `Serving app: ${files.length} files`,
  checkedBy: '/usr/bin/python3 -m py_compile; the generated pytest suite drives the app with a test client',
});
