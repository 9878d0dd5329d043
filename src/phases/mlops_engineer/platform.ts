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

const KSERVE_VERSION = 'v0.14.1';
const KSERVE_IMAGE: Record<ModelFamily, string> = {
  sklearn: `kserve/sklearnserver:${KSERVE_VERSION}`,
  xgboost: `kserve/xgbserver:${KSERVE_VERSION}`,
  lightgbm: `kserve/lgbserver:${KSERVE_VERSION}`,
  pytorch: 'pytorch/torchserve-kfs:0.9.0',
};

const MLSERVER_IMPLEMENTATION: Record<ModelFamily, string> = {
  sklearn: 'mlserver_sklearn.SKLearnModel',
  xgboost: 'mlserver_xgboost.XGBoostModel',
  lightgbm: 'mlserver_lightgbm.LightGBMModel',
  pytorch: 'mlserver_mlflow.MLflowRuntime',
};

export const MODEL_DIR = '/mnt/models';
/** Where the TorchServe ConfigMap's config.properties is mounted (a file in the image's model-server home). */
export const TORCHSERVE_CONFIG_PATH = '/home/model-server/config.properties';

/** KServe modelFormat names the standard ClusterServingRuntimes declare. */
export const KSERVE_MODEL_FORMAT: Record<ModelFamily, string> = { sklearn: 'sklearn', xgboost: 'xgboost', lightgbm: 'lightgbm', pytorch: 'pytorch' };

/** Seldon Core v1 prepackaged servers (MLServer under protocol v2); LightGBM has none, so it runs the MLServer image with its runtime. */
export const SELDON_IMPLEMENTATION: Record<ModelFamily, 'SKLEARN_SERVER' | 'XGBOOST_SERVER' | 'MLFLOW_SERVER' | null> = { sklearn: 'SKLEARN_SERVER', xgboost: 'XGBOOST_SERVER', lightgbm: null, pytorch: 'MLFLOW_SERVER' };
export { MLSERVER_IMPLEMENTATION };

/** File name each KServe runtime loads from the model directory. */
const MODEL_FILE: Record<ModelFamily, string> = { sklearn: 'model.joblib', xgboost: 'model.bst', lightgbm: 'model.txt', pytorch: 'model.mar' };

export function servingRuntime(spec: ResolvedSpec, family: ModelFamily, modelName: string, gpus: number): ServingRuntime {
  const restWhy =
    'the Open Inference Protocol v2 over HTTP/JSON is enough here: tabular requests of a few features are small, so JSON costs little, and REST passes every gateway, load balancer and curl without generated stubs';
  switch (spec.options.serving_platform) {
    case 'kserve':
      return {
        platform: 'kserve',
        deployed: `a KServe InferenceService (Serverless mode: Knative revisions behind Istio) whose predictor declares modelFormat ${KSERVE_MODEL_FORMAT[family]}, served by the ${family === 'pytorch' ? 'kserve-torchserve' : `kserve-${family === 'sklearn' ? 'sklearnserver' : family === 'xgboost' ? 'xgbserver' : 'lgbserver'}`} ClusterServingRuntime`,
        runtime: family === 'pytorch' ? 'KServe TorchServe predictor' : `KServe ${family} server`,
        baseImage: KSERVE_IMAGE[family],
        protocol: 'rest',
        protocolWhy: restWhy,
        port: 8080,
        httpPort: 8080,
        // Knative exposes one port per container: REST on 8080 (gRPC would need a separate h2c predictor).
        grpcPort: null,
        // Queue-proxy aggregates the runtime's and its own metrics on 9088 (serving.kserve.io/enable-metric-aggregation).
        metricsPort: 9088,
        metricsPath: '/metrics',
        readyPath: '/v2/health/ready',
        livePath: '/v2/health/live',
        modelFormat: family === 'pytorch' ? 'TorchServe .mar archive' : `${MODEL_FILE[family]} in ${MODEL_DIR}`,
        args: [`--model_name=${modelName}`, `--model_dir=${MODEL_DIR}`, '--http_port=8080', '--grpc_port=8081'],
        env: { PROTOCOL: 'v2' },
      };
    case 'seldon':
      return {
        platform: 'seldon',
        deployed: `a Seldon Core v1 SeldonDeployment (protocol v2) whose predictor graph runs MLServer with ${MLSERVER_IMPLEMENTATION[family]}`,
        runtime: `MLServer (${MLSERVER_IMPLEMENTATION[family]})`,
        baseImage: 'seldonio/mlserver:1.6.1',
        protocol: 'rest',
        protocolWhy: `${restWhy}; MLServer also opens gRPC on 8081 for internal callers that need it`,
        port: 8080,
        httpPort: 8080,
        grpcPort: 8081,
        // Seldon v1's executor (service orchestrator) serves the predictor's metrics on its REST port.
        metricsPort: 8000,
        metricsPath: '/prometheus',
        readyPath: '/v2/health/ready',
        livePath: '/v2/health/live',
        modelFormat: `model-settings.json + ${family} model file in ${MODEL_DIR}`,
        args: ['mlserver', 'start', MODEL_DIR],
        env: {
          MLSERVER_MODEL_NAME: modelName,
          MLSERVER_MODEL_IMPLEMENTATION: MLSERVER_IMPLEMENTATION[family],
          MLSERVER_MODEL_URI: MODEL_DIR,
          MLSERVER_HTTP_PORT: '8080',
          MLSERVER_GRPC_PORT: '8081',
          MLSERVER_METRICS_PORT: '8082',
        },
      };
    case 'torchserve':
      return {
        platform: 'torchserve',
        deployed: 'TorchServe serving a model archive (.mar) from the model store, configured by config.properties, as an Argo Rollout',
        runtime: 'TorchServe',
        baseImage: gpus > 0 ? 'pytorch/torchserve:0.12.0-gpu' : 'pytorch/torchserve:0.12.0-cpu',
        protocol: 'rest',
        protocolWhy: `${restWhy}; TorchServe's inference API (8080) is REST, management (8081) stays cluster-internal`,
        port: 8080,
        httpPort: 8080,
        grpcPort: null,
        metricsPort: 8082,
        metricsPath: '/metrics',
        readyPath: '/ping',
        livePath: '/ping',
        modelFormat: `TorchServe model archive ${modelName}.mar (torch-model-archiver) in ${MODEL_DIR}`,
        args: ['torchserve', '--start', '--foreground', '--ts-config', TORCHSERVE_CONFIG_PATH],
        env: {},
      };
    case 'triton':
      return {
        platform: 'triton',
        deployed: `Triton Inference Server with a model repository (${family === 'pytorch' ? 'pytorch_libtorch platform (TorchScript)' : 'FIL backend for tree models'}) and a generated config.pbtxt, as an Argo Rollout`,
        runtime: 'NVIDIA Triton Inference Server',
        baseImage: 'nvcr.io/nvidia/tritonserver:24.08-py3',
        protocol: 'grpc',
        protocolWhy:
          'Triton ships tensors as binary protobuf (no JSON encoding of every float on the hot path), keeps HTTP/2 connections multiplexed, and its client libraries and dynamic batcher are built around it; HTTP (8000) stays for health probes and debugging',
        port: 8001,
        httpPort: 8000,
        grpcPort: 8001,
        metricsPort: 8002,
        metricsPath: '/metrics',
        readyPath: '/v2/health/ready',
        livePath: '/v2/health/live',
        modelFormat: `Triton model repository ${MODEL_DIR}/${modelName}/1/ + config.pbtxt (dynamic batching on)`,
        args: ['tritonserver', `--model-repository=${MODEL_DIR}`, '--model-control-mode=none', '--disable-auto-complete-config', '--http-port=8000', '--grpc-port=8001', '--metrics-port=8002'],
        env: {},
      };
  }
}
