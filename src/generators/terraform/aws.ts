/**
 * AWS: modules/aws-{network,cluster,storage,registry,identity,secrets} and modules/platform-aws, which composes
 * them behind the platform interface (PLATFORM_VARIABLES in, PLATFORM_OUTPUTS out).
 *
 * Capacity: EKS managed node groups, one per node pool of the plan, rather than Karpenter. The pools are sized
 * by the phase from the serving, training and batch figures (min/max nodes per pool), so the spot share of the
 * interruptible capacity is a property of this configuration that `terraform plan` shows and a test checks;
 * managed node groups need no controller, CRDs or interruption queue installed before the first workload, and
 * they label their nodes `eks.amazonaws.com/capacityType: SPOT|ON_DEMAND`, which the manifests' spot affinities
 * already select on. Spot groups list several instance types of the same size (capacity-optimized allocation
 * across families), so one exhausted spot pool does not stop training.
 */
import { attr, block, call, comment, escapeString, raw, ref, tpl, type HclBody, type HclExpression } from '../serializers/hcl.js';
import { output, t, type VariableSpec } from './blocks.js';
import { data, dependsOn, dynamic, ignoreChanges, locals, moduleFiles, plainVariable, resource } from './moduleFiles.js';
import { platformOutputs, platformVariables } from './platformInterface.js';
import type { PlatformOutput, TerraformFile, TerraformInput } from './types.js';

const TAGS = ref('var.tags');
const named = (name: HclExpression) => call('merge', TAGS, { Name: name });

function pv(name: string, description?: string): VariableSpec {
  const spec = platformVariables().find((v) => v.name === name);
  if (!spec) throw new Error(`no platform variable ${name}`);
  return description ? { ...spec, description } : spec;
}

const tagsVar = pv('tags', 'Cost-allocation tags put on every resource of the module');
const nameVar = (what: string): VariableSpec =>
  plainVariable('name', t.string, `Name prefix of the ${what}`, { validations: [{ condition: raw('can(regex("^[a-z][a-z0-9-]{0,47}$", var.name))'), message: 'name must be a lowercase slug of at most 48 characters starting with a letter.' }] });

/** `arn:<partition>:iam::aws:policy/<name>`: works in every partition (aws, aws-cn, aws-us-gov). */
function managedPolicy(name: string | HclExpression): HclExpression {
  const partition = ref('data.aws_partition.current.partition');
  if (typeof name !== 'string') return tpl`arn:${partition}:iam::aws:policy/${name}`;
  // A constant policy name (never user text), escaped like any literal.
  return raw(`"arn:\${${partition.text}}:iam::aws:policy/${escapeString(name)}"`);
}

// ---------------------------------------------------------------------------------------------------------------
// aws-network

const AZ_COUNT = 3;

function networkModule(): TerraformFile[] {
  const az = raw('local.azs[count.index]');
  const main: HclBody = [
    data('aws_availability_zones', 'available', [attr('state', 'available')]),
    comment(
      `${AZ_COUNT} zones: private /19 subnets (nodes and pods: the VPC CNI gives every pod a VPC address) and public /24\nsubnets (load balancers, NAT gateways) carved from the VPC range.`,
    ),
    locals({ azs: call('slice', ref('data.aws_availability_zones.available.names'), 0, AZ_COUNT) }),
    resource('aws_vpc', 'this', [attr('cidr_block', ref('var.cidr')), attr('enable_dns_support', true), attr('enable_dns_hostnames', true), attr('tags', named(tpl`${ref('var.name')}`))]),
    resource('aws_subnet', 'private', [
      attr('count', AZ_COUNT),
      attr('vpc_id', ref('aws_vpc.this.id')),
      attr('cidr_block', raw('cidrsubnet(var.cidr, 3, count.index)')),
      attr('availability_zone', az),
      comment('internal-elb: internal load balancers; karpenter.sh/discovery: lets a Karpenter NodePool be added later without retagging.'),
      attr('tags', call('merge', TAGS, { Name: tpl`${ref('var.name')}-private-${az}`, 'kubernetes.io/role/internal-elb': '1', 'karpenter.sh/discovery': ref('var.cluster_name') })),
    ]),
    resource('aws_subnet', 'public', [
      attr('count', AZ_COUNT),
      attr('vpc_id', ref('aws_vpc.this.id')),
      attr('cidr_block', raw('cidrsubnet(var.cidr, 8, 96 + count.index)')),
      attr('availability_zone', az),
      attr('map_public_ip_on_launch', false),
      attr('tags', call('merge', TAGS, { Name: tpl`${ref('var.name')}-public-${az}`, 'kubernetes.io/role/elb': '1' })),
    ]),
    resource('aws_internet_gateway', 'this', [attr('vpc_id', ref('aws_vpc.this.id')), attr('tags', named(tpl`${ref('var.name')}`))]),
    resource('aws_eip', 'nat', [attr('count', ref('var.nat_gateway_count')), attr('domain', 'vpc'), attr('tags', named(tpl`${ref('var.name')}-nat-${raw('count.index')}`))]),
    resource('aws_nat_gateway', 'this', [
      attr('count', ref('var.nat_gateway_count')),
      attr('allocation_id', raw('aws_eip.nat[count.index].id')),
      attr('subnet_id', raw('aws_subnet.public[count.index].id')),
      attr('tags', named(tpl`${ref('var.name')}-nat-${raw('count.index')}`)),
      dependsOn(['aws_internet_gateway.this']),
    ]),
    resource('aws_route_table', 'public', [attr('vpc_id', ref('aws_vpc.this.id')), attr('tags', named(tpl`${ref('var.name')}-public`))]),
    resource('aws_route', 'public_internet', [attr('route_table_id', ref('aws_route_table.public.id')), attr('destination_cidr_block', '0.0.0.0/0'), attr('gateway_id', ref('aws_internet_gateway.this.id'))]),
    resource('aws_route_table_association', 'public', [attr('count', AZ_COUNT), attr('subnet_id', raw('aws_subnet.public[count.index].id')), attr('route_table_id', ref('aws_route_table.public.id'))]),
    resource('aws_route_table', 'private', [attr('count', AZ_COUNT), attr('vpc_id', ref('aws_vpc.this.id')), attr('tags', named(tpl`${ref('var.name')}-private-${az}`))]),
    comment('Each private route table uses the NAT gateway of its zone when there is one per zone, else the single one.'),
    resource('aws_route', 'private_nat', [
      attr('count', AZ_COUNT),
      attr('route_table_id', raw('aws_route_table.private[count.index].id')),
      attr('destination_cidr_block', '0.0.0.0/0'),
      attr('nat_gateway_id', raw('aws_nat_gateway.this[count.index % var.nat_gateway_count].id')),
    ]),
    resource('aws_route_table_association', 'private', [attr('count', AZ_COUNT), attr('subnet_id', raw('aws_subnet.private[count.index].id')), attr('route_table_id', raw('aws_route_table.private[count.index].id'))]),
  ];
  return moduleFiles({
    dir: 'aws-network',
    purpose: `VPC over ${AZ_COUNT} availability zones: private and public subnets, internet gateway, NAT, route tables`,
    providers: ['aws'],
    variables: [
      nameVar('VPC and its subnets'),
      plainVariable('cidr', t.string, 'IPv4 range of the VPC, a /16 or larger (the private subnets are /19s of it)', {
        validations: [{ condition: raw('can(cidrhost(var.cidr, 0)) && try(tonumber(split("/", var.cidr)[1]) <= 16, false)'), message: 'cidr must be an IPv4 CIDR block of prefix length 16 or shorter, such as 10.40.0.0/16.' }],
      }),
      plainVariable('cluster_name', t.string, 'EKS cluster the subnets serve (Karpenter discovery tag)'),
      plainVariable('nat_gateway_count', t.number, `NAT gateways: 1 (one zone, cheaper) or ${AZ_COUNT} (one per zone, survives a zone outage)`, {
        validations: [{ condition: raw(`contains([1, ${AZ_COUNT}], var.nat_gateway_count)`), message: `nat_gateway_count must be 1 or ${AZ_COUNT}.` }],
      }),
      tagsVar,
    ],
    main,
    outputs: [
      output('vpc_id', 'Id of the VPC', ref('aws_vpc.this.id')),
      output('vpc_cidr', 'IPv4 range of the VPC', ref('aws_vpc.this.cidr_block')),
      output('private_subnet_ids', 'Private subnet ids, one per zone (nodes, EFS mount targets)', ref('aws_subnet.private[*].id')),
      output('public_subnet_ids', 'Public subnet ids, one per zone (internet-facing load balancers)', ref('aws_subnet.public[*].id')),
    ],
  });
}

// ---------------------------------------------------------------------------------------------------------------
// aws-cluster

/** Spot alternatives of the same size per instance family (same vCPU, memory and GPU count at each size). */
const SPOT_ALTERNATIVES: Record<string, string[]> = {
  m6i: ['m6a', 'm5', 'm7i'],
  c6i: ['c6a', 'c5', 'c7i'],
  r6i: ['r6a', 'r5', 'r7i'],
  g6: ['g5', 'g6e'],
  g5: ['g6', 'g6e'],
  p4d: ['p4de'],
  p5: ['p5e'],
};

function assumeRoleService(name: string, service: string) {
  return data('aws_iam_policy_document', name, [
    block('statement', [], [attr('actions', ['sts:AssumeRole']), block('principals', [], [attr('type', 'Service'), attr('identifiers', [service])])]),
  ]);
}

/** Trust policy of an IRSA role: only the given ServiceAccount of the cluster's OIDC provider may assume it. */
function irsaTrust(name: string, forEach: HclExpression, providerArn: HclExpression, issuerHost: HclExpression, subject: HclExpression) {
  return data('aws_iam_policy_document', name, [
    attr('for_each', forEach),
    block('statement', [], [
      attr('actions', ['sts:AssumeRoleWithWebIdentity']),
      block('principals', [], [attr('type', 'Federated'), attr('identifiers', [providerArn])]),
      block('condition', [], [attr('test', 'StringEquals'), attr('variable', tpl`${issuerHost}:sub`), attr('values', [subject])]),
      block('condition', [], [attr('test', 'StringEquals'), attr('variable', tpl`${issuerHost}:aud`), attr('values', ['sts.amazonaws.com'])]),
    ]),
  ]);
}

function clusterModule(): TerraformFile[] {
  const cluster = 'aws_eks_cluster.this';
  const main: HclBody = [
    data('aws_partition', 'current', []),
    assumeRoleService('cluster_assume', 'eks.amazonaws.com'),
    resource('aws_iam_role', 'cluster', [attr('name', tpl`${ref('var.name')}-eks-cluster`), attr('assume_role_policy', ref('data.aws_iam_policy_document.cluster_assume.json')), attr('tags', TAGS)]),
    resource('aws_iam_role_policy_attachment', 'cluster', [attr('role', ref('aws_iam_role.cluster.name')), attr('policy_arn', managedPolicy('AmazonEKSClusterPolicy'))]),
    comment('Kubernetes Secrets are envelope-encrypted with a customer key; the control plane logs go to CloudWatch.'),
    resource('aws_kms_key', 'secrets', [attr('description', tpl`Envelope encryption of Kubernetes Secrets of ${ref('var.name')}`), attr('enable_key_rotation', true), attr('deletion_window_in_days', 30), attr('tags', TAGS)]),
    resource('aws_cloudwatch_log_group', 'cluster', [attr('name', tpl`/aws/eks/${ref('var.name')}/cluster`), attr('retention_in_days', ref('var.log_retention_days')), attr('tags', TAGS)]),
    resource('aws_eks_cluster', 'this', [
      attr('name', ref('var.name')),
      attr('role_arn', ref('aws_iam_role.cluster.arn')),
      attr('version', ref('var.kubernetes_version')),
      attr('enabled_cluster_log_types', ['api', 'audit', 'authenticator']),
      block('vpc_config', [], [attr('subnet_ids', ref('var.private_subnet_ids')), attr('endpoint_private_access', true), attr('endpoint_public_access', true), attr('public_access_cidrs', ref('var.api_allowed_cidrs'))]),
      block('access_config', [], [attr('authentication_mode', 'API'), attr('bootstrap_cluster_creator_admin_permissions', true)]),
      block('encryption_config', [], [block('provider', [], [attr('key_arn', ref('aws_kms_key.secrets.arn'))]), attr('resources', ['secrets'])]),
      attr('tags', TAGS),
      dependsOn(['aws_iam_role_policy_attachment.cluster', 'aws_cloudwatch_log_group.cluster']),
    ]),
    comment('IRSA: the cluster OIDC issuer as an IAM identity provider, so ServiceAccounts assume roles without static keys.'),
    data('tls_certificate', 'oidc', [attr('url', ref(`${cluster}.identity[0].oidc[0].issuer`))]),
    resource('aws_iam_openid_connect_provider', 'this', [
      attr('url', ref(`${cluster}.identity[0].oidc[0].issuer`)),
      attr('client_id_list', ['sts.amazonaws.com']),
      attr('thumbprint_list', [ref('data.tls_certificate.oidc.certificates[0].sha1_fingerprint')]),
      attr('tags', TAGS),
    ]),
    locals({
      oidc_issuer_host: call('replace', ref(`${cluster}.identity[0].oidc[0].issuer`), 'https://', ''),
      spot_alternatives: SPOT_ALTERNATIVES,
      // Spot pools list the pool's type first, then the same size in the alternative families.
      instance_types: raw(
        '{\n  for k, p in var.node_pools : k => p.spot ? concat([p.machine_type], [for f in lookup(local.spot_alternatives, split(".", p.machine_type)[0], []) : "${f}.${split(".", p.machine_type)[1]}"]) : [p.machine_type]\n}',
      ),
      taint_effects: { NoSchedule: 'NO_SCHEDULE', PreferNoSchedule: 'PREFER_NO_SCHEDULE', NoExecute: 'NO_EXECUTE' },
      csi_all: {
        ebs: { addon: 'aws-ebs-csi-driver', service_account: 'ebs-csi-controller-sa', policy: 'service-role/AmazonEBSCSIDriverPolicy' },
        efs: { addon: 'aws-efs-csi-driver', service_account: 'efs-csi-controller-sa', policy: 'service-role/AmazonEFSCSIDriverPolicy' },
      },
      csi: raw('{ for k, v in local.csi_all : k => v if k != "efs" || var.efs_csi_driver }'),
    }),
    assumeRoleService('node_assume', 'ec2.amazonaws.com'),
    resource('aws_iam_role', 'node', [attr('name', tpl`${ref('var.name')}-eks-node`), attr('assume_role_policy', ref('data.aws_iam_policy_document.node_assume.json')), attr('tags', TAGS)]),
    comment('Nodes pull images from ECR (read only) and run the VPC CNI; SSM replaces SSH for node access.'),
    resource('aws_iam_role_policy_attachment', 'node', [
      attr('for_each', call('toset', ['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy', 'AmazonEC2ContainerRegistryReadOnly', 'AmazonSSMManagedInstanceCore'])),
      attr('role', ref('aws_iam_role.node.name')),
      attr('policy_arn', managedPolicy(ref('each.value'))),
    ]),
    comment('A launch template per pool: cost tags on the instances and volumes (node group tags do not reach them),\nIMDSv2 only, an encrypted gp3 root volume (larger on GPU pools for the CUDA images).'),
    resource('aws_launch_template', 'node', [
      attr('for_each', ref('var.node_pools')),
      attr('name', tpl`${ref('var.name')}-${ref('each.key')}`),
      attr('update_default_version', true),
      block('metadata_options', [], [attr('http_endpoint', 'enabled'), attr('http_tokens', 'required'), attr('http_put_response_hop_limit', 2)]),
      block('block_device_mappings', [], [
        attr('device_name', '/dev/xvda'),
        block('ebs', [], [attr('volume_size', raw('each.value.gpus_per_node > 0 ? 200 : 100')), attr('volume_type', 'gp3'), attr('encrypted', true), attr('delete_on_termination', true)]),
      ]),
      block('tag_specifications', [], [attr('resource_type', 'instance'), attr('tags', call('merge', TAGS, { Name: tpl`${ref('var.name')}-${ref('each.key')}`, 'node-pool': ref('each.key') }))]),
      block('tag_specifications', [], [attr('resource_type', 'volume'), attr('tags', call('merge', TAGS, { Name: tpl`${ref('var.name')}-${ref('each.key')}`, 'node-pool': ref('each.key') }))]),
      attr('tags', TAGS),
    ]),
    comment(
      'One managed node group per node pool: ON_DEMAND for system and serving, SPOT for training and batch,\nthe AL2023 NVIDIA AMI (drivers and container toolkit; the NVIDIA device plugin runs in the cluster) on GPU\npools. Labels and taints come from the pool. EKS tags the groups\' Auto Scaling groups for\ncluster-autoscaler discovery; the autoscaler owns desired_size after creation.',
    ),
    resource('aws_eks_node_group', 'this', [
      attr('for_each', ref('var.node_pools')),
      attr('cluster_name', ref(`${cluster}.name`)),
      attr('node_group_name', tpl`${ref('var.name')}-${ref('each.key')}`),
      attr('node_role_arn', ref('aws_iam_role.node.arn')),
      attr('subnet_ids', ref('var.private_subnet_ids')),
      attr('version', ref('var.kubernetes_version')),
      attr('capacity_type', raw('each.value.spot ? "SPOT" : "ON_DEMAND"')),
      attr('instance_types', raw('local.instance_types[each.key]')),
      attr('ami_type', raw('each.value.gpus_per_node > 0 ? "AL2023_x86_64_NVIDIA" : "AL2023_x86_64_STANDARD"')),
      attr('labels', call('merge', ref('each.value.labels'), { 'mlops-mcp/node-pool': ref('each.key'), 'mlops-mcp/workload': ref('each.value.workload') })),
      block('launch_template', [], [attr('id', raw('aws_launch_template.node[each.key].id')), attr('version', raw('aws_launch_template.node[each.key].latest_version'))]),
      block('scaling_config', [], [attr('min_size', ref('each.value.min_nodes')), attr('max_size', ref('each.value.max_nodes')), attr('desired_size', ref('each.value.min_nodes'))]),
      block('update_config', [], [attr('max_unavailable_percentage', 33)]),
      dynamic('taint', ref('each.value.taints'), [attr('key', ref('taint.value.key')), attr('value', ref('taint.value.value')), attr('effect', raw('local.taint_effects[taint.value.effect]'))]),
      attr('tags', named(tpl`${ref('var.name')}-${ref('each.key')}`)),
      ignoreChanges(['scaling_config[0].desired_size']),
      dependsOn(['aws_iam_role_policy_attachment.node']),
    ]),
    comment('CSI drivers as EKS add-ons, each with its own IRSA role: EBS for ReadWriteOnce volumes, EFS for the shared file system.'),
    irsaTrust('csi_assume', ref('local.csi'), ref('aws_iam_openid_connect_provider.this.arn'), ref('local.oidc_issuer_host'), tpl`system:serviceaccount:kube-system:${ref('each.value.service_account')}`),
    resource('aws_iam_role', 'csi', [
      attr('for_each', ref('local.csi')),
      attr('name', tpl`${ref('var.name')}-${ref('each.key')}-csi`),
      attr('assume_role_policy', raw('data.aws_iam_policy_document.csi_assume[each.key].json')),
      attr('tags', TAGS),
    ]),
    resource('aws_iam_role_policy_attachment', 'csi', [attr('for_each', ref('local.csi')), attr('role', raw('aws_iam_role.csi[each.key].name')), attr('policy_arn', managedPolicy(ref('each.value.policy')))]),
    resource('aws_eks_addon', 'core', [
      attr('for_each', call('toset', ['vpc-cni', 'kube-proxy', 'coredns'])),
      attr('cluster_name', ref(`${cluster}.name`)),
      attr('addon_name', ref('each.value')),
      attr('resolve_conflicts_on_create', 'OVERWRITE'),
      attr('resolve_conflicts_on_update', 'OVERWRITE'),
      attr('tags', TAGS),
      dependsOn(['aws_eks_node_group.this']),
    ]),
    resource('aws_eks_addon', 'csi', [
      attr('for_each', ref('local.csi')),
      attr('cluster_name', ref(`${cluster}.name`)),
      attr('addon_name', ref('each.value.addon')),
      attr('service_account_role_arn', raw('aws_iam_role.csi[each.key].arn')),
      attr('resolve_conflicts_on_create', 'OVERWRITE'),
      attr('resolve_conflicts_on_update', 'OVERWRITE'),
      attr('tags', TAGS),
      dependsOn(['aws_eks_node_group.this', 'aws_iam_role_policy_attachment.csi']),
    ]),
  ];
  return moduleFiles({
    dir: 'aws-cluster',
    purpose: 'EKS control plane, OIDC provider for IRSA, one managed node group per node pool (on-demand, spot, GPU), core and CSI add-ons',
    providers: ['aws', 'tls'],
    variables: [
      nameVar('cluster, its IAM roles and node groups'),
      pv('kubernetes_version'),
      plainVariable('private_subnet_ids', t.listString, 'Private subnets the control plane ENIs and the nodes use, one per zone', {
        validations: [{ condition: raw('length(var.private_subnet_ids) >= 2'), message: 'EKS needs subnets in at least two availability zones.' }],
      }),
      {
        ...pv('node_pools'),
        validations: [
          ...(pv('node_pools').validations ?? []),
          { condition: raw('alltrue([for p in values(var.node_pools) : p.max_nodes >= 1])'), message: 'an EKS managed node group needs max_nodes >= 1.' },
          { condition: raw('alltrue([for p in values(var.node_pools) : length(split(".", p.machine_type)) == 2])'), message: 'machine_type must be an EC2 instance type such as m6i.xlarge.' },
        ],
      },
      plainVariable('efs_csi_driver', t.bool, 'Install the EFS CSI driver add-on (the ReadWriteMany StorageClass uses it)', { default: false }),
      plainVariable('api_allowed_cidrs', t.listString, 'CIDR blocks allowed to reach the public API endpoint (CI runners, VPN egress)', {
        default: ['0.0.0.0/0'],
        validations: [{ condition: raw('alltrue([for c in var.api_allowed_cidrs : can(cidrhost(c, 0))])'), message: 'api_allowed_cidrs must be IPv4 CIDR blocks.' }],
      }),
      plainVariable('log_retention_days', t.number, 'Days the control plane logs are kept in CloudWatch', {
        default: 90,
        validations: [{ condition: raw('contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653], var.log_retention_days)'), message: 'log_retention_days must be a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, …).' }],
      }),
      tagsVar,
    ],
    main,
    outputs: [
      output('cluster_name', 'Name of the EKS cluster', ref(`${cluster}.name`)),
      output('cluster_endpoint', 'API server endpoint', ref(`${cluster}.endpoint`)),
      output('cluster_certificate_authority', 'Base64 CA certificate of the API server', ref(`${cluster}.certificate_authority[0].data`)),
      output('oidc_provider_arn', 'ARN of the IAM OIDC provider (IRSA trust policies)', ref('aws_iam_openid_connect_provider.this.arn')),
      output('oidc_issuer_host', 'OIDC issuer without https:// (the condition key prefix of IRSA trust policies)', ref('local.oidc_issuer_host')),
      output('node_role_arn', 'IAM role of the nodes', ref('aws_iam_role.node.arn')),
      output('node_groups', 'Node group name per node pool', raw('{ for k, g in aws_eks_node_group.this : k => g.node_group_name }')),
    ],
  });
}

// ---------------------------------------------------------------------------------------------------------------
// aws-storage

/** S3 refuses a transition to STANDARD_IA before 30 days. */
export const S3_STANDARD_IA_MIN_DAYS = 30;

function storageModule(): TerraformFile[] {
  const bucket = raw('aws_s3_bucket.data[each.key].id');
  const main: HclBody = [
    comment('One bucket per data layer, named <bucket_prefix>-<layer> like every URI of the bundle.'),
    resource('aws_s3_bucket', 'data', [
      attr('for_each', ref('var.buckets')),
      attr('bucket', tpl`${ref('var.bucket_prefix')}-${ref('each.key')}`),
      attr('tags', call('merge', TAGS, { Name: tpl`${ref('var.bucket_prefix')}-${ref('each.key')}`, 'data-layer': ref('each.key') })),
    ]),
    resource('aws_s3_bucket_public_access_block', 'data', [
      attr('for_each', ref('var.buckets')),
      attr('bucket', bucket),
      attr('block_public_acls', true),
      attr('block_public_policy', true),
      attr('ignore_public_acls', true),
      attr('restrict_public_buckets', true),
    ]),
    resource('aws_s3_bucket_ownership_controls', 'data', [attr('for_each', ref('var.buckets')), attr('bucket', bucket), block('rule', [], [attr('object_ownership', 'BucketOwnerEnforced')])]),
    resource('aws_s3_bucket_server_side_encryption_configuration', 'data', [
      attr('for_each', ref('var.buckets')),
      attr('bucket', bucket),
      block('rule', [], [block('apply_server_side_encryption_by_default', [], [attr('sse_algorithm', 'aws:kms')]), attr('bucket_key_enabled', true)]),
    ]),
    resource('aws_s3_bucket_versioning', 'data', [
      attr('for_each', raw('{ for k, b in var.buckets : k => b if b.versioned }')),
      attr('bucket', bucket),
      block('versioning_configuration', [], [attr('status', 'Enabled')]),
    ]),
    comment('Retention from the spec: objects expire after retention_days and move to STANDARD_IA after cool_after_days.'),
    resource('aws_s3_bucket_lifecycle_configuration', 'data', [
      attr('for_each', raw('{ for k, b in var.buckets : k => b if b.retention_days != null || b.cool_after_days != null }')),
      attr('bucket', bucket),
      block('rule', [], [
        attr('id', tpl`${ref('each.key')}-retention`),
        attr('status', 'Enabled'),
        block('filter', [], []),
        dynamic('transition', raw('each.value.cool_after_days == null ? [] : [each.value.cool_after_days]'), [attr('days', ref('transition.value')), attr('storage_class', 'STANDARD_IA')]),
        dynamic('expiration', raw('each.value.retention_days == null ? [] : [each.value.retention_days]'), [attr('days', ref('expiration.value'))]),
        dynamic('noncurrent_version_expiration', raw('each.value.versioned && each.value.retention_days != null ? [each.value.retention_days] : []'), [attr('noncurrent_days', ref('noncurrent_version_expiration.value'))]),
        block('abort_incomplete_multipart_upload', [], [attr('days_after_initiation', 7)]),
      ]),
      dependsOn(['aws_s3_bucket_versioning.data']),
    ]),
    comment('ReadWriteMany file system for shared training data: the StorageClass provisions an EFS access point per volume.'),
    resource('aws_security_group', 'efs', [
      attr('count', raw('var.rwx_file_system ? 1 : 0')),
      attr('name', tpl`${ref('var.name')}-efs`),
      attr('description', 'NFS from the VPC to the shared EFS file system'),
      attr('vpc_id', ref('var.vpc_id')),
      attr('tags', named(tpl`${ref('var.name')}-efs`)),
    ]),
    resource('aws_vpc_security_group_ingress_rule', 'efs_nfs', [
      attr('count', raw('var.rwx_file_system ? 1 : 0')),
      attr('security_group_id', ref('aws_security_group.efs[0].id')),
      attr('description', 'NFS from nodes and pods in the VPC'),
      attr('cidr_ipv4', ref('var.vpc_cidr')),
      attr('ip_protocol', 'tcp'),
      attr('from_port', 2049),
      attr('to_port', 2049),
      attr('tags', TAGS),
    ]),
    resource('aws_efs_file_system', 'shared', [
      attr('count', raw('var.rwx_file_system ? 1 : 0')),
      attr('creation_token', tpl`${ref('var.name')}-shared`),
      attr('encrypted', true),
      attr('performance_mode', 'generalPurpose'),
      attr('throughput_mode', 'elastic'),
      attr('tags', named(tpl`${ref('var.name')}-shared`)),
    ]),
    resource('aws_efs_mount_target', 'shared', [
      attr('count', raw('var.rwx_file_system ? length(var.private_subnet_ids) : 0')),
      attr('file_system_id', ref('aws_efs_file_system.shared[0].id')),
      attr('subnet_id', raw('var.private_subnet_ids[count.index]')),
      attr('security_groups', [ref('aws_security_group.efs[0].id')]),
    ]),
  ];
  const buckets = pv('buckets');
  return moduleFiles({
    dir: 'aws-storage',
    purpose: 'S3 bucket per data layer (private, encrypted, versioned where asked, lifecycle from the retention spec) and the optional EFS file system',
    providers: ['aws'],
    variables: [
      nameVar('EFS file system and its security group'),
      pv('bucket_prefix'),
      {
        ...buckets,
        validations: [
          ...(buckets.validations ?? []),
          { condition: raw(`alltrue([for b in values(var.buckets) : b.cool_after_days == null || b.cool_after_days >= ${S3_STANDARD_IA_MIN_DAYS}])`), message: `S3 moves objects to STANDARD_IA after at least ${S3_STANDARD_IA_MIN_DAYS} days: cool_after_days must be null or >= ${S3_STANDARD_IA_MIN_DAYS}.` },
          { condition: raw('alltrue([for b in values(var.buckets) : b.cool_after_days == null || b.retention_days == null || b.retention_days > b.cool_after_days])'), message: 'retention_days must be greater than cool_after_days.' },
        ],
      },
      pv('rwx_file_system'),
      plainVariable('vpc_id', t.string, 'VPC of the EFS security group'),
      plainVariable('vpc_cidr', t.string, 'VPC range allowed to mount the file system over NFS'),
      plainVariable('private_subnet_ids', t.listString, 'Subnets that get an EFS mount target (one per zone)'),
      tagsVar,
    ],
    main,
    outputs: [
      output('bucket_names', 'Bucket name per data layer', raw('{ for k, b in aws_s3_bucket.data : k => b.bucket }')),
      output('bucket_arns', 'Bucket ARN per data layer (IAM policies)', raw('{ for k, b in aws_s3_bucket.data : k => b.arn }')),
      output('bucket_uris', 'URI per data layer', raw('{ for k, b in aws_s3_bucket.data : k => "s3://${b.bucket}" }')),
      output('efs_file_system_id', 'EFS file system id, null without the shared file system', call('one', ref('aws_efs_file_system.shared[*].id'))),
    ],
  });
}

// ---------------------------------------------------------------------------------------------------------------
// aws-registry

function registryModule(): TerraformFile[] {
  const main: HclBody = [
    data('aws_caller_identity', 'current', []),
    data('aws_region', 'current', []),
    comment('Immutable tags: a tag (the commit SHA) always means the same image, so a rollback redeploys exactly what ran.'),
    resource('aws_ecr_repository', 'this', [
      attr('for_each', ref('var.repositories')),
      attr('name', ref('each.value')),
      attr('image_tag_mutability', 'IMMUTABLE'),
      block('image_scanning_configuration', [], [attr('scan_on_push', true)]),
      block('encryption_configuration', [], [attr('encryption_type', 'KMS')]),
      attr('tags', named(tpl`${ref('each.value')}`)),
    ]),
    resource('aws_ecr_lifecycle_policy', 'this', [
      attr('for_each', ref('var.repositories')),
      attr('repository', raw('aws_ecr_repository.this[each.key].name')),
      attr(
        'policy',
        call('jsonencode', {
          rules: [
            {
              rulePriority: 1,
              description: tpl`Keep the last ${ref('var.keep_images')} images`,
              selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: ref('var.keep_images') },
              action: { type: 'expire' },
            },
          ],
        }),
      ),
    ]),
  ];
  return moduleFiles({
    dir: 'aws-registry',
    purpose: 'ECR repository per image: immutable tags, scan on push, KMS encryption, lifecycle policy keeping the last images',
    providers: ['aws'],
    variables: [
      plainVariable('repositories', t.mapString, 'Repository name per image key (server, jobs)', {
        validations: [{ condition: raw('alltrue([for r in values(var.repositories) : can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$", r))])'), message: 'repository names are lowercase path components separated by /.' }],
      }),
      plainVariable('keep_images', t.number, 'Images kept per repository (older ones expire); rollback needs at least the previous release', {
        validations: [{ condition: raw('var.keep_images >= 2'), message: 'keep_images must be at least 2 (the running and the previous release).' }],
      }),
      tagsVar,
    ],
    main,
    outputs: [
      output('registry', 'Registry host of the account and region', tpl`${ref('data.aws_caller_identity.current.account_id')}.dkr.ecr.${ref('data.aws_region.current.name')}.amazonaws.com`),
      output('repository_urls', 'Repository URL per image key', raw('{ for k, r in aws_ecr_repository.this : k => r.repository_url }')),
      output('repository_arns', 'Repository ARN per image key (CI push policies)', raw('{ for k, r in aws_ecr_repository.this : k => r.arn }')),
    ],
  });
}

// ---------------------------------------------------------------------------------------------------------------
// aws-identity

function identityModule(): TerraformFile[] {
  const main: HclBody = [
    comment('One IAM role per workload identity, assumable only by its ServiceAccount (IRSA).'),
    irsaTrust('assume', ref('var.workload_identities'), ref('var.oidc_provider_arn'), ref('var.oidc_issuer_host'), tpl`system:serviceaccount:${ref('each.value.namespace')}:${ref('each.value.service_account')}`),
    resource('aws_iam_role', 'workload', [
      attr('for_each', ref('var.workload_identities')),
      comment('IAM role names are at most 64 characters.'),
      attr('name', tpl`${raw('trimsuffix(substr(var.name, 0, 63 - length(each.key)), "-")')}-${ref('each.key')}`),
      attr('assume_role_policy', raw('data.aws_iam_policy_document.assume[each.key].json')),
      attr('tags', call('merge', TAGS, { 'workload-role': ref('each.key') })),
    ]),
    comment('Least privilege: list and read exactly the layers it reads, write exactly the layers it writes, read exactly its secrets.'),
    locals({
      with_access: raw('{ for k, v in var.workload_identities : k => v if length(concat(v.buckets_read, v.buckets_write, v.secrets)) > 0 }'),
    }),
    data('aws_iam_policy_document', 'access', [
      attr('for_each', ref('local.with_access')),
      dynamic('statement', raw('length(concat(each.value.buckets_read, each.value.buckets_write)) > 0 ? [distinct(concat(each.value.buckets_read, each.value.buckets_write))] : []'), [
        attr('sid', 'ListLayers'),
        attr('actions', ['s3:ListBucket', 's3:GetBucketLocation']),
        attr('resources', raw('[for l in statement.value : var.bucket_arns[l]]')),
      ]),
      dynamic('statement', raw('length(each.value.buckets_read) > 0 ? [each.value.buckets_read] : []'), [
        attr('sid', 'ReadLayers'),
        attr('actions', ['s3:GetObject', 's3:GetObjectVersion']),
        attr('resources', raw('[for l in statement.value : "${var.bucket_arns[l]}/*"]')),
      ]),
      dynamic('statement', raw('length(each.value.buckets_write) > 0 ? [each.value.buckets_write] : []'), [
        attr('sid', 'WriteLayers'),
        attr('actions', ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload']),
        attr('resources', raw('[for l in statement.value : "${var.bucket_arns[l]}/*"]')),
      ]),
      dynamic('statement', raw('length(each.value.secrets) > 0 ? [each.value.secrets] : []'), [
        attr('sid', 'ReadSecrets'),
        attr('actions', ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']),
        attr('resources', raw('[for s in statement.value : var.secret_arns[s]]')),
      ]),
    ]),
    resource('aws_iam_role_policy', 'access', [
      attr('for_each', ref('local.with_access')),
      attr('name', tpl`${ref('each.key')}-access`),
      attr('role', raw('aws_iam_role.workload[each.key].id')),
      attr('policy', raw('data.aws_iam_policy_document.access[each.key].json')),
    ]),
  ];
  const ids = pv('workload_identities');
  return moduleFiles({
    dir: 'aws-identity',
    purpose: 'IRSA role per workload identity with a trust policy on the cluster OIDC provider and least-privilege S3 / Secrets Manager access',
    providers: ['aws'],
    variables: [
      nameVar('IAM roles'),
      plainVariable('oidc_provider_arn', t.string, 'ARN of the cluster IAM OIDC provider', {
        validations: [{ condition: raw('can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/", var.oidc_provider_arn))'), message: 'oidc_provider_arn must be an IAM OIDC provider ARN.' }],
      }),
      plainVariable('oidc_issuer_host', t.string, 'OIDC issuer host and path, without https://'),
      {
        ...ids,
        validations: [
          { condition: raw('alltrue([for v in values(var.workload_identities) : alltrue([for l in concat(v.buckets_read, v.buckets_write) : contains(["raw", "processed", "features", "models"], l)])])'), message: 'buckets_read and buckets_write name data layers: raw, processed, features or models.' },
        ],
      },
      plainVariable('bucket_arns', t.mapString, 'Bucket ARN per data layer'),
      plainVariable('secret_arns', t.mapString, 'Secret ARN per secret name'),
      tagsVar,
    ],
    main,
    outputs: [
      output('role_arns', 'IAM role ARN per identity role', raw('{ for k, r in aws_iam_role.workload : k => r.arn }')),
      output('service_account_annotations', 'Annotations per identity role for its ServiceAccount', raw('{ for k, r in aws_iam_role.workload : k => { "eks.amazonaws.com/role-arn" = r.arn } }')),
    ],
  });
}

// ---------------------------------------------------------------------------------------------------------------
// aws-secrets

function secretsModule(): TerraformFile[] {
  const main: HclBody = [
    comment(
      'Secret containers only: no secret version resource, so no value is ever in this configuration or its\nstate. Values are written out of band (aws secretsmanager put-secret-value, see the runbook) and reach pods\nthrough External Secrets Operator.',
    ),
    resource('aws_secretsmanager_secret', 'this', [
      attr('for_each', ref('var.secrets')),
      attr('name', ref('each.key')),
      attr('description', ref('each.value.description')),
      attr('recovery_window_in_days', ref('var.recovery_window_days')),
      attr('tags', call('merge', TAGS, { 'secret-keys': call('join', ' ', ref('each.value.keys')) })),
    ]),
  ];
  return moduleFiles({
    dir: 'aws-secrets',
    purpose: 'Secrets Manager secret per secret, created without a value',
    providers: ['aws'],
    variables: [
      {
        ...pv('secrets'),
        validations: [{ condition: raw('alltrue([for k in keys(var.secrets) : can(regex("^[A-Za-z0-9/_+=.@-]{1,512}$", k))])'), message: 'secret names may contain letters, digits and /_+=.@- only.' }],
      },
      plainVariable('recovery_window_days', t.number, 'Days a deleted secret can still be restored', {
        validations: [{ condition: raw('var.recovery_window_days == 0 || (var.recovery_window_days >= 7 && var.recovery_window_days <= 30)'), message: 'recovery_window_days must be 0 or between 7 and 30.' }],
      }),
      tagsVar,
    ],
    main,
    outputs: [
      output('secret_arns', 'Secret ARN per secret name', raw('{ for k, s in aws_secretsmanager_secret.this : k => s.arn }')),
      output('secret_names', 'Secret names', raw('[for s in aws_secretsmanager_secret.this : s.name]')),
    ],
  });
}

// ---------------------------------------------------------------------------------------------------------------
// platform-aws

/** Images kept per ECR repository: about a month of daily releases; a rollback needs only the previous one. */
export const ECR_KEEP_IMAGES = 30;

function platformModule(): TerraformFile[] {
  const m = (name: string, inputs: Record<string, Parameters<typeof attr>[1]>) => block('module', [name], [attr('source', `../aws-${name}`), ...Object.entries(inputs).map(([k, v]) => attr(k, v))]);
  const main: HclBody = [
    comment(
      'The AWS implementation of the platform interface. Names unique per account (cluster, IAM, secrets) repeat in\nevery environment: each environment is its own AWS account (or at least region), while bucket names are\nglobal and carry the environment through bucket_prefix.',
    ),
    locals({
      cluster_name: tpl`${ref('var.name')}-${ref('var.environment')}`,
      // Production survives a zone outage (a NAT gateway per zone); dev and staging share one.
      nat_gateway_count: raw('var.environment == "prod" ? 3 : 1'),
      secret_recovery_days: raw('var.environment == "prod" ? 30 : 7'),
    }),
    m('network', { name: ref('local.cluster_name'), cidr: ref('var.network_cidr'), cluster_name: ref('local.cluster_name'), nat_gateway_count: ref('local.nat_gateway_count'), tags: TAGS }),
    m('cluster', {
      name: ref('local.cluster_name'),
      kubernetes_version: ref('var.kubernetes_version'),
      private_subnet_ids: ref('module.network.private_subnet_ids'),
      node_pools: ref('var.node_pools'),
      efs_csi_driver: ref('var.rwx_file_system'),
      tags: TAGS,
    }),
    m('storage', {
      name: ref('local.cluster_name'),
      bucket_prefix: ref('var.bucket_prefix'),
      buckets: ref('var.buckets'),
      rwx_file_system: ref('var.rwx_file_system'),
      vpc_id: ref('module.network.vpc_id'),
      vpc_cidr: ref('module.network.vpc_cidr'),
      private_subnet_ids: ref('module.network.private_subnet_ids'),
      tags: TAGS,
    }),
    m('registry', { repositories: ref('var.image_repositories'), keep_images: ECR_KEEP_IMAGES, tags: TAGS }),
    m('secrets', { secrets: ref('var.secrets'), recovery_window_days: ref('local.secret_recovery_days'), tags: TAGS }),
    m('identity', {
      name: ref('var.name'),
      oidc_provider_arn: ref('module.cluster.oidc_provider_arn'),
      oidc_issuer_host: ref('module.cluster.oidc_issuer_host'),
      workload_identities: ref('var.workload_identities'),
      bucket_arns: ref('module.storage.bucket_arns'),
      secret_arns: ref('module.secrets.secret_arns'),
      tags: TAGS,
    }),
  ];
  const values: Record<PlatformOutput, Parameters<typeof output>[2]> = {
    cluster_name: ref('module.cluster.cluster_name'),
    cluster_endpoint: ref('module.cluster.cluster_endpoint'),
    kubeconfig_command: tpl`aws eks update-kubeconfig --region ${ref('var.region')} --name ${ref('module.cluster.cluster_name')} --alias ${ref('module.cluster.cluster_name')}`,
    image_registry: tpl`${ref('module.registry.registry')}/${ref('var.name')}`,
    image_repository_urls: ref('module.registry.repository_urls'),
    bucket_uris: ref('module.storage.bucket_uris'),
    workload_identity_annotations: ref('module.identity.service_account_annotations'),
    secret_store: { provider: 'aws', service: 'SecretsManager', region: ref('var.region'), role_arn: call('lookup', ref('module.identity.role_arns'), 'external-secrets', null) },
    rwx_file_system_id: ref('module.storage.efs_file_system_id'),
    network: ref('module.network.vpc_id'),
  };
  return moduleFiles({
    dir: 'platform-aws',
    purpose: 'every AWS component behind the platform interface shared by all clouds',
    providers: ['aws', 'tls'],
    variables: platformVariables(),
    main,
    outputs: platformOutputs(values),
  });
}

/** modules/aws-<component>/ and modules/platform-aws/. The modules are generic: every figure reaches them through the env roots' tfvars. */
export function awsModules(input: TerraformInput): TerraformFile[] {
  void input;
  return [...networkModule(), ...clusterModule(), ...storageModule(), ...registryModule(), ...identityModule(), ...secretsModule(), ...platformModule()];
}
