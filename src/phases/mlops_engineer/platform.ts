import type { ResolvedSpec } from '../../spec/resolve.js';

/** What the model server runs as, per options.serving_platform. Images are pinned: a rollout never pulls a moving tag. */
export interface ServingRuntime {
  platform: ResolvedSpec['options']['serving_platform'];
  /** What gets deployed on the platform (the CRD that arrives in a later issue) and what runs now. */
  deployed: string;
  runtime: string;
  baseImage: string;
  protocol: 'rest' | 'grpc';
  protocolWhy: string;
  /** Port clients call with the chosen protocol. */
  port: number;
  /** HTTP port used for health probes (Triton answers health on HTTP even when clients use gRPC). */
  httpPort: number;
  grpcPort: number | null;
  metricsPort: number;
  metricsPath: string;
  /** The runtime's own Prometheus endpoint inside the pod, merged into metricsPort by our exporter (torchserve, triton). */
  nativeMetrics: { port: number; path: string } | null;
  readyPath: string;
  livePath: string;
  modelFormat: string;
  args: string[];
  env: Record<string, string>;
}

/** Model library family from the data_scientist's algorithm library (free text in that contract). */
export type ModelFamily = 'sklearn' | 'xgboost' | 'lightgbm' | 'pytorch';

export function modelFamily(library: string): ModelFamily {
  const l = library.toLowerCase();
  if (l.includes('xgboost')) return 'xgboost';
  if (l.includes('lightgbm') || l.includes('lgbm')) return 'lightgbm';
  if (l.includes('torch')) return 'pytorch';
  return 'sklearn';
}

/** Patch releases of the python slim images (a moving "3.11-slim" would change the build under the same tag). */
export const PYTHON_PATCH: Readonly<Record<string, string>> = { '3.10': '3.10.15', '3.11': '3.11.10', '3.12': '3.12.7' };

export function pythonImage(version: string): string {
  const patch = PYTHON_PATCH[version];
  if (!patch) throw new Error(`no pinned python patch release for ${version}`);
  return `python:${patch}-slim-bookworm`;
}

export const MODEL_DIR = '/mnt/models';

/**
 * Whether the model server is the package's own FastAPI app (KServe's custom predictor, Seldon's model unit),
 * which the platform's controller runs in pods it makes. On TorchServe and Triton the runtime is the server and
 * the pods are ours (an Argo Rollout): they fetch the model, carry the metrics exporter, and roll out by hash.
 */
export function servesPackageApp(platform: ServingRuntime['platform']): boolean {
  return platform === 'kserve' || platform === 'seldon';
}
/** Port of the metrics exporter next to TorchServe and Triton (our request metrics + the runtime's own). */
export const APP_METRICS_PORT = 9091;
/** Shared by the runtime's Python workers (writers) and the exporter (reader), on the pod's /tmp emptyDir. */
export const MULTIPROC_DIR = '/tmp/prometheus-multiproc';
/** Triton's model repository: configuration only (config.pbtxt, 1/model.py from a ConfigMap); the model is in MODEL_DIR. */
export const TRITON_REPOSITORY = '/opt/triton/models';
/** Where the TorchServe ConfigMap's config.properties is mounted (a file in the image's model-server home). */
export const TORCHSERVE_CONFIG_PATH = '/home/model-server/config.properties';

/** Python of the serving images that run the package's own server (the generated project's version). */
export const SERVING_PYTHON = '3.11';
/** The pickle the training run registers (serving/model.py loads it from MODEL_DIR). */
export const SERVING_MODEL_FILE = 'model.pkl';
/** Port of a Seldon custom model unit (the operator's default PREDICTIVE_UNIT_HTTP_SERVICE_PORT). */
export const SELDON_UNIT_PORT = 9000;

/** The package's FastAPI server; uvicorn takes its worker count from WEB_CONCURRENCY. */
export function uvicornCommand(pythonPackage: string, port: number): string[] {
  return ['uvicorn', `${pythonPackage}.serving.app:app`, '--host', '0.0.0.0', '--port', String(port), '--no-access-log'];
}

export function servingRuntime(spec: ResolvedSpec, family: ModelFamily, modelName: string, pythonPackage: string): ServingRuntime {
  const restWhy =
    'the Open Inference Protocol v2 over HTTP/JSON is enough here: tabular requests of a few features are small, so JSON costs little, and REST passes every gateway, load balancer and curl without generated stubs';
  switch (spec.options.serving_platform) {
    case 'kserve':
      return {
        platform: 'kserve',
        deployed: `a KServe InferenceService (Serverless mode: Knative revisions behind Istio) whose predictor is a custom container, kserve-container, running the ${pythonPackage} FastAPI model server; KServe's storage initializer fetches the promoted model into ${MODEL_DIR} (STORAGE_URI)`,
        runtime: 'FastAPI model server (KServe custom predictor)',
        baseImage: pythonImage(SERVING_PYTHON),
        protocol: 'rest',
        protocolWhy: `${restWhy}; the server answers both the Open Inference Protocol v2 (/v2/models/${modelName}/infer, tensors per column) and /predict (JSON records)`,
        port: 8080,
        httpPort: 8080,
        // Knative exposes one port per container: REST on 8080.
        grpcPort: null,
        // Queue-proxy merges the server's /metrics with its own on 9088 (serving.kserve.io/enable-metric-aggregation).
        metricsPort: 9088,
        metricsPath: '/metrics',
        nativeMetrics: null,
        readyPath: '/v2/health/ready',
        livePath: '/v2/health/live',
        modelFormat: `${SERVING_MODEL_FILE} (preprocessing and model in one pickle, as trained) in ${MODEL_DIR}`,
        args: uvicornCommand(pythonPackage, 8080),
        env: {},
      };
    case 'seldon':
      return {
        platform: 'seldon',
        deployed: `a Seldon Core v1 SeldonDeployment (protocol v2) whose graph is one custom MODEL unit: the ${pythonPackage} FastAPI model server on the unit port ${SELDON_UNIT_PORT}, behind Seldon's service orchestrator; an init container fetches the promoted model into ${MODEL_DIR}`,
        runtime: 'FastAPI model server (Seldon custom model unit)',
        baseImage: pythonImage(SERVING_PYTHON),
        protocol: 'rest',
        protocolWhy: `${restWhy}; the orchestrator forwards Open Inference Protocol v2 requests to the unit, which also answers /predict`,
        // Clients call the service orchestrator (executor), which calls the unit on SELDON_UNIT_PORT.
        port: 8000,
        httpPort: SELDON_UNIT_PORT,
        grpcPort: null,
        // The unit's own /metrics (our request metrics); the orchestrator's are on 8000/prometheus.
        metricsPort: SELDON_UNIT_PORT,
        metricsPath: '/metrics',
        nativeMetrics: null,
        readyPath: '/v2/health/ready',
        livePath: '/v2/health/live',
        modelFormat: `${SERVING_MODEL_FILE} (preprocessing and model in one pickle, as trained) in ${MODEL_DIR}`,
        args: uvicornCommand(pythonPackage, SELDON_UNIT_PORT),
        env: {},
      };
    case 'torchserve':
      return {
        platform: 'torchserve',
        deployed: `TorchServe serving a model archive (.mar: the promoted ${SERVING_MODEL_FILE} and the ${pythonPackage} handler) from the model store, configured by config.properties, as an Argo Rollout`,
        runtime: 'TorchServe',
        // pip-installed TorchServe on the package's Python: the pytorch/torchserve images ship an older Python.
        baseImage: pythonImage(SERVING_PYTHON),
        protocol: 'rest',
        protocolWhy: `${restWhy}; TorchServe's inference API (8080) is REST, management (8081) stays cluster-internal`,
        port: 8080,
        httpPort: 8080,
        grpcPort: null,
        metricsPort: APP_METRICS_PORT,
        metricsPath: '/metrics',
        nativeMetrics: { port: 8082, path: '/metrics' },
        readyPath: '/ping',
        livePath: '/ping',
        modelFormat: `TorchServe model archive ${modelName}.mar (torch-model-archiver: ${SERVING_MODEL_FILE} + serving/torchserve_handler.py) in ${MODEL_DIR}`,
        args: ['torchserve', '--start', '--foreground', '--ts-config', TORCHSERVE_CONFIG_PATH],
        env: {},
      };
    case 'triton':
      return {
        platform: 'triton',
        deployed: `Triton Inference Server with a model repository whose ${modelName} runs on the Python backend (the ${pythonPackage} TritonPythonModel scoring the promoted ${SERVING_MODEL_FILE}, ${family} model and preprocessing in one pickle) and a generated config.pbtxt, as an Argo Rollout`,
        runtime: 'NVIDIA Triton Inference Server',
        baseImage: 'nvcr.io/nvidia/tritonserver:24.08-py3',
        protocol: 'grpc',
        protocolWhy:
          'Triton ships tensors as binary protobuf (no JSON encoding of every float on the hot path), keeps HTTP/2 connections multiplexed, and its client libraries and dynamic batcher are built around it; HTTP (8000) stays for health probes and debugging',
        port: 8001,
        httpPort: 8000,
        grpcPort: 8001,
        metricsPort: APP_METRICS_PORT,
        metricsPath: '/metrics',
        nativeMetrics: { port: 8002, path: '/metrics' },
        readyPath: '/v2/health/ready',
        livePath: '/v2/health/live',
        modelFormat: `${SERVING_MODEL_FILE} in ${MODEL_DIR}, scored by the Python backend of the repository ${TRITON_REPOSITORY}/${modelName}/ (config.pbtxt + 1/model.py, from a ConfigMap; dynamic batching on)`,
        args: ['tritonserver', `--model-repository=${TRITON_REPOSITORY}`, '--model-control-mode=none', '--disable-auto-complete-config', '--http-port=8000', '--grpc-port=8001', '--metrics-port=8002'],
        env: {},
      };
  }
}
