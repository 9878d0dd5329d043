import type { Environment } from '../kubernetes/parameters.js';
import type { Cloud, CloudOption } from './types.js';

/**
 * Cost-allocation tags (AWS, Azure) / labels (GCP) put on every resource, through the provider's default tags
 * and every module's `var.tags`. Keys are fixed; values come from the spec and are made valid for the target:
 * - AWS tag values: letters, digits, spaces and `+ - = . _ : / @`, at most 256 characters (what S3, EKS and IAM
 *   accept); anything else becomes `_`.
 * - GCP label values: lowercase `[a-z0-9_-]`, at most 63 characters; anything else becomes `_`.
 * - Azure tag values: any text up to 256 characters except `< > % & \ ? /`.
 * Multi-cloud passes ONE map to both platform modules, so it uses the strictest form (GCP labels), which AWS
 * accepts too. The values reach the .tf files only through the HCL serializer, which escapes them.
 */
export const COST_TAG_KEYS = ['team', 'pipeline', 'environment', 'managed-by', 'cost-center'] as const;
export type CostTags = Record<(typeof COST_TAG_KEYS)[number], string>;

export const MANAGED_BY = 'terraform';

/** AWS tag value: disallowed characters replaced, at most 256 characters. */
export function awsTagValue(value: string): string {
  const cleaned = value.replace(/[^\p{L}\p{N} +\-=._:/@]/gu, '_').trim();
  return (cleaned || 'unknown').slice(0, 256);
}

/** GCP label value: lowercase letters, digits, `_` and `-`, at most 63 characters. */
export function gcpLabelValue(value: string): string {
  const cleaned = value
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return (cleaned || 'unknown').slice(0, 63);
}

/** Azure tag value: `< > % & \ ? /` are refused by ARM; at most 256 characters. */
export function azureTagValue(value: string): string {
  const cleaned = value.replace(/[<>%&\\?/]|\p{Cc}/gu, '_').trim();
  return (cleaned || 'unknown').slice(0, 256);
}

/** The tag form each cloud option uses (multi-cloud: GCP labels, valid everywhere). */
export function tagValueFor(cloud: CloudOption | Cloud): (value: string) => string {
  switch (cloud) {
    case 'aws':
      return awsTagValue;
    case 'azure':
      return azureTagValue;
    case 'gcp':
    case 'multi-cloud':
      return gcpLabelValue;
  }
}

/**
 * The cost tags of one environment. `team` is the spec's owner (the team that answers for the spend),
 * `cost-center` the pipeline the budget (team.budget_usd_per_month) is set for, `pipeline` the spec name.
 */
export function costTags(input: { name: string; owner: string; cloud: CloudOption }, env: Environment): CostTags {
  const v = tagValueFor(input.cloud);
  return {
    team: v(input.owner),
    pipeline: v(input.name),
    environment: v(env),
    'managed-by': MANAGED_BY,
    'cost-center': v(`${input.name}-ml`),
  };
}
