import { generatorTool } from './generator_tool.js';

export const generateHelmChart = generatorTool({
  name: 'generate_helm_chart',
  title: 'Generate the Helm chart',
  description:
    'Returns the Helm chart of the whole ML platform: Chart.yaml, values.yaml (production defaults), values-dev/staging/prod.yaml, values.schema.json typing every value, templates with named helpers, NOTES.txt and a helm test. With default values it renders exactly the plain manifests; with an environment file, exactly that kustomize overlay. Give pipeline_id (files stored with the pipeline) or an inline spec/requirements.',
  phase: 'kubernetes_architect',
  select: (path) => path.startsWith('deploy/helm/'),
  summary: (files) => `Helm chart of ${files.length} files`,
  checkedBy: 'helm lint --strict and helm template with each values file, plus values.schema.json',
});
