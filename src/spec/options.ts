// The seven configuration options, with exactly the values of the source document
// (../shared/seed/ml-pipeline.en.md, "Configuration options"). The first value of each is the default.
export const OPTION_VALUES = {
  experiment_tracking: ['mlflow', 'wandb', 'neptune', 'clearml'],
  feature_store: ['feast', 'tecton', 'databricks', 'custom'],
  serving_platform: ['kserve', 'seldon', 'torchserve', 'triton'],
  orchestration: ['kubeflow', 'airflow', 'prefect', 'dagster'],
  cloud_provider: ['aws', 'azure', 'gcp', 'multi-cloud'],
  deployment_mode: ['realtime', 'batch', 'streaming', 'hybrid'],
  monitoring_stack: ['prometheus', 'datadog', 'newrelic', 'custom'],
} as const;

export type OptionName = keyof typeof OPTION_VALUES;
export type OptionValue<N extends OptionName> = (typeof OPTION_VALUES)[N][number];
export type Options = { [N in OptionName]: OptionValue<N> };

export const OPTION_NAMES = Object.keys(OPTION_VALUES) as OptionName[];

export const OPTION_DESCRIPTIONS: Record<OptionName, string> = {
  experiment_tracking: 'Experiment tracking and model registry backend',
  feature_store: 'Feature store for offline training data and online serving',
  serving_platform: 'Model serving platform on Kubernetes',
  orchestration: 'Workflow orchestrator for training, batch scoring and retraining',
  cloud_provider: 'Cloud the platform runs on (multi-cloud spans two clouds behind one interface)',
  deployment_mode: 'How predictions are served: online, scheduled batch, stream consumer, or online + batch',
  monitoring_stack: 'Metrics, dashboards and alerting backend',
};
