import { createHash } from 'node:crypto';

/**
 * The vocabulary of artifact kinds. A kind says which validators apply to a file (see src/validate), so it
 * describes what the file is to the tools that check it, not merely its extension.
 */
export const ARTIFACT_KINDS = {
  kubernetes: 'Kubernetes manifests (one or more YAML documents of API objects)',
  'helm-chart': "A Helm chart, marked on its Chart.yaml (the chart's values.yaml, values-<env>.yaml and values.schema.json are yaml/json)",
  'helm-template': "A file under a Helm chart's templates/ folder (templates, _helpers.tpl, NOTES.txt, tests): checked through its chart",
  kustomization: 'A kustomization.yaml of a kustomize base or overlay',
  terraform: 'Terraform / HCL configuration (.tf)',
  'prometheus-rules': 'Prometheus recording and alerting rule file',
  'prometheus-rules-test': 'promtool unit-test file for alerting rules',
  alertmanager: 'Alertmanager configuration',
  'alertmanager-routes-test': 'Expected Alertmanager routing: label sets and the receivers they must reach (checked with amtool config routes test against the configuration it names)',
  'otel-collector': 'OpenTelemetry Collector configuration',
  'grafana-dashboard': 'Grafana dashboard JSON',
  'github-workflow': 'GitHub Actions workflow',
  'gitlab-ci': 'GitLab CI configuration',
  dockerfile: 'Dockerfile',
  'triton-config': "Triton Inference Server model configuration (config.pbtxt, protobuf text of ModelConfig)",
  'torchserve-config': 'TorchServe config.properties',
  python: 'Python module',
  'python-project': 'pyproject.toml of a Python project whose own pytest suite must pass',
  shell: 'POSIX/bash shell script',
  markdown: 'Markdown document',
  json: 'JSON document',
  yaml: 'YAML document (configuration without a more specific kind)',
  toml: 'TOML document',
  text: 'Plain text',
} as const;

export type ArtifactKind = keyof typeof ARTIFACT_KINDS;
export const ARTIFACT_KIND_NAMES = Object.keys(ARTIFACT_KINDS) as [ArtifactKind, ...ArtifactKind[]];

/** One generated file. `path` is relative to the bundle root and uses forward slashes. */
export interface Artifact {
  path: string;
  kind: ArtifactKind;
  phase: string;
  content: string;
}

export function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

const SAFE_PATH = /^(?!\/)(?!.*\/\/)(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._@+/-]+$/;

/** Generated paths are built from validated identifiers; this guards the invariant at the one place files are made. */
export function artifact(phase: string, path: string, kind: ArtifactKind, content: string): Artifact {
  if (!SAFE_PATH.test(path) || path.length > 240) throw new Error(`generator produced an unsafe artifact path: ${JSON.stringify(path)}`);
  return { path, kind, phase, content: content.endsWith('\n') ? content : `${content}\n` };
}
