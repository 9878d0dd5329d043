/**
 * Multi-cloud: the same platform interface implemented twice (platform-aws and platform-gcp) in one env root,
 * called with the same inputs except what is cloud-specific: the region, the address range and the node pools'
 * machine types. The shared pieces are
 * stated where they are made:
 * - state: one S3 backend (the primary cloud) holds the state of both clouds' resources, so one plan shows
 *   both and they can never drift apart;
 * - DNS: one Route 53 hosted zone with a record per cluster API, into which each cluster's external-dns writes
 *   its serving records, so clients resolve one name whichever cloud serves.
 */
import { attr, comment, raw, ref, tpl, type HclBlock, type HclBody } from '../serializers/hcl.js';
import { output, t, type VariableSpec } from './blocks.js';
import { platformVariables } from './platformInterface.js';
import { resource } from './moduleFiles.js';
import type { Cloud } from './types.js';

/** One platform module call of an env root. */
export interface PlatformCall {
  /** Module name in the root: `platform`, or `platform_aws` / `platform_gcp` in multi-cloud. */
  module: string;
  cloud: Cloud;
  /** Root variables passed as the platform's `region` and `network_cidr`. */
  regionVar: string;
  cidrVar: string;
  /** Root variable passed as the platform's `node_pools` (machine types are per cloud). */
  poolsVar: string;
}

export const MULTI_CLOUD_CALLS: readonly PlatformCall[] = [
  { module: 'platform_aws', cloud: 'aws', regionVar: 'region', cidrVar: 'network_cidr', poolsVar: 'node_pools' },
  { module: 'platform_gcp', cloud: 'gcp', regionVar: 'gcp_region', cidrVar: 'gcp_network_cidr', poolsVar: 'gcp_node_pools' },
];

/** Root variables multi-cloud adds to the platform ones: the second cloud's region, range and node pools, the shared zone. */
export function multiCloudVariables(): VariableSpec[] {
  const pools = platformVariables().find((v) => v.name === 'node_pools')!;
  return [
    {
      name: 'gcp_region',
      type: t.string,
      description: 'Region of the GCP cluster, buckets and registry (the platform_gcp region)',
      validations: [{ condition: raw('can(regex("^[a-z]+-[a-z]+[0-9]+$", var.gcp_region))'), message: 'gcp_region must be a GCP region such as us-central1.' }],
    },
    {
      name: 'gcp_network_cidr',
      type: t.string,
      description: 'Address space of the GCP VPC; must not overlap the AWS VPC so the two can be peered over VPN',
      validations: [
        { condition: raw('can(cidrhost(var.gcp_network_cidr, 0))'), message: 'gcp_network_cidr must be an IPv4 CIDR block such as 10.50.0.0/16.' },
        { condition: raw('var.gcp_network_cidr != var.network_cidr'), message: 'gcp_network_cidr must differ from network_cidr (the AWS VPC).' },
      ],
    },
    {
      name: 'gcp_node_pools',
      type: pools.type,
      description: `GCP: ${pools.description} (GKE machine types; node_pools holds the EKS ones)`,
      validations: (pools.validations ?? []).map((v) => ({ condition: raw(v.condition.text.replace(/var\.node_pools/g, 'var.gcp_node_pools')), message: v.message })),
    },
    {
      name: 'dns_zone',
      type: t.string,
      description: 'Shared DNS zone of both clusters (a Route 53 public hosted zone; delegate it from your domain)',
      validations: [{ condition: raw('can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\\\.)+[a-z]{2,}$", var.dns_zone))'), message: 'dns_zone must be a DNS name such as ml.example.com.' }],
    },
  ];
}

/** The shared DNS zone and one record per cluster API endpoint. */
export function sharedDns(): HclBody {
  const endpoint = (module: string) => raw(`trimprefix(module.${module}.cluster_endpoint, "https://")`);
  return [
    comment(
      'Shared piece: ONE DNS zone for both clouds (Route 53, in the primary cloud). Each cluster API gets a record;\nexternal-dns in each cluster writes its serving records here, so clients resolve one name whichever cloud serves.',
    ),
    resource('aws_route53_zone', 'shared', [attr('name', ref('var.dns_zone')), attr('comment', tpl`Shared zone of ${ref('var.name')} (${ref('var.environment')}): EKS and GKE`), attr('tags', ref('var.tags'))]),
    resource('aws_route53_record', 'api_aws', [
      attr('zone_id', ref('aws_route53_zone.shared.zone_id')),
      attr('name', tpl`api-aws.${ref('var.dns_zone')}`),
      attr('type', 'CNAME'),
      attr('ttl', 300),
      attr('records', [endpoint('platform_aws')]),
    ]),
    resource('aws_route53_record', 'api_gcp', [
      attr('zone_id', ref('aws_route53_zone.shared.zone_id')),
      attr('name', tpl`api-gcp.${ref('var.dns_zone')}`),
      attr('type', 'A'),
      attr('ttl', 300),
      attr('records', [endpoint('platform_gcp')]),
    ]),
  ];
}

export function sharedDnsOutputs(): HclBlock[] {
  return [
    output('dns_zone_id', 'Route 53 zone id of the shared zone (external-dns in both clusters writes here)', ref('aws_route53_zone.shared.zone_id')),
    output('dns_name_servers', 'Name servers to delegate the shared zone to', ref('aws_route53_zone.shared.name_servers')),
  ];
}
