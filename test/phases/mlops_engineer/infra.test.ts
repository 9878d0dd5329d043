import { describe, expect, it } from 'vitest';
import { bucketPrefix } from '../../../src/generators/terraform/envs.js';
import { generateTerraform } from '../../../src/generators/terraform/index.js';
import { poolsForEnv, spotShare } from '../../../src/generators/terraform/nodePools.js';
import { DATA_LAYERS, secretName } from '../../../src/generators/terraform/types.js';
import { objectStoreUri } from '../../../src/phases/common.js';
import { planMlops } from '../../../src/phases/mlops_engineer/derive.js';
import { surgeFactor } from '../../../src/phases/mlops_engineer/index.js';
import { KUBERNETES_VERSION, nodePoolSummary, terraformInput } from '../../../src/phases/mlops_engineer/infra.js';
import type { ResolvedSpec } from '../../../src/spec/resolve.js';
import { checkReferences, parseAll } from '../../generators/terraform/parsed.js';
import { runPhase, upstreamFor } from '../../helpers/phaseHarness.js';
import { defaultSpec, richSpec, withPatch } from '../../helpers/specs.js';

const CLOUDS = ['aws', 'gcp', 'azure', 'multi-cloud'] as const;

function inputs(spec: ResolvedSpec) {
  const up = upstreamFor(spec, 'mlops_engineer');
  const plan = planMlops(spec, up.data_scientist, up.ml_engineer, up.python_pro);
  const surge = surgeFactor(plan);
  return { up, plan, surge, input: terraformInput(spec, plan, up, surge), summary: nodePoolSummary(spec, plan, up.ml_engineer, surge) };
}

describe('terraformInput: node pools', () => {
  it('give spot at least slo.min_spot_pct of the interruptible capacity, on every cloud and in every environment', () => {
    for (const cloud of CLOUDS) {
      for (const pct of [50, 60, 75, 95]) {
        for (const mode of ['realtime', 'hybrid'] as const) {
          const spec = withPatch(defaultSpec(), { options: { cloud_provider: cloud, deployment_mode: mode }, slo: { min_spot_pct: pct }, scale: { batch_size: 400_000_000 } });
          const { input, summary } = inputs(spec);
          expect(input.min_spot_pct).toBe(pct);
          for (const s of summary) {
            for (const env of ['dev', 'staging', 'prod'] as const) {
              const share = spotShare(poolsForEnv(input.node_pools[s.cloud]!, env, pct));
              expect(share.spot_pct, `${cloud} ${pct} % ${mode} ${env}`).toBeGreaterThanOrEqual(pct);
              expect(s.spot_share[env]).toEqual(share);
            }
          }
        }
      }
    }
  });

  it('run serving on on-demand nodes sized for max replicas × release surge, and training / batch on spot', () => {
    const spec = withPatch(defaultSpec(), { options: { deployment_mode: 'hybrid' } });
    const { plan, surge, summary } = inputs(spec);
    const aws = summary.find((s) => s.cloud === 'aws')!;
    const serving = aws.pools.find((p) => p.pool.key === 'serving')!;
    expect(serving.pool.spot).toBe(false);
    expect(serving.pool.max_nodes * serving.pods_per_node).toBeGreaterThanOrEqual(Math.ceil(plan.sizing.max_replicas * surge));
    expect(serving.pool.min_nodes).toBeGreaterThanOrEqual(Math.min(plan.sizing.min_replicas, 3));
    expect(aws.pools.find((p) => p.pool.key === 'training')!.pool).toMatchObject({ spot: true, min_nodes: 0 });
    const batch = aws.pools.find((p) => p.pool.key === 'batch')!;
    expect(batch.pool.spot).toBe(true);
    expect(batch.pool.max_nodes * batch.pods_per_node).toBeGreaterThanOrEqual(plan.batch!.parallelism);
    expect(aws.pools.find((p) => p.pool.key === 'system')!.pool.spot).toBe(false);
    for (const p of aws.pools) expect(p.why.length, p.pool.key).toBeGreaterThan(20);
  });

  it('follow deployment_mode: a serving pool only with a model server, a batch pool only with batch scoring, room for stream consumers', () => {
    const keys = (mode: string) => inputs(withPatch(defaultSpec(), { options: { deployment_mode: mode } })).input.node_pools.aws!.map((p) => p.key);
    expect(keys('realtime')).toEqual(['system', 'serving', 'training']);
    expect(keys('batch')).toEqual(['system', 'training', 'batch']);
    expect(keys('hybrid')).toEqual(['system', 'serving', 'training', 'batch']);
    expect(keys('streaming')).toEqual(['system', 'serving', 'training']);
    const system = (mode: string) => inputs(withPatch(defaultSpec(), { options: { deployment_mode: mode } })).input.node_pools.aws!.find((p) => p.key === 'system')!;
    expect(system('streaming').max_nodes).toBeGreaterThan(system('realtime').max_nodes);
  });

  it('follow min_spot_pct: an on-demand fallback per spot pool as large as the share allows, none when it allows no node', () => {
    const pools = (pct: number) => inputs(withPatch(defaultSpec(), { options: { deployment_mode: 'batch' }, slo: { min_spot_pct: pct } })).input.node_pools.aws!;
    const low = pools(50);
    expect(low.filter((p) => !p.spot && p.labels['mlops-mcp/fallback-for']).map((p) => p.key)).toEqual(['training-od', 'batch-od']);
    expect(spotShare(low).spot_pct).toBe(50);
    expect(pools(90).filter((p) => p.labels['mlops-mcp/fallback-for'])).toEqual([]);
  });

  it('add a GPU pool only when GPUs are requested', () => {
    for (const cloud of CLOUDS) {
      const cpu = inputs(withPatch(defaultSpec(), { options: { cloud_provider: cloud } })).input;
      for (const pools of Object.values(cpu.node_pools)) expect(pools!.filter((p) => p.gpus_per_node > 0), cloud).toEqual([]);
      const gpu = inputs(withPatch(defaultSpec(), { options: { cloud_provider: cloud }, scale: { training_gpus: 4, serving_gpus: 1 } }));
      for (const pools of Object.values(gpu.input.node_pools)) {
        const training = pools!.find((p) => p.key === 'gpu-training')!;
        expect(training).toMatchObject({ workload: 'gpu-training', spot: true });
        expect(training.gpus_per_node).toBeGreaterThanOrEqual(gpu.up.ml_engineer.distributed.enabled ? gpu.up.ml_engineer.distributed.gpus_per_worker : 4);
        expect(training.gpu_type).not.toBe('');
        expect(training.taints).toContainEqual({ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' });
        const serving = pools!.find((p) => p.key === 'gpu-serving')!;
        expect(serving).toMatchObject({ workload: 'gpu-serving', spot: false, gpus_per_node: expect.any(Number) });
        expect(serving.gpus_per_node).toBeGreaterThanOrEqual(1);
      }
    }
  });

  it('pick machine types of the cloud: EC2 on AWS, GCE on GCP, Azure VM sizes on Azure, both on multi-cloud', () => {
    const types = (cloud: (typeof CLOUDS)[number]) => inputs(withPatch(defaultSpec(), { options: { cloud_provider: cloud } })).input.node_pools;
    expect(types('aws').aws!.every((p) => /^[a-z0-9]+\.[a-z0-9]+$/.test(p.machine_type))).toBe(true);
    expect(types('gcp').gcp!.every((p) => /^[a-z0-9]+-[a-z]+-\d+$/.test(p.machine_type))).toBe(true);
    expect(types('azure').azure!.every((p) => p.machine_type.startsWith('Standard_'))).toBe(true);
    expect(Object.keys(types('multi-cloud')).sort()).toEqual(['aws', 'gcp']);
    // GKE and AKS spot pools carry their spot taint (the manifests tolerate it); EKS spot nodes are only labelled.
    expect(types('gcp').gcp!.find((p) => p.spot)!.taints).toContainEqual({ key: 'cloud.google.com/gke-spot', value: 'true', effect: 'NoSchedule' });
    expect(types('azure').azure!.find((p) => p.spot)!.taints).toContainEqual({ key: 'kubernetes.azure.com/scalesetpriority', value: 'spot', effect: 'NoSchedule' });
    expect(types('aws').aws!.find((p) => p.spot)!.taints).toEqual([]);
  });
});

describe('terraformInput: buckets, secrets, identities', () => {
  it('takes retention per layer from the data_engineer decisions (the spec override wins there) and keeps every model, versioned', () => {
    const { up, input } = inputs(defaultSpec());
    for (const layer of ['raw', 'processed', 'features'] as const) {
      expect(input.buckets.find((b) => b.layer === layer)!.retention_days).toBe(up.data_engineer.layers[layer].retention_days);
    }
    expect(input.buckets.find((b) => b.layer === 'models')).toEqual({ layer: 'models', retention_days: null, cool_after_days: null, versioned: true });
    expect(input.buckets.map((b) => b.layer)).toEqual([...DATA_LAYERS]);
    const shorter = inputs(withPatch(defaultSpec(), { data: { retention: { raw_days: 21 } } })).input;
    // 21 days: expire at 21, never worth the infrequent-access tier.
    expect(shorter.buckets.find((b) => b.layer === 'raw')).toMatchObject({ retention_days: 21, cool_after_days: null });
  });

  it('names production buckets exactly as objectStoreUri does for the rest of the bundle', () => {
    for (const cloud of ['aws', 'gcp', 'multi-cloud'] as const) {
      const spec = withPatch(defaultSpec(), { options: { cloud_provider: cloud } });
      for (const layer of DATA_LAYERS) expect(objectStoreUri(spec, layer)).toMatch(new RegExp(`^[a-z0-9]+://${bucketPrefix(spec.name, 'prod')}-${layer}$`));
    }
  });

  it('creates the plan\'s secrets under their backend names, read only by the External Secrets identity; none when Vault holds them', () => {
    const spec = defaultSpec();
    const { plan, input } = inputs(spec);
    expect(input.secrets_backend).toBe('cloud');
    expect(input.secrets.map((s) => s.name)).toEqual(plan.secrets.map((s) => secretName('aws', spec.name, s.name.slice(spec.name.length + 1))));
    expect(input.secrets[0]!.name).toBe(`${spec.name}/tracking`);
    const eso = input.identities.find((i) => i.role === 'external-secrets')!;
    expect(eso.secrets).toEqual(input.secrets.map((s) => s.name));
    for (const i of input.identities.filter((x) => x.role !== 'external-secrets')) expect(i.secrets).toEqual([]);
    expect(inputs(withPatch(spec, { options: { cloud_provider: 'gcp' } })).input.secrets[0]!.name).toBe(`${spec.name}-tracking`);
    const vault = inputs(withPatch(spec, { delivery: { secrets_backend: 'vault' } })).input;
    expect(vault.secrets_backend).toBe('vault');
    expect(vault.secrets).toEqual([]);
    expect(vault.identities.every((i) => i.secrets.length === 0)).toBe(true);
    // Multi-cloud resolves to Vault when the spec says nothing.
    expect(inputs(withPatch(spec, { options: { cloud_provider: 'multi-cloud' }, delivery: { secrets_backend: null } })).input.secrets_backend).toBe('vault');
  });

  it('carries the ServiceAccounts and infrastructure placeholders the phase hands off, so helm_values sets exactly them', () => {
    for (const spec of [defaultSpec(), withPatch(richSpec(), { options: { cloud_provider: 'multi-cloud' } })]) {
      const { up, input } = inputs(spec);
      const decisions = runPhase('mlops_engineer', spec, undefined, up).decisions;
      expect(input.identities.map((i) => ({ role: i.role, namespace: i.namespace, name: i.service_account }))).toEqual(decisions.service_accounts);
      expect(input.infra_values.map((v) => ({ key: v.key, placeholder: v.placeholder, description: v.description }))).toEqual(decisions.infrastructure_values);
    }
  });

  it('uses the default regions, Kubernetes 1.31 and the own images (no model server image for batch-only)', () => {
    expect(inputs(defaultSpec()).input).toMatchObject({ regions: { aws: 'us-east-1' }, kubernetes_version: KUBERNETES_VERSION, environments: ['dev', 'staging', 'prod'] });
    expect(inputs(withPatch(defaultSpec(), { options: { cloud_provider: 'multi-cloud' } })).input.regions).toEqual({ aws: 'us-east-1', gcp: 'us-central1' });
    expect(inputs(withPatch(defaultSpec(), { options: { cloud_provider: 'azure' } })).input.regions).toEqual({ azure: 'eastus' });
    const spec = defaultSpec();
    expect(Object.keys(inputs(spec).input.image_repositories)).toEqual(['server', 'jobs']);
    expect(inputs(spec).input.image_repositories.server).toBe(`${spec.name}/${spec.name}-model-server`);
    expect(Object.keys(inputs(withPatch(spec, { options: { deployment_mode: 'batch' } })).input.image_repositories)).toEqual(['jobs']);
    expect(inputs(spec).input.owner).toBe(spec.team.owner);
  });
});

describe('the Terraform of a designed pipeline', () => {
  it('parses for every cloud option, every reference resolves, and each option gives its own cloud\'s resources only', async () => {
    for (const cloud of CLOUDS) {
      const files = generateTerraform(inputs(withPatch(defaultSpec(), { options: { cloud_provider: cloud } })).input);
      expect(checkReferences(files, await parseAll(files)), cloud).toEqual([]);
      const all = files.map((f) => f.content).join('\n');
      const aws = /resource "aws_/.test(all);
      expect(aws, cloud).toBe(cloud === 'aws' || cloud === 'multi-cloud');
      expect(/resource "azurerm_/.test(all), cloud).toBe(cloud === 'azure');
      expect(/resource "google_/.test(all), cloud).toBe(cloud === 'gcp' || cloud === 'multi-cloud');
    }
  });

  it('is the same for the same spec, and follows GPUs and retention', () => {
    const base = generateTerraform(inputs(defaultSpec()).input);
    expect(generateTerraform(inputs(defaultSpec()).input)).toEqual(base);
    const text = (spec: ResolvedSpec) => generateTerraform(inputs(spec).input).map((f) => f.content).join('\n');
    expect(text(withPatch(defaultSpec(), { scale: { training_gpus: 2 } }))).toContain('gpu-training');
    expect(text(withPatch(defaultSpec(), { data: { retention: { processed_days: 99 } } }))).toContain('retention_days  = 99');
  });
});
