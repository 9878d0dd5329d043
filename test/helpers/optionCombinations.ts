import type { Options } from '../../src/spec/options.js';

/**
 * Four whole-bundle combinations that use every value of every option once (a Latin square, rows below).
 * Batch mode deploys no model server and no online alerts, so the batch row carries the defaults of the options
 * whose files it would leave out (serving platform, monitoring stack, feature store): each of their other values
 * runs beside a mode that serves online. The default bundle (realtime, prometheus), validated by bundle.test.ts,
 * completes the set of files: e.g. the serving dashboard of a Grafana-based stack. Each option's column is a different permutation, so the values meet
 * different neighbours; with seven options and four rows one pair must keep a fixed offset, and it is
 * experiment_tracking with cloud_provider, which share no files. optionCombinations.test.ts checks all of this.
 */
export const OPTION_COMBINATIONS: readonly Options[] = [
  { deployment_mode: 'realtime', serving_platform: 'seldon', monitoring_stack: 'newrelic', feature_store: 'tecton', experiment_tracking: 'neptune', orchestration: 'airflow', cloud_provider: 'multi-cloud' },
  { deployment_mode: 'batch', serving_platform: 'kserve', monitoring_stack: 'prometheus', feature_store: 'feast', experiment_tracking: 'mlflow', orchestration: 'prefect', cloud_provider: 'azure' },
  { deployment_mode: 'streaming', serving_platform: 'torchserve', monitoring_stack: 'custom', feature_store: 'custom', experiment_tracking: 'wandb', orchestration: 'kubeflow', cloud_provider: 'gcp' },
  { deployment_mode: 'hybrid', serving_platform: 'triton', monitoring_stack: 'datadog', feature_store: 'databricks', experiment_tracking: 'clearml', orchestration: 'dagster', cloud_provider: 'aws' },
];

/** The options whose defaults the batch row keeps: batch mode leaves their online files out. */
export const ONLINE_OPTIONS = ['serving_platform', 'monitoring_stack', 'feature_store'] as const;
