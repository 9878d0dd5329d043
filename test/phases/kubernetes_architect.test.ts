import { describe, expect, it } from 'vitest';
import { KubernetesArchitectDecisions } from '../../src/phases/kubernetes_architect/decisions.js';
import { runsPerWeek } from '../../src/phases/kubernetes_architect/derive.js';
import { kubernetesArchitect } from '../../src/phases/kubernetes_architect/index.js';
import type { DecisionsByPhase, PhaseOutput } from '../../src/phases/types.js';
import { runAllPhases } from '../../src/pipeline/runPhases.js';
import type { ResolvedSpec } from '../../src/spec/resolve.js';
import { cpuCores } from '../../src/phases/kubernetes_architect/quantity.js';
import { validateManifest } from '../../src/validate/validators/kubernetes.js';
import { artifactAt, baseManifests, decisionsOf, k8sObjects as objectsOf, runPhase, validateK8s, withSpec, yamllint, type K8sObject } from '../helpers/phaseHarness.js';
import { defaultSpec, richSpec } from '../helpers/specs.js';

interface Bundle {
  mlops: PhaseOutput<'mlops_engineer'>;
  k8s: PhaseOutput<'kubernetes_architect'>;
  upstream: Partial<DecisionsByPhase>;
}

function run(spec: ResolvedSpec, notes?: string): Bundle {
  const { outputs } = runAllPhases(spec, 'mlops_engineer');
  const upstream = decisionsOf(outputs);
  return { mlops: outputs.mlops_engineer!, k8s: runPhase('kubernetes_architect', spec, notes, upstream), upstream };
}

type PodTemplate = { metadata: { labels: Record<string, string> }; spec: { priorityClassName?: string; volumes?: { name: string; persistentVolumeClaim?: { claimName: string }; ephemeral?: { volumeClaimTemplate: { spec: { storageClassName?: string } } } }[]; containers: { resources?: { requests?: Record<string, string> } }[]; affinity?: unknown; tolerations?: { key?: string }[] } };
/** Pod templates of a workload with their pod count (the serving Deployment at its HPA maximum). */
function podTemplates(obj: K8sObject): { template: PodTemplate; pods: number }[] {
  const spec = obj.spec as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (obj.kind === 'Deployment' || obj.kind === 'StatefulSet' || obj.kind === 'Rollout') return [{ template: spec.template, pods: spec.replicas ?? 1 }];
  if (obj.kind === 'Job') return [{ template: spec.template, pods: spec.parallelism ?? 1 }];
  if (obj.kind === 'CronJob') return [{ template: spec.jobTemplate.spec.template, pods: spec.jobTemplate.spec.parallelism ?? 1 }];
  if (obj.kind === 'PyTorchJob') return Object.values(spec.pytorchReplicaSpecs as Record<string, { template: PodTemplate; replicas?: number }>).map((r) => ({ template: r.template, pods: r.replicas ?? 1 }));
  return [];
}
function podTemplate(obj: K8sObject): PodTemplate | null {
  return podTemplates(obj)[0]?.template ?? null;
}
function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** Every object of the bundle's deploy/k8s/base (mlops serving.yaml + this phase's files). */
function allObjects(b: Bundle): K8sObject[] {
  return [...baseManifests(b.mlops), ...baseManifests(b.k8s)].flatMap(objectsOf);
}

// ---------------------------------------------------------------------------------------------------------------

describe('kubernetes_architect: default spec (aws, kserve, realtime, CPU)', () => {
  const spec = defaultSpec();
  const b = run(spec);
  const d = b.k8s.decisions;
  const mlops = b.mlops.decisions;

  it('derives the namespaces from team.namespace', () => {
    expect(d.namespaces).toEqual({
      serving: 'ml-detect-fraudulent-card-payments-serving',
      training: 'ml-detect-fraudulent-card-payments-training',
      batch: 'ml-detect-fraudulent-card-payments-batch',
      monitoring: 'ml-detect-fraudulent-card-payments-monitoring',
    });
  });

  it('orders priority classes serving > training > batch', () => {
    expect(d.priority_classes).toEqual([
      { name: 'ml-detect-fraudulent-card-payments-serving-critical', value: 100_000 },
      { name: 'ml-detect-fraudulent-card-payments-training-standard', value: 10_000 },
      { name: 'ml-detect-fraudulent-card-payments-batch-preemptible', value: 1_000 },
    ]);
  });

  it('uses the Karpenter and EKS spot labels, 70 % target (60 % SLO + 10, rounded to 5), no taint on AWS', () => {
    expect(d.spot.node_label).toBe('karpenter.sh/capacity-type');
    expect(d.spot.node_label_value).toBe('spot');
    expect(d.spot.labels).toEqual([
      { key: 'karpenter.sh/capacity-type', value: 'spot' },
      { key: 'eks.amazonaws.com/capacityType', value: 'SPOT' },
    ]);
    expect(d.spot.share_pct).toBe(70);
    expect(d.spot.toleration_key).toBeNull();
  });

  it('shares no GPU when none are requested', () => {
    expect(d.gpu).toMatchObject({ training: 0, serving: 0, sharing: 'none', physical_serving_gpus: 0 });
  });

  it('kserve: no HPA of ours, the InferenceService carries min/max (platform autoscaling), stated in the document', () => {
    expect(mlops.serving.autoscaler).toBe('platform');
    expect(d.autoscaling).toMatchObject({ enabled: false, mode: 'platform' });
    expect(b.k8s.artifacts.map((a) => a.path)).not.toContain('deploy/k8s/base/hpa.yaml');
    expect(b.k8s.document).toContain('its controller creates the autoscaler');
  });

  it('torchserve: an HPA on the serving workload with its min/max and CPU target = ρ', () => {
    const ts = run(withSpec(spec, (s) => (s.options.serving_platform = 'torchserve')));
    const dd = ts.k8s.decisions;
    const sv = ts.mlops.decisions.serving;
    expect(sv.autoscaler).toBe('hpa');
    expect(dd.autoscaling).toMatchObject({ enabled: true, mode: 'hpa', target: sv.workload });
    expect(dd.autoscaling.min_replicas).toBe(sv.min_replicas);
    expect(dd.autoscaling.max_replicas).toBe(sv.max_replicas);
    expect(dd.autoscaling.target_cpu_pct).toBe(Math.round(sv.target_utilisation * 100));
    expect(dd.autoscaling.target_rps_per_pod).toBe(sv.rps_per_replica);
    expect(dd.autoscaling.rps_metric).toBeNull();
    const doublings = Math.ceil(Math.log2(sv.max_replicas / sv.min_replicas) - 1e-9);
    expect(dd.autoscaling.seconds_to_max).toBe(doublings * (15 + 120));
    const hpa = objectsOf(artifactAt(ts.k8s, 'deploy/k8s/base/hpa.yaml'))[0]!;
    expect((hpa.spec as { scaleTargetRef: unknown }).scaleTargetRef).toEqual({ apiVersion: sv.workload!.api_version, kind: sv.workload!.kind, name: sv.workload!.name });
  });

  it('sizes the training PVC from data volume × window (gp3 on EBS)', () => {
    const de = b.upstream.data_engineer!;
    const ds = b.upstream.data_scientist!;
    const raw = de.total_gb_per_day * ds.training_data.window_days * 0.25 * 1.5;
    expect(d.storage.csi_driver).toBe('ebs.csi.aws.com');
    expect(d.storage.storage_class).toBe('ml-detect-fraudulent-card-payments-ssd');
    expect(d.storage.training_pvc_gi).toBe(Math.min(16_000, Math.max(20, Math.ceil(raw / 10 - 1e-9) * 10)));
    expect(d.storage.training_pvc_name).toBe('detect-fraudulent-card-payments-train-data');
    const sc = objectsOf(artifactAt(b.k8s, 'deploy/k8s/base/storage.yaml'))[0]!;
    expect(sc).toMatchObject({ provisioner: 'ebs.csi.aws.com', parameters: { type: 'gp3', iops: '3000', throughput: '125' }, volumeBindingMode: 'WaitForFirstConsumer' });
  });

  it('sizes the serving quota from max replicas × release surge × requests, plus shadow, A/B treatment, inference cache and sidecars, × 1.2', () => {
    const q = d.quotas.find((x) => x.namespace === d.namespaces.serving)!;
    const sv = mlops.serving;
    const pods = Math.ceil(sv.max_replicas * mlops.rollout.max_surge_factor - 1e-9);
    // The shadow (if any) serves its mirrored share of the peak; the inference-cache Redis (0.5 CPU) runs next to the
    // model server (the online store is DynamoDB, managed); every pod carries istio-proxy (0.1 CPU).
    const shadow = mlops.rollout.shadow_target?.workload ? Math.max(1, Math.ceil((sv.max_replicas * mlops.rollout.shadow_mirror_pct) / 100 - 1e-9)) : 0;
    const ab = mlops.ab_experiment;
    const treatment = ab ? Math.max(1, Math.ceil((sv.max_replicas * ab.treatment_weight_pct) / 100 - 1e-9)) : 0;
    const all = pods + shadow + treatment + 1;
    expect(q.cpu).toBe(Math.ceil(((pods + shadow + treatment) * Number(sv.cpu) + 0.5 + all * 0.1) * 1.2 - 1e-9));
    expect(q.pods).toBe(Math.ceil(all * 1.2 - 1e-9));
    expect(q.gpus).toBe(0);
    const hard = (objectsOf(artifactAt(b.k8s, 'deploy/k8s/base/quotas.yaml')).find((o) => o.kind === 'ResourceQuota' && o.metadata.namespace === q.namespace)!.spec as { hard: Record<string, string> }).hard;
    // limits.memory covers our memory limits plus one 1 Gi istio-proxy limit per pod.
    expect(parseInt(hard['limits.memory']!, 10)).toBeGreaterThanOrEqual((pods + shadow + treatment) * parseInt(sv.memory, 10) + all * 1);
  });

  it('decisions parse with the contract', () => {
    expect(() => KubernetesArchitectDecisions.parse(d)).not.toThrow();
  });
});

describe('kubernetes_architect: rich spec (gcp, triton, GPUs, p99 80 ms, hybrid)', () => {
  const spec = richSpec();
  const b = run(spec);
  const d = b.k8s.decisions;

  it('uses the GKE spot label and taint, 85 % target from min_spot_pct 75', () => {
    expect(d.spot.labels).toEqual([{ key: 'cloud.google.com/gke-spot', value: 'true' }]);
    expect(d.spot.toleration_key).toBe('cloud.google.com/gke-spot');
    expect(d.spot.share_pct).toBe(85);
  });

  it('slices inference GPUs with MIG (p99 < 100 ms) and counts physical GPUs', () => {
    expect(d.gpu.sharing).toBe('mig');
    expect(d.gpu.training).toBe(4);
    expect(d.gpu.serving).toBe(1);
    const requests = Math.ceil(b.mlops.decisions.serving.max_replicas * b.mlops.decisions.rollout.max_surge_factor - 1e-9);
    expect(d.gpu.physical_serving_gpus).toBe(Math.ceil(requests / d.gpu.slices_per_gpu - 1e-9));
  });

  it('drives the GPU HPA by requests per pod, CPU 80 % as backstop', () => {
    expect(d.autoscaling.rps_metric).toBe('inference_requests_per_second');
    expect(d.autoscaling.target_cpu_pct).toBe(80);
    const hpa = objectsOf(artifactAt(b.k8s, 'deploy/k8s/base/hpa.yaml'))[0]!;
    const metrics = (hpa.spec as { metrics: { type: string }[] }).metrics.map((m) => m.type);
    expect(metrics).toEqual(['Resource', 'Pods']);
  });

  it('uses pd-ssd for GPU training and requests GPUs in the training Job (airflow) with spot preference', () => {
    expect(d.storage.csi_driver).toBe('pd.csi.storage.gke.io');
    expect(objectsOf(artifactAt(b.k8s, 'deploy/k8s/base/storage.yaml'))[0]!.parameters).toEqual({ type: 'pd-ssd' });
    const job = objectsOf(artifactAt(b.k8s, 'deploy/k8s/base/training-job.yaml')).find((o) => o.kind === 'Job')!;
    const tpl = podTemplate(job)!;
    expect(tpl.spec.containers[0]!.resources!.requests!['nvidia.com/gpu']).toBe(String(d.training_job.gpus_per_worker));
    expect(JSON.stringify(tpl.spec.affinity)).toContain('preferredDuringSchedulingIgnoredDuringExecution');
    expect(tpl.spec.tolerations!.map((t) => t.key)).toEqual(['cloud.google.com/gke-spot', 'nvidia.com/gpu']);
    // The jobs image copies ml/configs to /app/configs and runs from /app.
    const args = (tpl.spec.containers[0] as { args: string[] }).args;
    expect(args[args.indexOf('--config') + 1]).toBe('configs/training.yaml');
  });

  it('sets a GPU quota on serving and training only', () => {
    const byNs = Object.fromEntries(d.quotas.map((q) => [q.namespace, q.gpus]));
    expect(byNs['forecasting-serving']).toBeGreaterThan(0);
    expect(byNs['forecasting-training']).toBeGreaterThan(0);
    expect(byNs['forecasting-batch']).toBe(0);
  });
});

describe('kubernetes_architect: cloud and mode variants', () => {
  it('azure: scalesetpriority label, its NoSchedule taint, StandardSSD without GPU training', () => {
    const spec = withSpec(defaultSpec(), (s) => (s.options.cloud_provider = 'azure'));
    const b = run(spec);
    expect(b.k8s.decisions.spot).toMatchObject({ node_label: 'kubernetes.azure.com/scalesetpriority', node_label_value: 'spot', toleration_key: 'kubernetes.azure.com/scalesetpriority' });
    expect(b.k8s.decisions.storage.csi_driver).toBe('disk.csi.azure.com');
    const sc = objectsOf(artifactAt(b.k8s, 'deploy/k8s/base/storage.yaml'))[0]!;
    expect(sc.parameters).toEqual({ skuName: 'StandardSSD_LRS' });
    const gpu = withSpec(spec, (s) => (s.scale.training_gpus = 2));
    const sc2 = objectsOf(artifactAt(run(gpu).k8s, 'deploy/k8s/base/storage.yaml'))[0]!;
    expect(sc2.parameters).toEqual({ skuName: 'Premium_LRS' });
  });

  it('multi-cloud carries the AWS and GCP spot labels', () => {
    const spec = withSpec(defaultSpec(), (s) => (s.options.cloud_provider = 'multi-cloud'));
    expect(run(spec).k8s.decisions.spot.labels.map((l) => l.key)).toEqual(['karpenter.sh/capacity-type', 'eks.amazonaws.com/capacityType', 'cloud.google.com/gke-spot']);
  });

  it('time-slices a single inference GPU when p99 ≥ 100 ms', () => {
    const spec = withSpec(defaultSpec(), (s) => (s.scale.serving_gpus = 1));
    const d = run(spec).k8s.decisions;
    expect(d.gpu).toMatchObject({ sharing: 'time-slicing', slices_per_gpu: 4, mig_profile: null });
  });

  it('batch-only: no HPA file, autoscaling disabled', () => {
    const spec = withSpec(defaultSpec(), (s) => (s.options.deployment_mode = 'batch'));
    const b = run(spec);
    expect(b.k8s.decisions.autoscaling.enabled).toBe(false);
    expect(b.k8s.artifacts.map((a) => a.path)).not.toContain('deploy/k8s/base/hpa.yaml');
  });

  it('multi-node training (airflow): Indexed Job, headless rendezvous Service, per-worker ephemeral volumes, worker PDB', () => {
    const spec = withSpec(defaultSpec(), (s) => {
      s.scale.training_gpus = 16;
      s.options.orchestration = 'airflow';
    });
    const b = run(spec);
    const d = b.k8s.decisions;
    if (d.training_job.workers === 1) return; // the ml_engineer in use keeps 16 GPUs on one node
    expect(d.storage.training_pvc_name).toBeNull();
    const objs = objectsOf(artifactAt(b.k8s, 'deploy/k8s/base/training-job.yaml'));
    expect(objs.map((o) => o.kind)).toEqual(['Service', 'Job', 'PodDisruptionBudget']);
    const job = objs[1]!;
    expect((job.spec as { completionMode: string; parallelism: number }).completionMode).toBe('Indexed');
    expect((job.spec as { parallelism: number }).parallelism).toBe(d.training_job.workers);
    expect(objectsOf(artifactAt(b.k8s, 'deploy/k8s/base/storage.yaml')).filter((o) => o.metadata.namespace === d.namespaces.training)).toEqual([]);
  });

  it('counts cron runs per week', () => {
    expect(runsPerWeek('0 3 * * 0')).toBe(1);
    expect(runsPerWeek('0 2 * * 1-5')).toBe(5);
    expect(runsPerWeek('0 */6 * * *')).toBe(28);
    expect(runsPerWeek('@daily')).toBe(7);
    expect(runsPerWeek('30 1,13 * * *')).toBe(14);
  });
});

describe('kubernetes_architect: bundle consistency (mlops serving.yaml + this phase)', () => {
  const variants: [string, ResolvedSpec][] = [
    ['default', defaultSpec()],
    ['rich', richSpec()],
    ['streaming-azure-seldon', withSpec(defaultSpec(), (s) => Object.assign(s.options, { deployment_mode: 'streaming', cloud_provider: 'azure', serving_platform: 'seldon' }))],
    ['batch-multicloud-torchserve', withSpec(defaultSpec(), (s) => Object.assign(s.options, { deployment_mode: 'batch', cloud_provider: 'multi-cloud', serving_platform: 'torchserve' }))],
    ['distributed-training', withSpec(defaultSpec(), (s) => (s.scale.training_gpus = 16))],
  ];
  for (const [name, spec] of variants) {
    describe(name, () => {
      const b = run(spec);
      const objects = allObjects(b);
      // The NVIDIA GPU operator's namespace (gpu-sharing.yaml) is not one of the workload namespaces.
      const namespaces = new Set(objects.filter((o) => o.kind === 'Namespace' && o.metadata.name !== 'gpu-operator').map((o) => o.metadata.name));
      const workloads = objects.filter((o) => podTemplate(o) !== null);

      it('emits the expected files, all kubernetes kind', () => {
        const paths = baseManifests(b.k8s).map((a) => a.path);
        const d = b.k8s.decisions;
        expect(paths).toEqual(
          [
            'namespaces.yaml',
            'priority-classes.yaml',
            'quotas.yaml',
            ...(d.autoscaling.enabled ? ['hpa.yaml'] : []),
            'vpa.yaml',
            ...(d.keda ? ['keda.yaml'] : []),
            'storage.yaml',
            'feature-store.yaml',
            ...(d.gpu.sharing !== 'none' ? ['gpu-sharing.yaml'] : []),
            ...(b.mlops.decisions.serving.deployed ? ['mesh.yaml'] : []),
            'training-job.yaml',
          ].map((f) => `deploy/k8s/base/${f}`),
        );
        expect(d.files).toEqual(paths);
        expect(b.k8s.artifacts.filter((a) => a.path.startsWith('deploy/k8s/base/') && !a.path.endsWith('/kustomization.yaml')).every((a) => a.kind === 'kubernetes')).toBe(true);
      });

      it('every file validates (kubernetes-models, CRD packages, strict custom-resource schemas)', async () => {
        for (const a of [...baseManifests(b.mlops), ...baseManifests(b.k8s)]) expect(await validateManifest(a.content), a.path).toEqual([]);
      });

      it('every namespaced object lives in a namespace of namespaces.yaml', () => {
        expect([...namespaces].sort()).toEqual(Object.values(b.k8s.decisions.namespaces).sort());
        const clusterScoped = new Set(['Namespace', 'PriorityClass', 'StorageClass', 'ClusterSecretStore']);
        for (const obj of objects) {
          if (clusterScoped.has(obj.kind)) expect(obj.metadata.namespace).toBeUndefined();
          // The GPU sharing config belongs to the NVIDIA GPU operator, installed in its own namespace (a prerequisite).
          else if (obj.metadata.namespace === 'gpu-operator') expect(obj.kind).toBe('ConfigMap');
          else expect(namespaces.has(obj.metadata.namespace ?? ''), `${obj.kind} ${obj.metadata.name}`).toBe(true);
        }
      });

      it('every HPA targets the serving workload of mlops_engineer (present in its files), with mlops min/max', () => {
        for (const hpa of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
          const spec = hpa.spec as { scaleTargetRef: { apiVersion: string; kind: string; name: string }; minReplicas: number; maxReplicas: number };
          const w = b.mlops.decisions.serving.workload!;
          expect(spec.scaleTargetRef).toEqual({ apiVersion: w.api_version, kind: w.kind, name: w.name });
          const target = objects.find((o) => o.kind === spec.scaleTargetRef.kind && o.metadata.name === spec.scaleTargetRef.name && o.metadata.namespace === hpa.metadata.namespace);
          expect(target).toBeDefined();
          expect(spec.minReplicas).toBe(b.mlops.decisions.serving.min_replicas);
          expect(spec.maxReplicas).toBe(b.mlops.decisions.serving.max_replicas);
          expect(spec.maxReplicas).toBeGreaterThanOrEqual(spec.minReplicas);
        }
      });

      it('every PDB and Service of this phase selects the pods of exactly one workload in its namespace', () => {
        for (const obj of baseManifests(b.k8s).flatMap(objectsOf).filter((o) => o.kind === 'PodDisruptionBudget' || o.kind === 'Service')) {
          const s = obj.spec as { selector: Record<string, string> & { matchLabels?: Record<string, string> } };
          const selector = obj.kind === 'PodDisruptionBudget' ? s.selector.matchLabels! : s.selector;
          if (obj.kind === 'Service' && (obj.spec as { type?: string }).type === 'ExternalName') continue;
          const hits = workloads.filter((w) => w.metadata.namespace === obj.metadata.namespace && podTemplates(w).some((t) => matches(selector, t.template.metadata.labels)));
          expect(hits.length, `${obj.kind} ${obj.metadata.name}`).toBe(1);
        }
      });

      it('workload selectors match their pod labels; priority classes, PVCs and storage classes exist', () => {
        const classes = new Set(objects.filter((o) => o.kind === 'PriorityClass').map((o) => o.metadata.name));
        const storageClasses = new Set(objects.filter((o) => o.kind === 'StorageClass').map((o) => o.metadata.name));
        const pvcs = new Set(objects.filter((o) => o.kind === 'PersistentVolumeClaim').map((o) => `${o.metadata.namespace}/${o.metadata.name}`));
        for (const o of objects.filter((x) => x.kind === 'PersistentVolumeClaim')) expect(storageClasses.has((o.spec as { storageClassName: string }).storageClassName)).toBe(true);
        for (const w of workloads) {
          const tpl = podTemplate(w)!;
          if (w.kind === 'Deployment' || w.kind === 'StatefulSet') expect(matches((w.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels, tpl.metadata.labels)).toBe(true);
          for (const t of (w.spec as { volumeClaimTemplates?: { spec: { storageClassName: string } }[] }).volumeClaimTemplates ?? []) expect(storageClasses.has(t.spec.storageClassName)).toBe(true);
          expect(classes.has(tpl.spec.priorityClassName ?? ''), `${w.kind} ${w.metadata.name} priority class`).toBe(true);
          for (const v of tpl.spec.volumes ?? []) {
            if (v.persistentVolumeClaim) expect(pvcs.has(`${w.metadata.namespace}/${v.persistentVolumeClaim.claimName}`)).toBe(true);
            if (v.ephemeral) expect(storageClasses.has(v.ephemeral.volumeClaimTemplate.spec.storageClassName ?? '')).toBe(true);
          }
        }
      });

      it('quotas cover the workloads of each namespace (requests.cpu, GPUs)', () => {
        for (const q of objects.filter((o) => o.kind === 'ResourceQuota')) {
          const hard = (q.spec as { hard: Record<string, string> }).hard;
          let cpu = 0;
          let gpus = 0;
          for (const w of workloads.filter((x) => x.metadata.namespace === q.metadata.namespace)) {
            for (const { template, pods: declared } of podTemplates(w)) {
              const pods = w.metadata.name === b.mlops.decisions.serving.workload?.name ? b.mlops.decisions.serving.max_replicas : declared;
              for (const c of template.spec.containers) {
                const r = c.resources?.requests ?? {};
                cpu += pods * cpuCores(String(r.cpu ?? '0'));
                gpus += pods * Number(r['nvidia.com/gpu'] ?? 0);
              }
            }
          }
          expect(Number(hard['requests.cpu'])).toBeGreaterThanOrEqual(cpu);
          expect(Number(hard['requests.nvidia.com/gpu'])).toBeGreaterThanOrEqual(gpus);
        }
      });

      it('interruptible pods prefer spot; serving pods refuse it', () => {
        for (const w of workloads) {
          const affinity = JSON.stringify(podTemplate(w)!.spec.affinity ?? {});
          const interruptible = w.kind === 'Job' || w.kind === 'CronJob' || w.kind === 'PyTorchJob';
          expect(affinity).toContain(interruptible ? 'preferredDuringSchedulingIgnoredDuringExecution' : 'requiredDuringSchedulingIgnoredDuringExecution');
          for (const l of b.k8s.decisions.spot.labels) expect(affinity).toContain(l.key);
        }
      });

      it('every file passes yamllint (Helm templates are checked by helm instead)', () => {
        for (const a of b.k8s.artifacts.filter((x) => x.kind !== 'helm-template')) {
          expect(yamllint(a.content), a.path).toEqual({ ok: true, output: '' });
        }
      });
    });
  }
});

describe('kubernetes_architect: document', () => {
  const spec = defaultSpec();
  const b = run(spec);

  it('has one section per deliverable and one subsection per bullet, then the hand-off', () => {
    const headings = b.k8s.document.split('\n').filter((l) => /^#{2,3} /.test(l));
    expect(headings).toEqual([
      '## 1. Workload orchestration',
      '### Training job scheduling with Kubeflow',
      '### GPU allocation and sharing',
      '### Spot/preemptible instance integration',
      '### Priority classes and resource quotas',
      '## 2. Serving infrastructure',
      '### HPA/VPA autoscaling',
      '### KEDA for event-driven scaling',
      '### Istio service mesh for traffic management',
      '### Model caching and warm-up',
      '## 3. Storage and data access',
      '### PVC strategy for training data',
      '### Model artifact storage with CSI drivers',
      '### Distributed storage for the feature store',
      '### Caching layer for inference',
      '## Delivery: kustomize, Argo CD and the Helm chart',
      '## Hand-off',
    ]);
  });

  it('is deterministic', () => {
    const again = run(spec);
    expect(again.k8s.document).toBe(b.k8s.document);
    expect(JSON.stringify(again.k8s.artifacts)).toBe(JSON.stringify(b.k8s.artifacts));
  });

  it('differs between the default and the rich spec', () => {
    expect(run(richSpec()).k8s.document).not.toBe(b.k8s.document);
  });

  it('each option it reads changes the output', () => {
    const fp = (x: Bundle) => x.k8s.document + x.k8s.artifacts.map((a) => a.content).join('');
    const base = fp(b);
    const cases: [string, string][] = [
      ['cloud_provider', 'gcp'],
      ['cloud_provider', 'azure'],
      ['cloud_provider', 'multi-cloud'],
      ['orchestration', 'airflow'],
      ['orchestration', 'prefect'],
      ['orchestration', 'dagster'],
      ['deployment_mode', 'batch'],
      ['deployment_mode', 'streaming'],
      ['deployment_mode', 'hybrid'],
      ['feature_store', 'tecton'],
    ];
    for (const [option, value] of cases) {
      const s = withSpec(spec, (x) => ((x.options as Record<string, string>)[option] = value));
      expect(fp(run(s)), `${option}=${value}`).not.toBe(base);
    }
  });

  it('lists what it reads', () => {
    expect(kubernetesArchitect.reads).toEqual(expect.arrayContaining(['team.namespace', 'options.cloud_provider', 'options.orchestration', 'slo', 'scale']));
  });

  it('escapes user text (owner, requirements, notes)', () => {
    const nasty = 'Ops <script>alert(1)</script> | `x` \n# heading\nkey: value';
    const s = withSpec(spec, (x) => {
      x.requirements = nasty;
      x.team.owner = nasty;
    });
    const o = run(s, nasty);
    expect(o.k8s.document).not.toContain('<script>');
    expect(o.k8s.document).not.toMatch(/\n# heading/);
    const ns = objectsOf(artifactAt(o.k8s, 'deploy/k8s/base/namespaces.yaml'));
    expect(ns[0]!.metadata).toMatchObject({ annotations: { 'mlops-mcp/owner': nasty } });
    for (const obj of ns) validateK8s(obj);
  });
});

describe('kubernetes_architect: reads cover every spec path the output depends on', () => {
  it('with upstream decisions fixed, changing paths outside `reads` changes nothing', () => {
    const spec = richSpec();
    const b = run(spec);
    const mutated = withSpec(spec, (s) => {
      s.options.serving_platform = 'kserve';
      s.options.experiment_tracking = 'neptune';
      s.options.monitoring_stack = 'newrelic';
      s.problem.type = 'regression';
      s.data.sources = [{ name: 'other', kind: 'file', rows_per_day: 1 }];
      s.data.entity_key = 'other_key';
      s.experiment.alpha = 0.01;
      s.team.oncall = 'pagerduty';
      s.team.budget_usd_per_month = 1;
    }, false); // features still name the old sources: not a valid spec, but the phase must not read them
    const again = runPhase('kubernetes_architect', mutated, undefined, b.upstream);
    expect(again.document).toBe(b.k8s.document);
    expect(JSON.stringify(again.artifacts)).toBe(JSON.stringify(b.k8s.artifacts));
  });
});
