import { z } from 'zod';
import { ENGINE_NAMES } from '../engines/names.js';
import { OPTION_DESCRIPTIONS, OPTION_VALUES } from './options.js';

// Identifiers become Python names, SQL columns, Kubernetes label values and Terraform names, so they are
// restricted rather than escaped everywhere.
export const identifier = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, 'use lower_snake_case: a letter, then letters, digits or _ (at most 63 characters)');

export const slug = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,38}[a-z0-9]$/, 'use a lowercase slug: letters, digits and -, 2 to 40 characters, starting with a letter');

// Kubernetes namespace names are DNS-1123 labels.
export const dnsLabel = z
  .string()
  .regex(/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/, 'use a DNS-1123 label: lowercase letters, digits and -, at most 63 characters');

const freeText = (max: number) => z.string().max(max, `at most ${max} characters`);

export const PROBLEM_TYPES = [
  'binary_classification',
  'multiclass_classification',
  'regression',
  'ranking',
  'forecasting',
  'anomaly_detection',
  'recommendation',
] as const;
export type ProblemType = (typeof PROBLEM_TYPES)[number];

export const SOURCE_KINDS = [
  'postgres',
  'mysql',
  's3',
  'gcs',
  'azure_blob',
  'bigquery',
  'snowflake',
  'kafka',
  'kinesis',
  'api',
  'file',
] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export const INGESTION_MODES = ['batch', 'cdc', 'stream'] as const;
export const FEATURE_TYPES = ['numeric', 'integer', 'categorical', 'boolean', 'text', 'timestamp'] as const;
export type FeatureType = (typeof FEATURE_TYPES)[number];

export const ProblemSchema = z
  .strictObject({
    type: z.enum(PROBLEM_TYPES).default('binary_classification').describe('Kind of ML problem; drives algorithm and metric choice'),
    target: identifier.default('label').describe('Name of the target (label) column'),
    primary_metric: identifier
      .optional()
      .describe('Metric that decides promotion (e.g. roc_auc, rmse); derived from the problem type when absent'),
    baseline_metric: z
      .number()
      .finite()
      .optional()
      .describe('Value of the primary metric achieved by the current system or a simple heuristic; the model must meet or beat it'),
    positive_rate: z
      .number()
      .gt(0)
      .lt(1)
      .optional()
      .describe('Share of positive labels for classification (class balance); below 0.05 the metric switches to PR-AUC'),
    label_delay_hours: z
      .number()
      .min(0)
      .max(24 * 90)
      .default(24)
      .describe('Hours until ground-truth labels arrive after a prediction; drives concept-drift monitoring'),
  })
  .describe('The ML problem');

export const SourceSchema = z
  .strictObject({
    name: identifier.describe('Source name, lower_snake_case'),
    kind: z.enum(SOURCE_KINDS).describe('Kind of source system'),
    ingestion: z
      .enum(INGESTION_MODES)
      .optional()
      .describe('Ingestion mode; derived from the kind when absent (CDC for OLTP databases, stream for Kafka/Kinesis, incremental batch otherwise)'),
    rows_per_day: z.number().int().min(1).max(1e12).default(1_000_000).describe('Rows (events, records) arriving per day'),
    description: freeText(500).optional().describe('What the source holds'),
  })
  .describe('A source system feeding the pipeline');

export const FeatureSchema = z
  .strictObject({
    name: identifier.describe('Feature (column) name, lower_snake_case'),
    type: z.enum(FEATURE_TYPES).describe('Feature type; drives transformation, validation and drift test'),
    nullable: z.boolean().default(false).describe('Whether missing values are expected'),
    min: z.number().finite().optional().describe('Lowest valid value (numeric and integer features)'),
    max: z.number().finite().optional().describe('Highest valid value (numeric and integer features)'),
    categories: z
      .array(freeText(100).min(1))
      .max(1000)
      .optional()
      .describe('Allowed values (categorical features)'),
    source: identifier.optional().describe('Name of the source the feature comes from; the first source when absent'),
    protected: z
      .boolean()
      .default(false)
      .describe('A protected attribute (e.g. age group, gender): used for bias checks, never as a model input'),
  })
  .superRefine((f, ctx) => {
    if (f.min !== undefined && f.max !== undefined && f.min > f.max) {
      ctx.addIssue({ code: 'custom', path: ['min'], message: `min (${f.min}) must not exceed max (${f.max})` });
    }
  })
  .describe('A model feature');

export const RetentionSchema = z
  .strictObject({
    raw_days: z.number().int().min(1).max(3650).optional().describe('Days to keep raw data; derived from volume when absent'),
    processed_days: z.number().int().min(1).max(3650).optional().describe('Days to keep processed data; derived when absent'),
    features_days: z.number().int().min(1).max(3650).optional().describe('Days to keep offline feature data; derived when absent'),
  })
  .describe('Retention overrides per storage layer');

export const DataSchema = z
  .strictObject({
    sources: z.array(SourceSchema).min(1, 'at least one source').max(200).optional().describe('Source systems; inferred from the requirements when absent'),
    entity_key: identifier.default('entity_id').describe('Column identifying the entity a prediction is about'),
    event_timestamp: identifier.default('event_timestamp').describe('Column holding the event time'),
    features: z.array(FeatureSchema).min(1, 'at least one feature').max(5000).optional().describe('Model features; a starter set for the problem type when absent'),
    retention: RetentionSchema.prefault({}),
    versioning: z.enum(['dvc', 'lakefs']).default('dvc').describe('Data versioning tool'),
  })
  .describe('Data sources, features and storage');

// Defaults below are the source document's success criteria.
export const SloSchema = z
  .strictObject({
    p99_latency_ms: z.number().positive().max(600_000).default(200).describe('p99 inference latency target in ms (criterion: < 200 ms)'),
    availability_pct: z.number().min(90).max(99.999).default(99.9).describe('Serving availability target in percent (criterion: 99.9 %)'),
    feature_serving_latency_ms: z.number().positive().max(60_000).default(1000).describe('Online feature serving latency bound in ms (criterion: sub-second)'),
    alert_time_s: z.number().positive().max(3600).default(60).describe('Time from incident to alert in seconds (criterion: < 1 minute)'),
    rollback_minutes: z.number().positive().max(120).default(5).describe('Automated rollback completes within this many minutes (criterion: 5)'),
    max_degradation_pct: z.number().positive().max(100).default(5).describe('Relative drop of the primary metric that triggers retraining, percent (criterion: < 5 %)'),
    drift_detection_window_h: z.number().positive().max(168).default(24).describe('Longest time drift may go undetected, hours (criterion: 24 h)'),
    data_quality_issue_pct: z.number().min(0).max(100).default(0.1).describe('Highest share of records with quality issues in production, percent (criterion: < 0.1 %)'),
    validation_pass_rate_pct: z.number().min(0).max(100).default(99.9).describe('Lowest automated validation pass rate, percent (criterion: 99.9 %)'),
    commit_to_prod_minutes: z.number().positive().max(10_080).default(60).describe('Longest time from commit to production, minutes (criterion: < 1 hour)'),
    max_waste_pct: z.number().min(0).max(100).default(20).describe('Highest share of idle or over-provisioned infrastructure, percent (criterion: < 20 %)'),
    min_spot_pct: z.number().min(0).max(100).default(60).describe('Lowest share of spot/preemptible capacity for interruptible workloads, percent (criterion: > 60 %)'),
  })
  .describe('Service level objectives; defaults are the source document success criteria');

export const ScaleSchema = z
  .strictObject({
    peak_rps: z.number().positive().max(10_000_000).default(100).describe('Peak online prediction requests per second'),
    average_rps: z.number().positive().max(10_000_000).optional().describe('Average requests per second; a third of the peak when absent'),
    batch_size: z.number().int().min(1).max(1e10).default(1_000_000).describe('Rows scored per batch scoring run'),
    training_gpus: z.number().int().min(0).max(1024).default(0).describe('GPUs per training run (0 = CPU training)'),
    serving_gpus: z.number().int().min(0).max(64).default(0).describe('GPUs per serving replica (0 = CPU serving)'),
    training_schedule: z
      .string()
      .regex(/^(@(daily|weekly|monthly|hourly)|(\S+\s+){4}\S+)$/, 'use a five-field cron expression or @daily/@weekly/@monthly/@hourly')
      .default('0 3 * * 0')
      .describe('Scheduled retraining (cron, UTC); drift and degradation can also trigger retraining'),
  })
  .describe('Traffic, batch and compute scale');

export const ExperimentSchema = z
  .strictObject({
    baseline_rate: z
      .number()
      .gt(0)
      .lt(1)
      .optional()
      .describe('Baseline conversion/success rate of the business metric the A/B test measures; the positive rate or 0.1 when absent'),
    minimum_detectable_effect: z
      .number()
      .positive()
      .default(0.1)
      .describe('Smallest effect worth detecting; relative to the baseline rate unless effect_type is absolute'),
    effect_type: z.enum(['relative', 'absolute']).default('relative').describe('How minimum_detectable_effect is expressed'),
    alpha: z.number().gt(0).lt(0.5).default(0.05).describe('Significance level (two-sided)'),
    power: z.number().gt(0.5).lt(1).default(0.8).describe('Statistical power (1 - beta)'),
    treatment_share: z.number().gt(0).lt(1).default(0.5).describe('Share of traffic sent to the treatment'),
  })
  .describe('A/B test design for the model rollout');

export const TeamSchema = z
  .strictObject({
    namespace: dnsLabel.optional().describe('Kubernetes namespace prefix; ml-<name> when absent'),
    owner: freeText(100).min(1).default('ml-platform').describe('Owning team, used for labels and cost allocation'),
    oncall: z.enum(['pagerduty', 'opsgenie']).default('pagerduty').describe('On-call integration for alerts'),
    budget_usd_per_month: z.number().positive().max(1e9).default(20_000).describe('Monthly infrastructure budget in USD for budget alerts'),
  })
  .describe('Owning team, on-call and budget');

export const DeliverySchema = z
  .strictObject({
    ci_platform: z.enum(['github', 'gitlab']).default('github').describe('CI/CD platform: GitHub Actions workflows or a .gitlab-ci.yml'),
    secrets_backend: z
      .enum(['cloud', 'vault'])
      .optional()
      .describe("Where secrets live: the cloud's secrets manager, or HashiCorp Vault; cloud when absent (vault for multi-cloud)"),
  })
  .describe('Delivery: CI/CD platform and secrets backend');

export const OptionsSchema = z
  .strictObject(
    Object.fromEntries(
      Object.entries(OPTION_VALUES).map(([name, values]) => [
        name,
        z.enum(values as unknown as [string, ...string[]]).default(values[0]).describe(OPTION_DESCRIPTIONS[name as keyof typeof OPTION_VALUES]),
      ]),
    ) as {
      [N in keyof typeof OPTION_VALUES]: z.ZodDefault<z.ZodEnum<{ [V in (typeof OPTION_VALUES)[N][number]]: V }>>;
    },
  )
  .describe('The seven configuration options of the source document');

export const SpecSchema = z
  .strictObject({
    name: slug.describe('Pipeline name (slug); used in resource names'),
    requirements: freeText(20_000).min(1, 'describe what the pipeline is for').describe('Free-text requirements (the $ARGUMENTS of the source document)'),
    problem: ProblemSchema.prefault({}),
    data: DataSchema.prefault({}),
    slo: SloSchema.prefault({}),
    scale: ScaleSchema.prefault({}),
    experiment: ExperimentSchema.prefault({}),
    options: OptionsSchema.prefault({}),
    team: TeamSchema.prefault({}),
    delivery: DeliverySchema.prefault({}),
    engine: z
      .enum(ENGINE_NAMES)
      .optional()
      .describe(
        'How phases of this pipeline think unless a call says otherwise: "template" (offline, deterministic), "sampling" (the MCP client\'s model) or "anthropic" (the Anthropic API). The server\'s default when absent. Code, manifests and configuration are the same whatever the engine; an LLM engine adds a review and proposed spec changes to each phase document.',
      ),
  })
  .superRefine((spec, ctx) => {
    const sources = spec.data.sources ?? [];
    const sourceNames = new Set<string>();
    sources.forEach((s, i) => {
      if (sourceNames.has(s.name)) ctx.addIssue({ code: 'custom', path: ['data', 'sources', i, 'name'], message: `duplicate source name "${s.name}"` });
      sourceNames.add(s.name);
    });
    const featureNames = new Set<string>([spec.data.entity_key, spec.data.event_timestamp, spec.problem.target]);
    (spec.data.features ?? []).forEach((f, i) => {
      if (featureNames.has(f.name)) {
        ctx.addIssue({ code: 'custom', path: ['data', 'features', i, 'name'], message: `"${f.name}" is used twice (features, entity key, event timestamp and target need distinct names)` });
      }
      featureNames.add(f.name);
      if (f.source !== undefined && sources.length > 0 && !sourceNames.has(f.source)) {
        ctx.addIssue({ code: 'custom', path: ['data', 'features', i, 'source'], message: `unknown source "${f.source}"; declared sources: ${[...sourceNames].join(', ')}` });
      }
    });
    if (spec.scale.average_rps !== undefined && spec.scale.average_rps > spec.scale.peak_rps) {
      ctx.addIssue({ code: 'custom', path: ['scale', 'average_rps'], message: 'average_rps must not exceed peak_rps' });
    }
  })
  .describe('A pipeline specification');

/** A stored spec: every default filled, inferred fields resolved (see resolveSpec). */
export type Spec = z.output<typeof SpecSchema>;
export type SpecInput = z.input<typeof SpecSchema>;
export type Source = z.output<typeof SourceSchema>;
export type Feature = z.output<typeof FeatureSchema>;
