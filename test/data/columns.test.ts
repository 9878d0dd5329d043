import { describe, expect, it } from 'vitest';
import { ColumnBuilder, MAX_COLUMNS, MAX_INLINE_VALUES, inlineColumns, showCell, type InlineCell } from '../../src/data/columns.js';
import { UserError } from '../../src/errors.js';

const byName = (pairs: ReturnType<typeof inlineColumns>) => Object.fromEntries(pairs.map((p) => [p.name, p]));
const values = (c: { values: Float64Array | string[] }) => Array.from(c.values as ArrayLike<number | string>);

function thrown(fn: () => unknown): UserError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected a UserError');
}

describe('inline columns: missing values', () => {
  it('counts null, empty text and the NA tokens as missing and leaves them out of the values', () => {
    const { a } = byName(inlineColumns({ a: [1, null, '', ' ', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', 'None', 2] }, { a: ['3', null] }, undefined));
    expect(a!.reference).toMatchObject({ kind: 'numeric', missing: 10 });
    expect(values(a!.reference)).toEqual([1, 2]);
    expect(a!.current).toMatchObject({ kind: 'numeric', missing: 1 });
    expect(values(a!.current)).toEqual([3]);
  });

  it('gives a column with no non-missing values an empty numeric column (the tool reports it insufficient)', () => {
    const { e } = byName(inlineColumns({ e: [null, 'NA'] }, { e: [] }, undefined));
    expect(e!.reference).toMatchObject({ kind: 'numeric', missing: 2 });
    expect(e!.reference.values.length).toBe(0);
    expect(e!.current.values.length).toBe(0);
  });
});

describe('inline columns: type inference', () => {
  it('makes a column numeric when every non-missing cell of both sets is a plain decimal number', () => {
    const { x } = byName(inlineColumns({ x: [1, '2.5', ' 3 ', '1e3', '-.5', '+4.'] }, { x: [0] }, undefined));
    expect(x!.reference.kind).toBe('numeric');
    expect(values(x!.reference)).toEqual([1, 2.5, 3, 1000, -0.5, 4]);
  });

  it('makes it categorical when any cell of either set is not a number, keeping each cell\'s text', () => {
    const { x, h } = byName(inlineColumns({ x: [1, 2, '1.50'], h: ['1', '2'] }, { x: ['n/a-ish', 3], h: ['0x10', '3'] }, undefined));
    expect(x!.reference).toMatchObject({ kind: 'categorical', values: ['1', '2', '1.50'] });
    expect(x!.current).toMatchObject({ kind: 'categorical', values: ['n/a-ish', '3'] });
    // "0x10" is not a decimal number (Number() would read it as 16).
    expect(h!.current).toMatchObject({ kind: 'categorical', values: ['0x10', '3'] });
    expect(h!.reference).toMatchObject({ kind: 'categorical', values: ['1', '2'] });
  });

  it('reads booleans as the categories "true" and "false"', () => {
    const { b } = byName(inlineColumns({ b: [true, false, null] }, { b: ['true', true] }, undefined));
    expect(b!.reference).toMatchObject({ kind: 'categorical', values: ['true', 'false'], missing: 1 });
    expect(b!.current).toMatchObject({ kind: 'categorical', values: ['true', 'true'] });
  });

  it('follows the declared type: categorical keeps numbers as text, numeric is enforced', () => {
    const { zip } = byName(inlineColumns({ zip: ['00501', '10001', 501] }, { zip: ['00501'] }, [{ name: 'zip', type: 'categorical' }]));
    expect(zip!.reference).toMatchObject({ kind: 'categorical', values: ['00501', '10001', '501'] });
    const error = thrown(() => inlineColumns({ age: [1, 2, 'forty-two'] }, { age: [3] }, [{ name: 'age', type: 'numeric' }]));
    expect(error.message).toBe('reference data, column "age", index 2: "forty-two" is not a number, and the column is declared numeric. Fix the cell, leave it empty (missing), or declare the column categorical in features.');
  });

  it('truncates a long offending value in the message', () => {
    const long = 'x'.repeat(500);
    const error = thrown(() => inlineColumns({ a: [1] }, { a: [2, 3, long] }, [{ name: 'a', type: 'numeric' }]));
    expect(error.message).toContain(`current data, column "a", index 2: ${showCell(long)}`);
    expect(error.message).toContain(`"${'x'.repeat(37)}..."`);
    expect(error.message.length).toBeLessThan(250);
  });

  it('refuses infinite values, whatever their spelling', () => {
    for (const bad of ['Infinity', '-inf', 'INF', '1e999'] as InlineCell[]) {
      expect(thrown(() => inlineColumns({ a: [1, bad] }, { a: [1] }, undefined)).message).toMatch(/^reference data, column "a", index 1: .*(infinite|Infinity)/);
    }
    expect(thrown(() => inlineColumns({ a: [1] }, { a: [Number.POSITIVE_INFINITY] }, undefined)).message).toMatch(/current data, column "a", index 0: Infinity is not a finite number/);
  });
});

describe('inline columns: which columns', () => {
  it('refuses columns present in one set only, listing them', () => {
    const error = thrown(() => inlineColumns({ a: [1], b: [2], c: [3] }, { a: [1], d: [4] }, undefined));
    expect(error.message).toBe('The two sets have different columns: only in the reference: "b", "c"; only in the current set: "d". Fix the data, or pass features naming the columns to compare.');
  });

  it('compares only the features named, in their order, when features is given', () => {
    const pairs = inlineColumns({ a: [1], b: ['x'], c: [3] }, { a: [1], b: ['y'], d: [4] }, [{ name: 'b' }, { name: 'a' }]);
    expect(pairs.map((p) => p.name)).toEqual(['b', 'a']);
  });

  it('refuses features that name a column missing from a set, or a column twice', () => {
    expect(thrown(() => inlineColumns({ a: [1] }, { a: [1], b: [2] }, [{ name: 'b' }])).message).toMatch(/^reference data has no column "b"\. features may only name columns present in both sets/);
    expect(thrown(() => inlineColumns({ a: [1] }, { a: [1] }, [{ name: 'a' }, { name: 'a' }])).message).toMatch(/features lists "a" twice/);
  });

  it('refuses sets without columns', () => {
    expect(thrown(() => inlineColumns({}, {}, undefined)).message).toMatch(/no columns to compare/);
  });

  it(`bounds inline data: ${MAX_COLUMNS} columns, ${MAX_INLINE_VALUES} values per column`, () => {
    const wide = Object.fromEntries(Array.from({ length: MAX_COLUMNS + 1 }, (_, i) => [`c${i}`, [1]]));
    expect(thrown(() => inlineColumns(wide, wide, undefined)).message).toMatch(/reference has 201 columns; inline data takes at most 200 columns/);
    const long = { a: new Array<number>(MAX_INLINE_VALUES + 1).fill(1) };
    expect(thrown(() => inlineColumns({ a: [1] }, long, undefined)).message).toMatch(/current column "a" has 100001 values; inline data takes at most 100,000 per column/);
  });
});

describe('ColumnBuilder', () => {
  it('keeps an undeclared column in a Float64Array while every cell is a number', () => {
    const b = new ColumnBuilder('c', undefined, { set: 'current', file: 'cur.csv' }, 'line');
    for (const [i, cell] of ['1', '-2.5', '.5', '+4', '1e-3', ' 7', '8 ', '', '0'].entries()) b.push(cell, i + 2);
    const built = b.finish();
    expect(built).toMatchObject({ mode: 'numeric', missing: 1 });
    expect(Array.from(built.values as Float64Array)).toEqual([1, -2.5, 0.5, 4, 0.001, 7, 8, 0]);
  });

  it('switches to text at the first non-numeric cell and asks to be read again when it held numbers', () => {
    const b = new ColumnBuilder('c', undefined, { set: 'current', file: 'cur.csv' }, 'line');
    for (const [i, cell] of ['1.50', '0x10', 'x'].entries()) b.push(cell, i + 2);
    expect(b.finish()).toMatchObject({ mode: 'text', exact: false });
    const fresh = new ColumnBuilder('c', undefined, { set: 'current', file: 'cur.csv' }, 'line');
    for (const [i, cell] of ['', 'x', '1.50'].entries()) fresh.push(cell, i + 2);
    expect(fresh.finish()).toMatchObject({ mode: 'text', exact: true, values: ['x', '1.50'], missing: 1 });
  });

  it('names the file and line of a bad cell in a declared-numeric column', () => {
    const b = new ColumnBuilder('price', 'numeric', { set: 'reference', file: 'data/ref.csv' }, 'line');
    b.push('1', 2);
    expect(thrown(() => b.push('12,5', 3)).message).toMatch(/^reference file "data\/ref\.csv", column "price", line 3: "12,5" is not a number/);
  });
});
