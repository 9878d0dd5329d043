import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CsvParser, readCsvColumns, readCsvFile, readCsvHeader } from '../../src/data/csv.js';
import { tempDir } from '../helpers/tmp.js';
import { userError } from '../helpers/expect.js';

/** Parses text fed in pieces of `step` characters (Infinity: in one piece); returns [line, fields] per record. */
function parse(text: string, step = Infinity): [number, string[]][] {
  const records: [number, string[]][] = [];
  const parser = new CsvParser((fields, line) => void records.push([line, [...fields]]), 'test.csv');
  for (let i = 0; i < text.length; i += step) parser.feed(text.slice(i, i + step));
  parser.end();
  return records;
}


describe('CsvParser (RFC 4180)', () => {
  const tricky = 'name,note,n\r\n"Smith, J","said ""hi""",1\r\n"multi\nline",,2\nplain,"",3';

  it('reads quoted fields with commas, doubled quotes and line breaks, and CRLF or LF record ends', () => {
    expect(parse(tricky)).toEqual([
      [1, ['name', 'note', 'n']],
      [2, ['Smith, J', 'said "hi"', '1']],
      [3, ['multi\nline', '', '2']],
      [5, ['plain', '', '3']],
    ]);
  });

  it('gives the same records whatever the chunk boundaries', () => {
    const whole = parse(tricky);
    for (const step of [1, 2, 3, 5, 7]) expect(parse(tricky, step)).toEqual(whole);
    expect(parse('a,b\r\n1,2\r\n', 1)).toEqual([
      [1, ['a', 'b']],
      [2, ['1', '2']],
    ]);
  });

  it('skips blank lines, accepts a lone CR and a missing final line break, keeps trailing empty fields', () => {
    expect(parse('a,b\n\n1,2\r\r3,\n\n')).toEqual([
      [1, ['a', 'b']],
      [3, ['1', '2']],
      [5, ['3', '']],
    ]);
    expect(parse('a\n""\n')).toEqual([
      [1, ['a']],
      [2, ['']],
    ]);
  });

  it('keeps a quote inside an unquoted field as text', () => {
    expect(parse('a\n5"2\n')[1]).toEqual([2, ['5"2']]);
  });

  it('reports an unclosed quote with the line it opened on', () => {
    expect(() => parse('a,b\n1,"open\n2,3\n')).toThrow('test.csv: the quoted field starting on line 2 is never closed (a missing closing quote).');
  });

  it('reports text after a closing quote with its line', () => {
    expect(() => parse('a,b\n1,"x"y\n')).toThrow(/^test\.csv: line 2 has text after a closing quote \("y\\n"\)/);
  });
});

describe('reading CSV files', () => {
  const ref = { set: 'reference' as const, file: 'ref.csv' };

  it('strips a UTF-8 byte-order mark and reads the named columns, numbers as Float64', async () => {
    const dir = tempDir();
    const path = join(dir, 'ref.csv');
    writeFileSync(path, '\uFEFFid,age,city\n1,40.5,Paris\n2,,Lyon\n3,1e2,"Saint-Étienne"\n');
    expect(await readCsvHeader(path, 'reference file "ref.csv"')).toEqual(['id', 'age', 'city']);
    const { columns, rows } = await readCsvColumns(path, ref, ['age', 'city'], new Map());
    expect(rows).toBe(3);
    const age = columns.get('age')!;
    expect(age).toMatchObject({ mode: 'numeric', missing: 1 });
    expect(Array.from(age.values as Float64Array)).toEqual([40.5, 100]);
    expect(columns.get('city')).toMatchObject({ mode: 'text', values: ['Paris', 'Lyon', 'Saint-Étienne'], missing: 0 });
    expect(columns.has('id')).toBe(false);
  });

  it('reads a file the same way whatever the read size: BOM, multi-byte characters and quoted line breaks across reads', async () => {
    const dir = tempDir();
    const path = join(dir, 'mixed.csv');
    const text = 'city,note,n\r\nZürich,"a, ""b""\nc",1\r\n北京,,2\r\n\r\nSão Paulo,"😀",3';
    writeFileSync(path, `\uFEFF${text}`);
    const expected = parse(text);
    for (const chunk of [1, 2, 3, 5, 8, 64, 4096]) {
      const records: [number, string[]][] = [];
      await readCsvFile(path, 'mixed.csv', (fields, line) => void records.push([line, [...fields]]), undefined, chunk);
      expect(records, `chunk ${chunk}`).toEqual(expected);
    }
    expect(expected[2]).toEqual([4, ['北京', '', '2']]);
  });

  it('refuses ragged rows, naming the line', async () => {
    const dir = tempDir();
    const path = join(dir, 'r.csv');
    writeFileSync(path, 'a,b\n1,2\n"x\ny",2\n3,4,5\n');
    const error = await userError(readCsvColumns(path, ref, ['a'], new Map()));
    expect(error.message).toBe('reference file "ref.csv": line 5 has 3 fields but the header has 2; every row needs one field per column (quote fields that contain commas).');
  });

  it('names file, column, line and value for a non-numeric cell in a declared-numeric column', async () => {
    const dir = tempDir();
    const path = join(dir, 'r.csv');
    writeFileSync(path, 'price\n1\n2\nfree\n');
    const error = await userError(readCsvColumns(path, ref, ['price'], new Map([['price', 'numeric']])));
    expect(error.message).toMatch(/^reference file "ref\.csv", column "price", line 4: "free" is not a number, and the column is declared numeric/);
  });

  it('refuses empty files, header-only files, files of blank lines, duplicate or empty column names', async () => {
    const dir = tempDir();
    const cases: [string, string | Buffer, RegExp][] = [
      ['empty.csv', '', /is empty; it needs a header row and data rows/],
      ['bom.csv', '\uFEFF', /is empty \(only blank lines\)/],
      ['blank.csv', '\n\r\n\n', /is empty \(only blank lines\)/],
      ['header.csv', 'a,b\n', /has a header row but no data rows/],
      ['dup.csv', 'a,b,a\n1,2,3\n', /the header names column "a" twice/],
      ['noname.csv', 'a,,c\n1,2,3\n', /column 2 of the header row has no name/],
      ['latin1.csv', Buffer.from([0x61, 0x0a, 0xe9, 0x0a]), /is not valid UTF-8/],
    ];
    for (const [name, content, message] of cases) {
      writeFileSync(join(dir, name), content);
      expect((await userError(readCsvColumns(join(dir, name), ref, ['a'], new Map()))).message, name).toMatch(message);
    }
    expect((await userError(readCsvColumns(join(dir, 'nope.csv'), ref, ['a'], new Map()))).message).toMatch(/does not exist under the data root/);
    expect((await userError(readCsvColumns(dir, ref, ['a'], new Map()))).message).toMatch(/is a folder|not a regular file/);
  });

  it('reads 100,000 rows × 5 numeric columns quickly (streamed in chunks)', async () => {
    const dir = tempDir();
    const path = join(dir, 'big.csv');
    const lines = ['a,b,c,d,e'];
    for (let i = 0; i < 100_000; i++) lines.push(`${i},${(i * 0.37) % 11},${-i / 7},${i % 13}.25,"${i % 5}"`);
    writeFileSync(path, `${lines.join('\n')}\n`);
    const { columns, rows } = await readCsvColumns(path, ref, ['a', 'b', 'c', 'd', 'e'], new Map());
    expect(rows).toBe(100_000);
    expect([...columns.values()].every((c) => c.mode === 'numeric' && c.values.length === 100_000)).toBe(true);
    expect((columns.get('c')!.values as Float64Array)[99_999]).toBe(-99_999 / 7);
  });
});
