import type { ArtifactKind } from '../../../artifacts/artifact.js';
import type { ResolvedSpec } from '../../../spec/resolve.js';
import { LAYOUT } from '../../common.js';
import { envPrefix } from '../../ml_engineer/artifacts.js';
import { serverDeployed, type MlopsPlan } from '../derive.js';
import { appPy } from './app.js';
import { batchScorePy } from './batch.js';
import { modelPy } from './model.js';
import { oipPy } from './oip.js';
import { adaptersPy, metricsExporterPy, runtimeTestPy, torchserveHandlerPy, tritonModelPy } from './runtimes.js';
import { schemaPy } from './schema.js';
import { streamConsumerPy } from './stream.js';
import { appTestPy, batchTestPy, schemaTestPy, standInPy, streamTestPy } from './tests.js';

export interface ServingPythonFile {
  path: string;
  kind: ArtifactKind;
  content: string;
  purpose: string;
}

function initPy(spec: ResolvedSpec, plan: MlopsPlan): string {
  const parts = [
    'schema (request model from the declared features)',
    'model (loading and calling the served model)',
    ...(serverDeployed(plan.modes) ? ['app (FastAPI model server)'] : []),
    ...(plan.batch ? ['batch_score (the batch-scoring CronJob)'] : []),
    ...(plan.stream ? [`stream_consumer (${plan.stream.source_kind} consumer)`] : []),
  ];
  return `"""Serving code for deployment_mode ${spec.options.deployment_mode.replace(/[^a-z_]/g, '')}: ${parts.join('; ')}."""\n`;
}

/**
 * The serving Python of ml/src/<pkg>/serving/ and its tests, per deployment mode: the model server when a server
 * runs (realtime, streaming, hybrid), the batch job for batch and hybrid, the stream consumer for streaming.
 */
export function servingPythonFiles(spec: ResolvedSpec, plan: MlopsPlan): ServingPythonFile[] {
  const pkg = plan.pythonPackage;
  const env = envPrefix(pkg);
  const dir = `${LAYOUT.pythonRoot}/src/${pkg}/serving`;
  const tests = `${LAYOUT.pythonRoot}/tests/serving`;
  const files: ServingPythonFile[] = [
    { path: `${dir}/__init__.py`, kind: 'python', content: initPy(spec, plan), purpose: 'serving package' },
    { path: `${dir}/schema.py`, kind: 'python', content: schemaPy(spec), purpose: 'request schema (pydantic) and vectorised input checks from the declared features' },
    { path: `${dir}/model.py`, kind: 'python', content: modelPy(spec, env), purpose: 'model location, one-time loading and prediction contract' },
    { path: `${dir}/oip.py`, kind: 'python', content: oipPy(spec), purpose: 'Open Inference Protocol (v2) codec for tabular records, shared by every serving runtime' },
    { path: `${tests}/serving_stand_in.py`, kind: 'python', content: standInPy(spec), purpose: 'stand-in model of the serving tests' },
    { path: `${tests}/test_serving_schema.py`, kind: 'python', content: schemaTestPy(spec), purpose: 'unit tests of the request schema' },
  ];
  if (serverDeployed(plan.modes)) {
    files.push(
      { path: `${dir}/app.py`, kind: 'python', content: appPy(spec, env, plan.modelName), purpose: 'FastAPI model server: /predict, /predict/batch, /health, /ready, /metrics and the Open Inference Protocol v2 routes' },
      { path: `${tests}/test_serving_app.py`, kind: 'python', content: appTestPy(spec), purpose: 'model server tests (TestClient)' },
    );
  }
  const platform = plan.runtime.platform;
  if (serverDeployed(plan.modes) && (platform === 'torchserve' || platform === 'triton')) {
    files.push(
      platform === 'torchserve'
        ? { path: `${dir}/torchserve_handler.py`, kind: 'python', content: torchserveHandlerPy(pkg, plan.modelName), purpose: 'TorchServe handler (the .mar entry point): our validation and scoring per request' }
        : { path: `${dir}/triton_model.py`, kind: 'python', content: tritonModelPy(plan.modelName), purpose: 'Triton Python backend model: our validation and scoring per request' },
      { path: `${dir}/metrics_exporter.py`, kind: 'python', content: metricsExporterPy(), purpose: "serves the runtime workers' request metrics (multiprocess) with the runtime's own" },
      { path: `${tests}/test_serving_runtime.py`, kind: 'python', content: runtimeTestPy(spec, platform), purpose: `${platform} adapter and metrics exporter tests` },
    );
    if (platform === 'torchserve') files.push({ path: `${dir}/adapters.py`, kind: 'python', content: adaptersPy(), purpose: 'one request body to one response (record, records or inference request)' });
  }
  if (plan.batch) {
    files.push(
      { path: `${dir}/batch_score.py`, kind: 'python', content: batchScorePy(spec, plan.batch, env), purpose: 'batch scoring job of the CronJob' },
      { path: `${tests}/test_serving_batch.py`, kind: 'python', content: batchTestPy(), purpose: 'batch scoring tests on a small CSV' },
    );
  }
  if (plan.stream) {
    files.push(
      { path: `${dir}/stream_consumer.py`, kind: 'python', content: streamConsumerPy(plan.stream, env), purpose: `${plan.stream.source_kind} stream consumer with dead-letter topic` },
      { path: `${tests}/test_serving_stream.py`, kind: 'python', content: streamTestPy(plan.stream), purpose: 'stream consumer tests with the in-memory source' },
    );
  }
  return files;
}
