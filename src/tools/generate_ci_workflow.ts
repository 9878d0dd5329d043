import { generatorTool } from './generator_tool.js';

/** The CI definition of either platform, the images it builds and the ignore file of their build context. */
export function isCiFile(path: string): boolean {
  return path.startsWith('.github/workflows/') || path === '.gitlab-ci.yml' || path.startsWith('docker/') || path === '.dockerignore';
}

export const generateCiWorkflow = generatorTool({
  name: 'generate_ci_workflow',
  title: 'Generate the CI/CD workflows and container images',
  description:
    "Returns the CI/CD of the pipeline for delivery.ci_platform (GitHub Actions workflows, or one .gitlab-ci.yml): lint and tests, image build and push with cloud OIDC, a data validation gate, a model validation gate against the baseline and the production model, deploy to staging through Argo CD, promotion to prod behind an approval, scheduled retraining through the orchestrator; per-job time limits from the commit-to-production budget. Also the multi-stage Dockerfiles those jobs build (non-root, pinned base through a build argument, HEALTHCHECK on the server) and .dockerignore. Give pipeline_id (files stored with the pipeline) or an inline spec/requirements (nothing stored).",
  phase: 'mlops_engineer',
  select: isCiFile,
  summary: (files) => `CI/CD: ${files.length} files`,
  checkedBy: 'actionlint (GitHub) or the GitLab CI schema and job graph check, shellcheck on every run/script block, and dockerfile-utils plus image rules on the Dockerfiles',
});
