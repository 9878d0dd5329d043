import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IStorageClass } from 'kubernetes-models/storage.k8s.io/v1/StorageClass';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { IService } from 'kubernetes-models/v1/Service';
import type { ResolvedSpec } from '../../spec/resolve.js';
import type { DataScientistDecisions } from '../data_scientist/decisions.js';
import { CONTAINER_SECURITY, POD_SECURITY } from '../k8s.js';
import { RWX_FILE_SYSTEM_PLACEHOLDER, gcpNetworkPlaceholder } from '../mlops_engineer/identity.js';
import type { MlopsEngineerDecisions } from '../mlops_engineer/decisions.js';
import { ceilTol } from '../mlops_engineer/math.js';
import { componentLabels, componentSelector, priorityClassNames, workloadNamespaces } from '../mlops_engineer/naming.js';
import { avoidSpotAffinity } from './capacity.js';
import type { StoragePlan } from './derive.js';

// Storage classes (block + shared file), the training-data PVC, the model cache, the feature store's online store
// and the inference cache.

type Cloud = ResolvedSpec['options']['cloud_provider'];

export const REDIS_IMAGE = 'redis:7.4.2-alpine';
export const REDIS_PORT = 6379;

// ---------------------------------------------------------------------------------------------------------------
// Shared (ReadWriteMany) file storage

export interface FileStoragePlan {
  storage_class: string;
  csi_driver: string;
  parameters: Record<string, string>;
  kind: string;
  /** Smallest volume the service provisions (Filestore basic HDD: 1 TiB; Azure Files premium: 100 GiB). */
  min_gi: number;
}

const FILE_STORAGE: Record<Cloud, Omit<FileStoragePlan, 'storage_class'>> = {
  // EFS access points per volume; the file system itself is Terraform's (output efs_file_system_id, patched in by the overlay).
  aws: { csi_driver: 'efs.csi.aws.com', parameters: { provisioningMode: 'efs-ap', fileSystemId: RWX_FILE_SYSTEM_PLACEHOLDER, directoryPerms: '750', uid: '1000', gid: '1000' }, kind: 'Amazon EFS (elastic, access point per volume)', min_gi: 1 },
  gcp: { csi_driver: 'filestore.csi.storage.gke.io', parameters: { tier: 'standard' }, kind: 'Filestore basic HDD (tier standard)', min_gi: 1024 },
  azure: { csi_driver: 'file.csi.azure.com', parameters: { skuName: 'Premium_LRS', protocol: 'nfs' }, kind: 'Azure Files premium over NFS', min_gi: 100 },
  'multi-cloud': { csi_driver: 'efs.csi.aws.com', parameters: { provisioningMode: 'efs-ap', fileSystemId: RWX_FILE_SYSTEM_PLACEHOLDER, directoryPerms: '750', uid: '1000', gid: '1000' }, kind: 'Amazon EFS on EKS (Filestore under the same class name on GKE)', min_gi: 1 },
};

export function planFileStorage(spec: ResolvedSpec): FileStoragePlan {
  const base = workloadNamespaces(spec).serving.replace(/-serving$/, '');
  const plan = FILE_STORAGE[spec.options.cloud_provider];
  // Filestore instances join the cluster's VPC (Terraform's, bound through the Helm values), not the project's default network.
  const parameters = spec.options.cloud_provider === 'gcp' ? { ...plan.parameters, network: gcpNetworkPlaceholder(spec) } : plan.parameters;
  return { storage_class: `${base}-shared`, ...plan, parameters };
}

// ---------------------------------------------------------------------------------------------------------------
// Model cache

export interface ModelCachePlan {
  kind: 'none' | 'emptyDir' | 'pvc';
  gi: number;
  pvc_name: string | null;
  request_gi: number;
  why: string;
}

/** Above this artifact size the startup budget is dominated by the model download. */
export const LARGE_MODEL_GI = 10;

/**
 * The model server's model directory: always a per-pod emptyDir filled by the init container. A shared
 * ReadWriteMany cache was considered and rejected: during a canary the candidate pods would rewrite files the
 * stable pods serve from, a read-only mount cannot take Triton's config.pbtxt mounted into it, and Filestore and
 * Azure Files bill a 1 TiB / 100 GiB minimum for a model of a few GiB.
 */
export function planModelCache(_spec: ResolvedSpec, mlops: Pick<MlopsEngineerDecisions, 'serving' | 'model'>, _file: FileStoragePlan): ModelCachePlan {
  const s = mlops.serving;
  if (!s.deployed) return { kind: 'none', gi: 0, pvc_name: null, request_gi: 0, why: 'no model server' };
  const large = s.model_cache_gi >= LARGE_MODEL_GI;
  return {
    kind: 'emptyDir',
    gi: s.model_cache_gi,
    pvc_name: null,
    request_gi: 0,
    why: large
      ? `${s.model_cache_gi} Gi ${mlops.model.family} artifact: each pod's init container downloads it from object storage in parallel streams (a few minutes at most within the ${s.startup_seconds} s startup budget); a shared ReadWriteMany cache would be rewritten by the candidate during a release while stable pods serve from it`
      : `${s.model_cache_gi} Gi ${mlops.model.family} artifact: each pod's init container downloads it into a node-local emptyDir in seconds; no volume to attach on scale-out`,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Online store and inference cache

export interface OnlineStorePlan {
  feature_store: string;
  store: string;
  mode: 'in-cluster' | 'managed';
  service: string;
  host: string;
  port: number;
  managed_service: string | null;
  replicas: number;
  dataset_gb: number;
  maxmemory_mb: number;
  memory_mi: number;
  pvc_gi: number;
  why: string;
}

export interface InferenceCachePlan {
  enabled: boolean;
  name: string;
  host: string;
  port: number;
  maxmemory_mb: number;
  memory_mi: number;
  ttl_seconds: number;
  policy: 'allkeys-lru';
  why: string;
}

/** In-cluster Redis only while one pod's copy stays small and the availability target tolerates a manual failover. */
export const IN_CLUSTER_REDIS_MAX_GB = 25;
export const IN_CLUSTER_REDIS_MAX_AVAILABILITY = 99.95;
/** Redis memory: maxmemory = data × 1.25 (fragmentation, key overhead); pod = maxmemory × 1.5 (fork for AOF rewrite). */
const REDIS_DATA_OVERHEAD = 1.25;
const REDIS_FORK_HEADROOM = 1.5;
export const INFERENCE_CACHE_TTL_S = 3600;

const MANAGED_REDIS: Record<Cloud, string> = {
  aws: 'Amazon ElastiCache for Redis OSS (cluster mode, Multi-AZ with automatic failover)',
  gcp: 'Memorystore for Redis Cluster (multi-zone)',
  azure: 'Azure Cache for Redis Premium (zone redundant)',
  'multi-cloud': 'ElastiCache on EKS and Memorystore on GKE, one per cluster',
};
const DATABRICKS_HOST: Record<Cloud, string> = { aws: 'cloud.databricks.com', gcp: 'gcp.databricks.com', azure: 'azuredatabricks.net', 'multi-cloud': 'cloud.databricks.com' };

export function planOnlineStore(spec: ResolvedSpec, ds: DataScientistDecisions, storage: StoragePlan): OnlineStorePlan {
  const ns = workloadNamespaces(spec).serving;
  const base = ns.replace(/-serving$/, '');
  const store = ds.feature_store.online_store;
  const fs = spec.options.feature_store;
  const perCopy = storage.online_store_gb / 2;
  const maxmemoryMb = Math.max(256, ceilTol((perCopy * REDIS_DATA_OVERHEAD * 1000) / 64) * 64);
  const common = { feature_store: fs, store, dataset_gb: Math.round(perCopy * 100) / 100, maxmemory_mb: maxmemoryMb };
  const selfManaged = fs === 'feast' || fs === 'custom';
  if (store === 'redis' && selfManaged) {
    const small = perCopy <= IN_CLUSTER_REDIS_MAX_GB;
    const relaxed = spec.slo.availability_pct < IN_CLUSTER_REDIS_MAX_AVAILABILITY;
    if (small && relaxed) {
      const name = `${spec.name}-fs-redis`;
      return {
        ...common,
        mode: 'in-cluster',
        service: name,
        host: `${name}-0.${name}.${ns}.svc.cluster.local`,
        port: REDIS_PORT,
        managed_service: null,
        replicas: 3,
        memory_mi: ceilTol(maxmemoryMb * REDIS_FORK_HEADROOM),
        // AOF + RDB snapshot of the data set, at least 10 Gi.
        pvc_gi: Math.max(10, ceilTol((maxmemoryMb * 2) / 1024 / 10) * 10),
        why: `${fs} with a Redis online store of ${common.dataset_gb} GB per copy (≤ ${IN_CLUSTER_REDIS_MAX_GB} GB) and availability ${spec.slo.availability_pct} % (< ${IN_CLUSTER_REDIS_MAX_AVAILABILITY} %): a Redis StatefulSet in the cluster, a primary and two replicas in different zones; failover of the primary is manual (its pod restarts on its volume in about a minute), which this availability target absorbs`,
      };
    }
    return {
      ...common,
      mode: 'managed',
      service: `${spec.name}-online-store`,
      host: `online-store.${base}.internal`,
      port: REDIS_PORT,
      managed_service: MANAGED_REDIS[spec.options.cloud_provider],
      replicas: 0,
      memory_mi: 0,
      pvc_gi: 0,
      why: `${fs} with a Redis online store of ${common.dataset_gb} GB per copy${small ? '' : ` (> ${IN_CLUSTER_REDIS_MAX_GB} GB)`} and availability ${spec.slo.availability_pct} %${relaxed ? '' : ` (≥ ${IN_CLUSTER_REDIS_MAX_AVAILABILITY} %: needs automatic failover)`}: ${MANAGED_REDIS[spec.options.cloud_provider]}, reached through an ExternalName Service on the private DNS name Terraform creates`,
    };
  }
  const managed: Record<string, { host: string; port: number; service: string; why: string }> = {
    dynamodb: { host: `dynamodb.${'us-east-1'}.amazonaws.com`, port: 443, service: 'Amazon DynamoDB (on-demand, three AZs)', why: 'DynamoDB is a regional AWS API: the SDK reaches it over HTTPS with the pod\'s IAM role' },
    bigtable: { host: 'bigtable.googleapis.com', port: 443, service: 'Cloud Bigtable (replicated cluster in a second zone)', why: 'Bigtable is a Google API reached over gRPC/TLS with the pod\'s Workload Identity' },
    redis: { host: `online-store.${base}.internal`, port: REDIS_PORT, service: MANAGED_REDIS[spec.options.cloud_provider], why: `${fs} materialises into a Redis it manages in your cloud account` },
    databricks_online_tables: {
      host: `${spec.name}.${DATABRICKS_HOST[spec.options.cloud_provider]}`,
      port: 443,
      service: 'Databricks Online Tables behind a Feature Serving endpoint',
      why: 'Databricks serves Online Tables through a Feature Serving endpoint of the workspace (HTTPS, token in a Secret)',
    },
  };
  const m = fs === 'tecton'
    ? { host: `${spec.name}.tecton.ai`, port: 443, service: `Tecton feature server over its ${store} online store`, why: `Tecton owns materialisation and its ${store} online store; the model server calls the Tecton feature server (HTTPS), never the store itself` }
    : managed[store] ?? { host: `online-store.${base}.internal`, port: 443, service: store, why: `${store} is a managed service` };
  return { ...common, mode: 'managed', service: `${spec.name}-online-store`, host: m.host, port: m.port, managed_service: m.service, replicas: 0, memory_mi: 0, pvc_gi: 0, why: `${fs} (${store}): ${m.why}` };
}

export function planInferenceCache(spec: ResolvedSpec, mlops: MlopsEngineerDecisions, storage: StoragePlan): InferenceCachePlan {
  const name = `${spec.name}-inference-cache`;
  const ns = workloadNamespaces(spec).serving;
  const mb = Math.max(64, ceilTol(storage.inference_cache_mb / 64) * 64);
  return {
    enabled: mlops.serving.deployed,
    name,
    host: `${name}.${ns}.svc.cluster.local`,
    port: REDIS_PORT,
    maxmemory_mb: mb,
    memory_mi: ceilTol(mb * REDIS_FORK_HEADROOM),
    ttl_seconds: INFERENCE_CACHE_TTL_S,
    policy: 'allkeys-lru',
    why: `a separate Redis, not a logical database of the online store: maxmemory-policy is per instance, and the cache must evict (allkeys-lru) while the online store must never drop a feature (noeviction); ${storage.inference_cache_mb} MB of entries rounded up to ${mb} MB`,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Objects

function managedLabels(spec: ResolvedSpec): Record<string, string> {
  return { 'app.kubernetes.io/part-of': 'mlops-pipeline', 'app.kubernetes.io/managed-by': 'mlops-mcp', 'app.kubernetes.io/name': spec.name };
}

/** deploy/k8s/base/storage.yaml: the block and the ReadWriteMany StorageClass, and the training-data PVC. */
export function storageObjects(spec: ResolvedSpec, plan: StoragePlan, file: FileStoragePlan): (IStorageClass | IPersistentVolumeClaim)[] {
  const ns = workloadNamespaces(spec);
  const objects: (IStorageClass | IPersistentVolumeClaim)[] = [
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: plan.storage_class, labels: managedLabels(spec) },
      provisioner: plan.csi_driver,
      parameters: plan.parameters,
      // Bind in the zone where the pod is scheduled (spot nodes can be in any zone); grow without re-creating.
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
      reclaimPolicy: 'Delete',
    },
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: file.storage_class, labels: managedLabels(spec), annotations: { 'mlops-mcp/use': 'ReadWriteMany: data several pods share (multi-node training checkpoints, notebooks); not the model cache, which is per pod' } },
      provisioner: file.csi_driver,
      parameters: file.parameters,
      // File shares are regional (EFS, Azure Files) or zonal with their own placement (Filestore): bind at once.
      volumeBindingMode: 'Immediate',
      allowVolumeExpansion: true,
      // Retain: the cache is rebuilt from the registry anyway, but a deleted claim must not delete a share others mount.
      reclaimPolicy: 'Retain',
    },
  ];
  if (plan.training_pvc_name) {
    objects.push({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: plan.training_pvc_name,
        namespace: ns.training,
        labels: componentLabels(spec, 'training-data', plan.training_pvc_name),
        annotations: { 'mlops-mcp/sizing': `${plan.gb_per_day} GB/day × ${plan.window_days} days × ${0.25} columnar × 1.5 scratch` },
      },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: plan.storage_class, resources: { requests: { storage: `${plan.training_pvc_gi}Gi` } } },
    });
  }
  return objects;
}

export type FeatureStoreObject = IConfigMap | IService | IStatefulSet | IPodDisruptionBudget | IDeployment;

function redisConf(lines: Record<string, string>): string {
  return `${Object.entries(lines)
    .map(([k, v]) => `${k} ${v}`)
    .join('\n')}\n`;
}

/** The Redis password comes from the online-store Secret mlops_engineer lists (key ONLINE_STORE_PASSWORD). */
function passwordEnv(spec: ResolvedSpec) {
  return [{ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: `${spec.name}-online-store`, key: 'ONLINE_STORE_PASSWORD' } } }];
}

function redisStatefulSet(spec: ResolvedSpec, plan: OnlineStorePlan, blockClass: string): FeatureStoreObject[] {
  const ns = workloadNamespaces(spec).serving;
  const name = plan.service;
  const labels = componentLabels(spec, 'online-store', name);
  const selector = componentSelector(spec, 'online-store', name);
  const primary = `${name}-0.${name}.${ns}.svc.cluster.local`;
  const script = [
    'set -eu',
    'set -- /etc/redis/redis.conf --requirepass "$REDIS_PASSWORD" --masterauth "$REDIS_PASSWORD"',
    // Ordinal 0 is the primary; the others replicate it.
    `if [ "\${HOSTNAME##*-}" != "0" ]; then set -- "$@" --replicaof ${primary} ${REDIS_PORT}; fi`,
    'exec redis-server "$@"',
  ].join('\n');
  const config: IConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${name}-config`, namespace: ns, labels },
    data: {
      'redis.conf': redisConf({
        port: String(REDIS_PORT),
        dir: '/data',
        maxmemory: `${plan.maxmemory_mb}mb`,
        // Features must never vanish silently: a full store refuses writes (materialisation alerts) instead of evicting.
        'maxmemory-policy': 'noeviction',
        appendonly: 'yes',
        appendfsync: 'everysec',
        'replica-read-only': 'yes',
      }),
    },
  };
  const headless: IService = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, labels },
    // Headless: stable per-pod DNS names (<name>-0.<name>) for the primary and the replication links.
    spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector, ports: [{ name: 'redis', port: REDIS_PORT, targetPort: 'redis', protocol: 'TCP' }] },
  };
  const sts: IStatefulSet = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: ns, labels },
    spec: {
      serviceName: name,
      replicas: plan.replicas,
      podManagementPolicy: 'OrderedReady',
      selector: { matchLabels: selector },
      template: {
        metadata: { labels },
        spec: {
          priorityClassName: priorityClassNames(spec).serving,
          securityContext: POD_SECURITY,
          affinity: avoidSpotAffinity(spec),
          topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: selector } }],
          containers: [
            {
              name: 'redis',
              image: REDIS_IMAGE,
              command: ['sh', '-c', script],
              env: passwordEnv(spec),
              ports: [{ name: 'redis', containerPort: REDIS_PORT, protocol: 'TCP' }],
              resources: { requests: { cpu: '1', memory: `${plan.memory_mi}Mi` }, limits: { memory: `${plan.memory_mi}Mi` } },
              readinessProbe: { tcpSocket: { port: 'redis' }, periodSeconds: 5 },
              livenessProbe: { tcpSocket: { port: 'redis' }, periodSeconds: 10, failureThreshold: 6 },
              securityContext: CONTAINER_SECURITY,
              volumeMounts: [
                { name: 'data', mountPath: '/data' },
                { name: 'config', mountPath: '/etc/redis', readOnly: true },
              ],
            },
          ],
          volumes: [{ name: 'config', configMap: { name: `${name}-config` } }],
        },
      },
      volumeClaimTemplates: [
        { metadata: { name: 'data', labels }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: blockClass, resources: { requests: { storage: `${plan.pvc_gi}Gi` } } } },
      ],
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
    },
  };
  const pdb: IPodDisruptionBudget = {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace: ns, labels },
    // A drain takes one Redis pod at a time: the primary or one replica, never two copies at once.
    spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
  };
  return [config, headless, sts, pdb];
}

function inferenceCache(spec: ResolvedSpec, plan: InferenceCachePlan): FeatureStoreObject[] {
  const ns = workloadNamespaces(spec).serving;
  const labels = componentLabels(spec, 'inference-cache', plan.name);
  const selector = componentSelector(spec, 'inference-cache', plan.name);
  const config: IConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${plan.name}-config`, namespace: ns, labels },
    data: {
      'redis.conf': redisConf({
        port: String(REDIS_PORT),
        maxmemory: `${plan.maxmemory_mb}mb`,
        // A cache: evict the least recently used key of any kind when full; entries also expire (TTL set per key).
        'maxmemory-policy': plan.policy,
        appendonly: 'no',
        save: '""',
      }),
    },
  };
  const deployment: IDeployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: plan.name, namespace: ns, labels },
    spec: {
      // One replica: two independent caches would halve the hit rate; the model server fails open when it is down.
      replicas: 1,
      strategy: { type: 'Recreate' },
      selector: { matchLabels: selector },
      template: {
        metadata: { labels },
        spec: {
          priorityClassName: priorityClassNames(spec).serving,
          securityContext: POD_SECURITY,
          affinity: avoidSpotAffinity(spec),
          containers: [
            {
              name: 'redis',
              image: REDIS_IMAGE,
              command: ['redis-server', '/etc/redis/redis.conf', '--requirepass', '$(REDIS_PASSWORD)'],
              env: passwordEnv(spec),
              ports: [{ name: 'redis', containerPort: REDIS_PORT, protocol: 'TCP' }],
              resources: { requests: { cpu: '500m', memory: `${plan.memory_mi}Mi` }, limits: { memory: `${plan.memory_mi}Mi` } },
              readinessProbe: { tcpSocket: { port: 'redis' }, periodSeconds: 5 },
              securityContext: CONTAINER_SECURITY,
              volumeMounts: [{ name: 'config', mountPath: '/etc/redis', readOnly: true }],
            },
          ],
          volumes: [{ name: 'config', configMap: { name: `${plan.name}-config` } }],
        },
      },
    },
  };
  const service: IService = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: plan.name, namespace: ns, labels },
    spec: { type: 'ClusterIP', selector, ports: [{ name: 'redis', port: REDIS_PORT, targetPort: 'redis', protocol: 'TCP' }] },
  };
  return [config, deployment, service];
}

/** The endpoints the model server reads (envFrom): online store and inference cache. */
export function endpointsConfigMapName(spec: ResolvedSpec): string {
  return `${spec.name}-data-endpoints`;
}

/** deploy/k8s/base/feature-store.yaml */
export function featureStoreObjects(spec: ResolvedSpec, online: OnlineStorePlan, cache: InferenceCachePlan, storage: StoragePlan): FeatureStoreObject[] {
  const ns = workloadNamespaces(spec).serving;
  const objects: FeatureStoreObject[] = [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: endpointsConfigMapName(spec), namespace: ns, labels: componentLabels(spec, 'data-endpoints', endpointsConfigMapName(spec)) },
      data: {
        FEATURE_STORE: online.feature_store,
        ONLINE_STORE_KIND: online.store,
        ONLINE_STORE_MODE: online.mode,
        ONLINE_STORE_HOST: online.host,
        ONLINE_STORE_PORT: String(online.port),
        ...(cache.enabled
          ? { INFERENCE_CACHE_HOST: cache.host, INFERENCE_CACHE_PORT: String(cache.port), INFERENCE_CACHE_TTL_SECONDS: String(cache.ttl_seconds), INFERENCE_CACHE_MAX_MB: String(cache.maxmemory_mb) }
          : {}),
      },
    },
  ];
  if (online.mode === 'in-cluster') objects.push(...redisStatefulSet(spec, online, storage.storage_class));
  else if (online.port === REDIS_PORT) {
    // Managed Redis: a stable in-cluster name for the private endpoint (an ExternalName is a DNS CNAME, no proxy).
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: online.service, namespace: ns, labels: componentLabels(spec, 'online-store', online.service), annotations: { 'mlops-mcp/managed-service': online.managed_service ?? '' } },
      spec: { type: 'ExternalName', externalName: online.host, ports: [{ name: 'redis', port: REDIS_PORT, protocol: 'TCP' }] },
    });
  }
  if (cache.enabled) objects.push(...inferenceCache(spec, cache));
  return objects;
}
