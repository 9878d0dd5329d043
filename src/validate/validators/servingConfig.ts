import { z } from 'zod';
import { parsePbtxt, type PbData, type PbObject } from '../pbtxtParse.js';
import type { Validator, Verdict } from '../types.js';

/**
 * The serving runtimes' own configuration files: Triton's config.pbtxt (protobuf text of ModelConfig) and
 * TorchServe's config.properties. Neither runtime ships a validator we can run here, so each file is parsed with
 * an independent reader and checked against the fields the runtime documents; unknown fields and bad enum values
 * fail, as they would fail the server at start-up.
 */

const REPEATED = new Set(['input', 'output', 'instance_group', 'parameters', 'dims', 'preferred_batch_size', 'gpus', 'shape']);

/** Repeated fields written once come back as a single value; make every repeated field an array. */
function normalize(data: PbData): PbData {
  if (Array.isArray(data)) return data.map((d) => normalize(d));
  if (data && typeof data === 'object') {
    return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, REPEATED.has(k) && !Array.isArray(v) ? [normalize(v)] : normalize(v)]));
  }
  return data;
}

const DATA_TYPES = ['TYPE_BOOL', 'TYPE_UINT8', 'TYPE_UINT16', 'TYPE_UINT32', 'TYPE_UINT64', 'TYPE_INT8', 'TYPE_INT16', 'TYPE_INT32', 'TYPE_INT64', 'TYPE_FP16', 'TYPE_FP32', 'TYPE_FP64', 'TYPE_STRING', 'TYPE_BF16'] as const;
const dims = z.array(z.number().int().min(-1)).min(1);
const tensor = z.strictObject({
  name: z.string().min(1),
  data_type: z.enum(DATA_TYPES),
  dims,
  format: z.enum(['FORMAT_NONE', 'FORMAT_NHWC', 'FORMAT_NCHW']).optional(),
  reshape: z.strictObject({ shape: z.array(z.number().int()) }).optional(),
  is_shape_tensor: z.boolean().optional(),
  optional: z.boolean().optional(),
  label_filename: z.string().optional(),
  allow_ragged_batch: z.boolean().optional(),
});

/** Triton ModelConfig (model_config.proto), the fields a generated model uses and their common siblings. */
export const TritonModelConfig = z.strictObject({
  name: z.string().min(1),
  platform: z.enum(['tensorrt_plan', 'tensorflow_graphdef', 'tensorflow_savedmodel', 'onnxruntime_onnx', 'pytorch_libtorch', 'ensemble']).optional(),
  backend: z.enum(['fil', 'onnxruntime', 'pytorch', 'tensorflow', 'python', 'tensorrt', 'openvino', 'dali']).optional(),
  runtime: z.string().optional(),
  max_batch_size: z.number().int().min(0),
  input: z.array(tensor).min(1),
  output: z.array(tensor).min(1),
  instance_group: z
    .array(z.strictObject({ name: z.string().optional(), kind: z.enum(['KIND_AUTO', 'KIND_GPU', 'KIND_CPU', 'KIND_MODEL']), count: z.number().int().min(1), gpus: z.array(z.number().int().min(0)).optional() }))
    .optional(),
  dynamic_batching: z
    .strictObject({
      preferred_batch_size: z.array(z.number().int().min(1)).optional(),
      max_queue_delay_microseconds: z.number().int().min(0).optional(),
      preserve_ordering: z.boolean().optional(),
    })
    .optional(),
  parameters: z.array(z.strictObject({ key: z.string().min(1), value: z.strictObject({ string_value: z.string() }) })).optional(),
  version_policy: z.strictObject({ latest: z.strictObject({ num_versions: z.number().int().min(1) }).optional(), all: z.strictObject({}).optional(), specific: z.strictObject({ versions: z.array(z.number().int()) }).optional() }).optional(),
  default_model_filename: z.string().optional(),
});

export function tritonConfigProblems(content: string): string[] {
  let parsed: PbObject;
  try {
    parsed = parsePbtxt(content);
  } catch (e) {
    return [`not protobuf text: ${(e as Error).message}`];
  }
  const result = TritonModelConfig.safeParse(normalize(parsed));
  const problems = result.success ? [] : result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  const config = normalize(parsed) as { platform?: string; backend?: string; max_batch_size?: number; dynamic_batching?: unknown };
  if (config.platform === undefined && config.backend === undefined) problems.push('one of platform or backend is required');
  if (config.dynamic_batching !== undefined && config.max_batch_size === 0) problems.push('dynamic_batching needs max_batch_size > 0');
  return problems;
}

/** TorchServe config.properties keys (docs/configuration.md of TorchServe 0.12). */
const TORCHSERVE_KEYS = new Set([
  'inference_address', 'management_address', 'metrics_address', 'grpc_inference_port', 'grpc_management_port', 'metrics_mode', 'enable_metrics_api',
  'number_of_netty_threads', 'netty_client_threads', 'job_queue_size', 'default_workers_per_model', 'model_store', 'load_models', 'models',
  'disable_token_authorization', 'enable_model_api', 'install_py_dep_per_model', 'default_response_timeout', 'unregister_model_timeout',
  'max_request_size', 'max_response_size', 'async_logging', 'cors_allowed_origin', 'cors_allowed_methods', 'cors_allowed_headers',
  'number_of_gpu', 'keep_alive_timeout', 'vmargs', 'workflow_store', 'enable_envvars_config', 'allowed_urls', 'initial_worker_port',
  'model_server_home', 'decode_input_request', 'metrics_config', 'disable_system_metrics', 'use_env_allowed_urls', 'default_startup_timeout',
]);
const MODEL_KEYS = new Set(['defaultVersion', 'marName', 'minWorkers', 'maxWorkers', 'batchSize', 'maxBatchDelay', 'responseTimeout', 'startupTimeout', 'runtimeType', 'jobQueueSize', 'deviceType', 'parallelLevel']);

export function torchserveConfigProblems(content: string): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  content.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) return;
    const eq = line.search(/[=:]/);
    if (eq <= 0) return void problems.push(`line ${i + 1}: not key=value`);
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (!TORCHSERVE_KEYS.has(key)) problems.push(`line ${i + 1}: unknown TorchServe key ${key}`);
    if (seen.has(key)) problems.push(`line ${i + 1}: ${key} set twice`);
    seen.set(key, value);
  });
  for (const key of ['inference_address', 'management_address', 'metrics_address']) {
    const v = seen.get(key);
    if (v !== undefined && !/^https?:\/\/[^\s:]+:\d{1,5}$/.test(v)) problems.push(`${key}: expected http(s)://host:port, got ${v}`);
  }
  if (seen.has('metrics_mode') && !['log', 'prometheus', 'legacy'].includes(seen.get('metrics_mode')!)) problems.push(`metrics_mode: ${seen.get('metrics_mode')} is not log, prometheus or legacy`);
  for (const key of ['number_of_netty_threads', 'job_queue_size', 'default_workers_per_model', 'default_response_timeout']) {
    const v = seen.get(key);
    if (v !== undefined && !/^\d+$/.test(v)) problems.push(`${key}: expected a whole number, got ${v}`);
  }
  const models = seen.get('models');
  if (models !== undefined) {
    try {
      const parsed = JSON.parse(models) as Record<string, Record<string, Record<string, unknown>>>;
      for (const [model, versions] of Object.entries(parsed)) {
        for (const [version, cfg] of Object.entries(versions)) {
          for (const k of Object.keys(cfg)) if (!MODEL_KEYS.has(k)) problems.push(`models.${model}.${version}: unknown key ${k}`);
          if (typeof cfg.marName !== 'string') problems.push(`models.${model}.${version}: marName is required`);
          const load = seen.get('load_models');
          if (load && load !== 'all' && typeof cfg.marName === 'string' && !load.split(',').includes(cfg.marName)) problems.push(`models.${model}.${version}: ${cfg.marName} is not in load_models`);
        }
      }
    } catch (e) {
      problems.push(`models: not JSON (${(e as Error).message})`);
    }
  }
  return problems;
}

export const servingConfigValidator: Validator = {
  name: 'serving-runtime-config',
  description: "Triton config.pbtxt parsed as protobuf text and checked against ModelConfig's fields and enums; TorchServe config.properties keys, addresses and per-model JSON",
  kinds: ['triton-config', 'torchserve-config'],
  async available() {
    return { ok: true };
  },
  async validate({ artifacts }) {
    return artifacts.map((a): Verdict => {
      const problems = a.kind === 'triton-config' ? tritonConfigProblems(a.content) : torchserveConfigProblems(a.content);
      return problems.length === 0 ? { path: a.path, validator: this.name, verdict: 'pass', message: 'valid runtime configuration' } : { path: a.path, validator: this.name, verdict: 'fail', message: problems.slice(0, 8).join('\n') };
    });
  },
};
