import { CUSTOM_RESOURCES as KSERVE } from './kserve.js';
import { CUSTOM_RESOURCES as KUBEFLOW } from './kubeflow.js';
import { CUSTOM_RESOURCES as SELDON } from './seldon.js';
import type { CustomResourceSchema } from './types.js';

export { k8sCore, k8sObjectMeta, type KubernetesModelClass } from './core.js';
export type { CustomResourceSchema } from './types.js';

/** Every strict custom-resource schema this build knows, checked by validateManifest before kubernetes-models. */
export const CUSTOM_RESOURCE_SCHEMAS: readonly CustomResourceSchema[] = [...KSERVE, ...SELDON, ...KUBEFLOW];

/** The schema for an apiVersion and kind, if one is registered (the first one wins; the tests forbid duplicates). */
export function customResourceSchema(apiVersion: string, kind: string, schemas: readonly CustomResourceSchema[] = CUSTOM_RESOURCE_SCHEMAS): CustomResourceSchema | undefined {
  return schemas.find((s) => s.apiVersion === apiVersion && s.kind === kind);
}
