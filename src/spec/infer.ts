import type { ProblemType, SourceKind } from './schema.js';

/**
 * Reads structured hints out of free-text requirements, so that "fraud scoring on Kafka events, p99 under
 * 50 ms at 2k rps" yields a spec with those values. Structured fields always win over what is read here;
 * the caller reports which fields were inferred so the user can correct them.
 */
export interface Inference {
  patch: DeepPartialSpec;
  inferred: string[];
}

export type DeepPartialSpec = {
  problem?: { type?: ProblemType };
  data?: { sources?: { name: string; kind: SourceKind; rows_per_day?: number }[] };
  slo?: { p99_latency_ms?: number; availability_pct?: number };
  scale?: { peak_rps?: number; training_gpus?: number; serving_gpus?: number };
  options?: Record<string, string>;
  delivery?: Record<string, string>;
};

const PROBLEM_KEYWORDS: [ProblemType, RegExp][] = [
  ['forecasting', /\b(forecast\w*|demand planning|time[- ]series|predict (?:future )?(?:sales|demand))\b/i],
  ['recommendation', /\b(recommend\w*|recommender|next[- ]best|collaborative filtering|personali[sz]ed (?:feed|offers))\b/i],
  ['ranking', /\b(ranking|rank (?:results|items)|search relevance|learning[- ]to[- ]rank|re-?rank\w*)\b/i],
  ['anomaly_detection', /\b(anomal\w*|outlier detection|intrusion|unusual behaviou?r)\b/i],
  ['multiclass_classification', /\b(multi-?class|classify (?:\w+ ){0,3}into|categori[sz]e (?:\w+ ){0,3}into|topic classification|intent classification)\b/i],
  ['regression', /\b(regression|estimate (?:[\w-]+ ){0,3}(?:price|value|duration|time|amount|cost)s?|price prediction|predict (?:[\w-]+ ){0,3}(?:price|value|duration|revenue|amount|lifetime value|ltv|time)s?)\b/i],
  ['binary_classification', /\b(fraud|churn|default|spam|click[- ]through|ctr|conversion|propensity|binary|detect\w*|yes\/no)\b/i],
];

const SOURCE_KEYWORDS: [SourceKind, RegExp][] = [
  ['postgres', /\b(postgres(?:ql)?|aurora postgres)\b/i],
  ['mysql', /\b(mysql|mariadb)\b/i],
  ['kafka', /\b(kafka|confluent|msk)\b/i],
  ['kinesis', /\bkinesis\b/i],
  ['snowflake', /\bsnowflake\b/i],
  ['bigquery', /\bbig ?query\b/i],
  ['s3', /\b(s3|data lake on aws)\b/i],
  ['gcs', /\b(gcs|google cloud storage)\b/i],
  ['azure_blob', /\b(azure blob|adls|data lake storage)\b/i],
  ['api', /\b(rest api|third[- ]party api|webhook)\b/i],
  ['file', /\b(csv|parquet files?|sftp)\b/i],
];

const OPTION_KEYWORDS: [string, string, RegExp][] = [
  ['experiment_tracking', 'wandb', /\b(w&b|wandb|weights (?:and|&) biases)\b/i],
  ['experiment_tracking', 'neptune', /\bneptune\b/i],
  ['experiment_tracking', 'clearml', /\bclearml\b/i],
  ['experiment_tracking', 'mlflow', /\bmlflow\b/i],
  ['feature_store', 'tecton', /\btecton\b/i],
  ['feature_store', 'databricks', /\bdatabricks\b/i],
  ['feature_store', 'feast', /\bfeast\b/i],
  ['serving_platform', 'seldon', /\bseldon\b/i],
  ['serving_platform', 'torchserve', /\btorch ?serve\b/i],
  ['serving_platform', 'triton', /\btriton\b/i],
  ['serving_platform', 'kserve', /\bkserve\b/i],
  ['orchestration', 'airflow', /\bairflow\b/i],
  ['orchestration', 'prefect', /\bprefect\b/i],
  ['orchestration', 'dagster', /\bdagster\b/i],
  ['orchestration', 'kubeflow', /\bkubeflow\b/i],
  ['cloud_provider', 'multi-cloud', /\b(multi-?cloud|hybrid cloud)\b/i],
  ['cloud_provider', 'gcp', /\b(gcp|google cloud|gke)\b/i],
  ['cloud_provider', 'azure', /\b(azure|aks)\b/i],
  ['cloud_provider', 'aws', /\b(aws|amazon web services|eks)\b/i],
  ['deployment_mode', 'hybrid', /\b(online and batch|batch and (?:online|real-?time)|real-?time and batch)\b/i],
  ['deployment_mode', 'streaming', /\b(stream(?:ing)? (?:scoring|inference|predictions?)|score (?:events|the stream))\b/i],
  ['deployment_mode', 'batch', /\b(batch (?:scoring|predictions?|inference)|nightly scor\w*)\b/i],
  ['deployment_mode', 'realtime', /\b(real-?time|online (?:scoring|inference|predictions?)|low[- ]latency)\b/i],
  ['monitoring_stack', 'datadog', /\bdatadog\b/i],
  ['monitoring_stack', 'newrelic', /\bnew ?relic\b/i],
  ['monitoring_stack', 'prometheus', /\b(prometheus|grafana)\b/i],
];

function parseQuantity(num: string, suffix: string | undefined): number {
  const n = Number(num.replace(/,/g, ''));
  const s = (suffix ?? '').toLowerCase();
  if (s === 'k' || s === 'thousand') return n * 1e3;
  if (s === 'm' || s === 'million' || s === 'mm') return n * 1e6;
  if (s === 'b' || s === 'billion') return n * 1e9;
  return n;
}

export function inferFromRequirements(text: string): Inference {
  const inferred: string[] = [];
  const patch: DeepPartialSpec = {};

  const problem = PROBLEM_KEYWORDS.find(([, re]) => re.test(text));
  if (problem) {
    patch.problem = { type: problem[0] };
    inferred.push('problem.type');
  }

  const rows = /(\d[\d,.]*)\s*(k|m|mm|b|thousand|million|billion)?\s*(?:rows|events|records|transactions|messages|orders|clicks)\s*(?:per|a|\/|each)\s*day/i.exec(text);
  const rowsPerDay = rows ? Math.round(parseQuantity(rows[1]!, rows[2])) : undefined;
  const kinds = SOURCE_KEYWORDS.filter(([, re]) => re.test(text)).map(([kind]) => kind);
  if (kinds.length > 0) {
    patch.data = {
      sources: kinds.map((kind) => ({
        name: `${kind}_source`,
        kind,
        ...(rowsPerDay && rowsPerDay >= 1 && rowsPerDay <= 1e12 ? { rows_per_day: rowsPerDay } : {}),
      })),
    };
    inferred.push('data.sources');
  }

  const rps = /(\d[\d,.]*)\s*(k|m)?\s*(?:rps|qps|req(?:uests)?\s*(?:\/|per)\s*s(?:ec(?:ond)?)?|queries per second)/i.exec(text);
  if (rps) {
    const v = parseQuantity(rps[1]!, rps[2]);
    if (v > 0 && v <= 10_000_000) {
      patch.scale = { ...patch.scale, peak_rps: v };
      inferred.push('scale.peak_rps');
    }
  }
  const latency = /p99[^0-9\n]{0,30}(\d+(?:\.\d+)?)\s*ms/i.exec(text) ?? /(?:latency|respond\w*)[^0-9\n]{0,30}(\d+(?:\.\d+)?)\s*ms/i.exec(text);
  if (latency) {
    const v = Number(latency[1]);
    if (v > 0 && v <= 600_000) {
      patch.slo = { ...patch.slo, p99_latency_ms: v };
      inferred.push('slo.p99_latency_ms');
    }
  }
  const availability = /(9\d(?:\.\d+)?)\s*%\s*(?:uptime|availability)/i.exec(text);
  if (availability) {
    const v = Number(availability[1]);
    if (v >= 90 && v <= 99.999) {
      patch.slo = { ...patch.slo, availability_pct: v };
      inferred.push('slo.availability_pct');
    }
  }
  const gpus = /(\d{1,4})\s*(?:x\s*)?(?:nvidia\s+)?(?:[a-z]\d{2,3}\s+)?gpus?\b/i.exec(text);
  if (gpus) {
    const v = Number(gpus[1]);
    if (v >= 1 && v <= 1024) {
      patch.scale = { ...patch.scale, training_gpus: v };
      inferred.push('scale.training_gpus');
    }
  }

  const options: Record<string, string> = {};
  for (const [name, value, re] of OPTION_KEYWORDS) {
    if (options[name] === undefined && re.test(text)) {
      options[name] = value;
      inferred.push(`options.${name}`);
    }
  }
  if (Object.keys(options).length > 0) patch.options = options;

  const delivery: Record<string, string> = {};
  if (/\bgitlab\b/i.test(text)) delivery.ci_platform = 'gitlab';
  else if (/\bgithub(?: actions)?\b/i.test(text)) delivery.ci_platform = 'github';
  if (/\b(hashicorp )?vault\b/i.test(text)) delivery.secrets_backend = 'vault';
  else if (/\b(secrets manager|secret manager|key vault)\b/i.test(text)) delivery.secrets_backend = 'cloud';
  for (const k of Object.keys(delivery)) inferred.push(`delivery.${k}`);
  if (Object.keys(delivery).length > 0) patch.delivery = delivery;
  return { patch, inferred };
}

/** A slug from the first meaningful words of the requirements, e.g. "Fraud detection for card payments" → "fraud-detection-card-payments". */
export function nameFromRequirements(text: string): string {
  const stop = new Set(['a', 'an', 'the', 'for', 'of', 'to', 'and', 'with', 'on', 'in', 'we', 'need', 'build', 'design', 'our', 'ml', 'pipeline', 'model', 'that', 'from']);
  const words = text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/(\d)[,.](\d)/g, '$1$2')
    .replace(/[^a-z0-9\s-]/g, ' ')
    .split(/[\s-]+/)
    .filter((w) => w.length > 1 && !stop.has(w));
  let slug = '';
  for (const w of words) {
    const next = slug ? `${slug}-${w}` : w;
    if (next.length > 32) break;
    slug = next;
    if (slug.split('-').length >= 4) break;
  }
  if (!/^[a-z]/.test(slug) || slug.length < 2) slug = `pipeline${slug ? `-${slug}` : ''}`;
  return slug.replace(/-+$/, '').slice(0, 40).replace(/-+$/, '') || 'pipeline';
}
