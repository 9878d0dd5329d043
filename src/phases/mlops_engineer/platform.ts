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

/** File name each KServe runtime loads from the model directory. */
const MODEL_FILE: Record<ModelFamily, string> = { sklearn: 'model.joblib', xgboost: 'model.bst', lightgbm: 'model.txt', pytorch: 'model.mar' };

export function servingRuntime(spec: ResolvedSpec, family: ModelFamily, modelName: string, gpus: number): ServingRuntime {
  const restWhy =
    'the Open Inference Protocol v2 over HTTP/JSON is enough here: tabular requests of a few features are small, so JSON costs little, and REST passes every gateway, load balancer and curl without generated stubs';
  switch (spec.options.serving_platform) {
    case 'kserve':
      return {
        platform: 'kserve',
        deployed: `an InferenceService whose predictor uses the KServe ${family} runtime (CRD in a later issue); until then the same runtime image as a plain Deployment`,
        runtime: family === 'pytorch' ? 'KServe TorchServe predictor' : `KServe ${family} server`,
        baseImage: KSERVE_IMAGE[family],
        protocol: 'rest',
        protocolWhy: restWhy,
        port: 8080,
        httpPort: 8080,
        grpcPort: 8081,
        metricsPort: 8080,
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
        deployed: 'a Seldon Core v2 Model on an MLServer Server (CRDs in a later issue); until then MLServer as a plain Deployment',
        runtime: `MLServer (${MLSERVER_IMPLEMENTATION[family]})`,
        baseImage: 'seldonio/mlserver:1.6.1',
        protocol: 'rest',
        protocolWhy: `${restWhy}; MLServer also opens gRPC on 8081 for internal callers that need it`,
        port: 8080,
        httpPort: 8080,
        grpcPort: 8081,
        metricsPort: 8082,
        metricsPath: '/metrics',
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
        deployed: 'TorchServe serving a model archive (.mar) from the model store, as a Deployment',
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
        args: ['torchserve', '--start', '--foreground', '--disable-token-auth', '--model-store', MODEL_DIR, '--models', `${modelName}=${modelName}.mar`],
        env: { TS_INFERENCE_ADDRESS: 'http://0.0.0.0:8080', TS_MANAGEMENT_ADDRESS: 'http://127.0.0.1:8081', TS_METRICS_ADDRESS: 'http://0.0.0.0:8082' },
      };
    case 'triton':
      return {
        platform: 'triton',
        deployed: `Triton Inference Server with a model repository (${family === 'pytorch' ? 'PyTorch/ONNX backend' : 'FIL backend for tree models'}), as a Deployment`,
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
        args: ['tritonserver', `--model-repository=${MODEL_DIR}`, '--strict-model-config=false', '--http-port=8000', '--grpc-port=8001', '--metrics-port=8002'],
        env: {},
      };
  }
}
