import { z } from 'zod';

// Hand-off contract of the kubernetes_architect phase: later phases rely on these fields. Add fields freely; remove none.
export const KubernetesArchitectDecisions = z.object({
  namespaces: z.object({ serving: z.string(), training: z.string(), batch: z.string(), monitoring: z.string() }),
  priority_classes: z.array(z.object({ name: z.string(), value: z.number() })),
  autoscaling: z.object({ min_replicas: z.number(), max_replicas: z.number(), target_cpu_pct: z.number(), target_rps_per_pod: z.number() }),
  spot: z.object({ node_label: z.string(), node_label_value: z.string(), share_pct: z.number(), toleration_key: z.string().nullable() }),
  gpu: z.object({ training: z.number(), serving: z.number(), sharing: z.enum(['none', 'time-slicing', 'mig']) }),
  storage: z.object({ storage_class: z.string(), csi_driver: z.string(), training_pvc_gi: z.number(), model_cache_gi: z.number() }),
});
export type KubernetesArchitectDecisions = z.infer<typeof KubernetesArchitectDecisions>;
