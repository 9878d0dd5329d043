import { generatorTool } from './generator_tool.js';

const KIND_COUNT = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

export const generateKubernetesManifests = generatorTool({
  name: 'generate_kubernetes_manifests',
  title: 'Generate Kubernetes manifests',
  description:
    'Returns the Kubernetes manifests of the design: serving per serving_platform (KServe, Seldon, TorchServe, Triton), releases (Argo Rollouts, analysis, Istio shadow and A/B), training jobs, autoscaling (HPA, VPA, KEDA), quotas, priorities, storage, the kustomize base with dev/staging/prod overlays and the Argo CD app of apps. Give pipeline_id (missing phases run first; the files are stored with the pipeline) or an inline spec/requirements (nothing stored).',
  phase: 'kubernetes_architect',
  select: (path) => path.startsWith('deploy/') && !path.startsWith('deploy/helm/'),
  summary: (files) => `${KIND_COUNT(files.length, 'manifest file')} (kustomize base, overlays, Argo CD)`,
  checkedBy: 'the Kubernetes API schemas (kubernetes-models and strict CRD schemas), cross-object references and kubectl kustomize',
});
