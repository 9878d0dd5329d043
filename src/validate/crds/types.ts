import type { z } from 'zod';

/**
 * A strict schema of a custom resource that no kubernetes-models package covers, written from the project's
 * published API reference. `validateManifest` (src/validate/validators/kubernetes.ts) checks every object whose
 * apiVersion and kind match one of these with `schema.safeParse` before it falls back to the kubernetes-models
 * packages; each zod issue is reported as `path: message`.
 *
 * How to write one (see kserve.ts, seldon.ts, kubeflow.ts; all are collected in ./index.ts):
 * - Unknown fields are rejected: use `z.strictObject` all the way down, for the object itself (apiVersion as
 *   `z.literal`, kind as `z.literal`, metadata, spec) and for every nested object of the CRD's own types.
 * - Embedded Kubernetes core types (Container, PodSpec, Volume, ResourceRequirements, Toleration…) are
 *   checked by their kubernetes-models class through `k8sCore` from ./core.ts:
 *   `containers: z.array(k8sCore(Container))`. That catches wrong types, missing required fields, bad enums
 *   and quantities, but not unknown keys inside the embedded object (kubernetes-models allows them): build
 *   them as typed literals (`IContainer`) so `tsc` catches misspelt keys.
 * - Object metadata: `metadata: k8sObjectMeta` from ./core.ts (ObjectMeta of `@kubernetes-models/apimachinery`).
 * - Every schema needs a test with a good object and a broken one (unknown field, wrong type) through
 *   `validateManifest`.
 */
export interface CustomResourceSchema {
  apiVersion: string;
  kind: string;
  /** Where the schema was written from (API reference URL and version). */
  reference: string;
  schema: z.ZodType;
}
