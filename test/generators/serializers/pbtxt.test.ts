import { describe, expect, it } from 'vitest';
import { pbEnum, pbString, toPbtxt } from '../../../src/generators/serializers/pbtxt.js';
import { toProperties } from '../../../src/generators/serializers/properties.js';

describe('toPbtxt (protobuf text format)', () => {
  it('writes scalars, enums, nested messages, repeated scalars and repeated messages', () => {
    expect(
      toPbtxt({
        name: 'm',
        max_batch_size: 8,
        input: [{ name: 'input__0', data_type: pbEnum('TYPE_FP32'), dims: [9] }],
        instance_group: [{ count: 1, kind: pbEnum('KIND_GPU') }],
        dynamic_batching: { preferred_batch_size: [4, 8], max_queue_delay_microseconds: 100 },
        flag: true,
        ratio: 0.5,
      }),
    ).toBe(
      [
        'name: "m"',
        'max_batch_size: 8',
        'input [',
        '  {',
        '    name: "input__0"',
        '    data_type: TYPE_FP32',
        '    dims: [ 9 ]',
        '  }',
        ']',
        'instance_group [',
        '  {',
        '    count: 1',
        '    kind: KIND_GPU',
        '  }',
        ']',
        'dynamic_batching {',
        '  preferred_batch_size: [ 4, 8 ]',
        '  max_queue_delay_microseconds: 100',
        '}',
        'flag: true',
        'ratio: 0.5',
        '',
      ].join('\n'),
    );
  });

  it('separates repeated messages with commas and skips undefined and empty repeated fields', () => {
    expect(toPbtxt({ p: [{ key: 'a' }, { key: 'b' }], none: undefined, empty: [] })).toBe('p [\n  {\n    key: "a"\n  },\n  {\n    key: "b"\n  }\n]\n');
  });

  it('escapes strings so user text cannot end the literal', () => {
    expect(pbString('a"b\\c\nd\te')).toBe('"a\\"b\\\\c\\nd\\te"');
    expect(pbString('é')).toBe('"\\303\\251"');
    expect(toPbtxt({ name: '"} evil: 1 {"' })).toBe('name: "\\"} evil: 1 {\\""\n');
  });

  it('rejects what the format cannot express', () => {
    expect(() => pbEnum('not an enum')).toThrow(/invalid protobuf enum/);
    expect(() => toPbtxt({ 'bad-field': 1 })).toThrow(/invalid protobuf field name/);
    expect(() => toPbtxt({ x: Number.NaN })).toThrow(/no literal/);
    expect(() => toPbtxt({ mixed: [1, { a: 1 }] as never })).toThrow(/mixes/);
  });
});

describe('toProperties (java.util.Properties)', () => {
  it('writes key=value lines in order after the comment', () => {
    expect(toProperties([['a.b', 'x'], ['n', 3], ['flag', true]], ['generated'])).toBe('# generated\na.b=x\nn=3\nflag=true\n');
  });

  it('escapes values so they cannot start a new key', () => {
    expect(toProperties([['k', 'line1\nevil=1']])).toBe('k=line1\\nevil=1\n');
    expect(toProperties([['k', ' lead\\x']])).toBe('k=\\ lead\\\\x\n');
    expect(toProperties([['k', 'é']])).toBe('k=\\u00e9\n');
    expect(toProperties([['models', JSON.stringify({ m: { '1.0': { batchSize: 1 } } })]])).toBe('models={"m":{"1.0":{"batchSize":1}}}\n');
  });

  it('rejects keys with separators or spaces', () => {
    expect(() => toProperties([['a b', 'x']])).toThrow(/invalid properties key/);
    expect(() => toProperties([['a=b', 'x']])).toThrow(/invalid properties key/);
  });
});
