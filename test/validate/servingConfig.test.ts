import { describe, expect, it } from 'vitest';
import { parsePbtxt } from '../../src/validate/pbtxtParse.js';
import { torchserveConfigProblems, tritonConfigProblems } from '../../src/validate/validators/servingConfig.js';
import { tritonConfig } from '../helpers/servingConfigs.js';

const TRITON = `# a FIL model
name: "fraud"
backend: "fil"
max_batch_size: 8
input [ { name: "input__0" data_type: TYPE_FP32 dims: [ 9 ] } ]
output { name: "output__0", data_type: TYPE_FP32, dims: [ 2 ] }
instance_group [ { count: 2 kind: KIND_CPU } ]
dynamic_batching { max_queue_delay_microseconds: 10000 }
parameters [ { key: "model_type" value { string_value: "xgboost_json" } } ]
`;

const TORCHSERVE = [
  '# comment',
  'inference_address=http://0.0.0.0:8080',
  'management_address=http://127.0.0.1:8081',
  'metrics_address=http://0.0.0.0:8082',
  'metrics_mode=prometheus',
  'job_queue_size=10',
  'load_models=fraud.mar',
  'models={"fraud":{"1.0":{"defaultVersion":true,"marName":"fraud.mar","minWorkers":2,"maxWorkers":2,"batchSize":1,"maxBatchDelay":10}}}',
].join('\n');

describe('protobuf text reader', () => {
  it('reads lists, nested messages, repeated fields, escapes and comments', () => {
    expect(parsePbtxt('a: "x\\"y" # c\nb [1, 2]\nm { k: V }\nm { k: W }\ns: \'q\'')).toEqual({ a: 'x"y', b: [1, 2], m: [{ k: 'V' }, { k: 'W' }], s: 'q' });
  });

  it.each([
    ['an unterminated string', 'name: "x'],
    ['a missing colon before a scalar', 'name "x"'],
    ['an unclosed message', 'input { name: "a"'],
    ['a list without separators', 'dims: [ 1 2 ]'],
  ])('rejects %s', (_what, src) => {
    expect(() => parsePbtxt(src)).toThrow();
  });
});

describe('Triton config.pbtxt', () => {
  it('accepts a valid FIL configuration, and what the generator writes', () => {
    expect(tritonConfigProblems(TRITON)).toEqual([]);
    for (const content of tritonConfig()) expect(tritonConfigProblems(content)).toEqual([]);
  });

  it.each([
    ['a misspelt field', TRITON.replace('max_batch_size', 'max_batchsize'), /Unrecognized key.*max_batchsize|max_batch_size/],
    ['an unknown data type', TRITON.replace('TYPE_FP32 dims: [ 9 ]', 'TYPE_FLOAT dims: [ 9 ]'), /data_type/],
    ['an unknown instance kind', TRITON.replace('KIND_CPU', 'KIND_TPU'), /instance_group\.0\.kind/],
    ['no platform nor backend', TRITON.replace('backend: "fil"\n', ''), /one of platform or backend/],
    ['dynamic batching without batching', TRITON.replace('max_batch_size: 8', 'max_batch_size: 0'), /dynamic_batching needs max_batch_size > 0/],
    ['broken syntax', TRITON.replace('dims: [ 9 ]', 'dims: [ 9 '), /not protobuf text/],
  ])('rejects %s', (_what, content, message) => {
    expect(tritonConfigProblems(content).join('\n')).toMatch(message);
  });
});

describe('TorchServe config.properties', () => {
  it('accepts a valid configuration', () => {
    expect(torchserveConfigProblems(TORCHSERVE)).toEqual([]);
  });

  it.each([
    ['an unknown key', `${TORCHSERVE}\nnumber_of_netty_thread=4`, /unknown TorchServe key number_of_netty_thread/],
    ['a key set twice', `${TORCHSERVE}\njob_queue_size=20`, /job_queue_size set twice/],
    ['an address without a port', TORCHSERVE.replace('http://0.0.0.0:8080', 'http://0.0.0.0'), /inference_address/],
    ['models that are not JSON', TORCHSERVE.replace('"defaultVersion":true,', '"defaultVersion":true'), /models: not JSON/],
    ['a model archive that is never loaded', TORCHSERVE.replace('load_models=fraud.mar', 'load_models=other.mar'), /fraud\.mar is not in load_models/],
    ['an unknown per-model key', TORCHSERVE.replace('"batchSize":1', '"batch_size":1'), /unknown key batch_size/],
  ])('rejects %s', (_what, content, message) => {
    expect(torchserveConfigProblems(content).join('\n')).toMatch(message);
  });
});
