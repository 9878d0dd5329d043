import { isUtf8 } from 'node:buffer';
import { open } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { ColumnBuilder, describeSource, type BuiltColumn, type Declared, type SetSource } from './columns.js';

/**
 * CSV as RFC 4180 describes it: comma delimiter, a header row, fields optionally in double quotes (a quote
 * inside is doubled; quoted fields may hold commas and line breaks), records ended by CRLF or LF (a lone CR
 * too). UTF-8, with or without a byte-order mark. Blank lines are skipped (as pandas does). Every record must
 * have as many fields as the header. A quote inside an unquoted field is kept as text (a common deviation).
 *
 * Files are read in chunks and parsed as they arrive, so memory holds the selected columns, not the file text.
 */

export const MAX_CSV_BYTES = 512 * 1024 * 1024;
/** A single record (one row, quoted line breaks included) may not exceed this: it bounds the carried-over text. */
const MAX_RECORD_CHARS = 16 * 1024 * 1024;
const CHUNK_BYTES = 4 * 1024 * 1024;

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;

/** Receives each record's fields (the array is reused: copy what you keep) and the line it starts on. */
export type RecordSink = (fields: readonly string[], line: number) => void | 'stop';

/**
 * An incremental RFC 4180 parser: `feed` text as it is decoded, then `end`. Emits whole records only; an
 * incomplete record at the end of a chunk is carried over to the next.
 */
export class CsvParser {
  private carry = '';
  /** Line number (1-based) where the carried text starts. */
  private line = 1;
  private readonly fields: string[] = [];
  private stopped = false;
  records = 0;

  constructor(
    private readonly sink: RecordSink,
    private readonly label: string,
  ) {}

  feed(chunk: string): void {
    if (this.stopped) return;
    const text = this.carry ? this.carry + chunk : chunk;
    const consumed = this.parse(text, false);
    this.carry = consumed < text.length ? text.slice(consumed) : '';
    if (this.carry.length > MAX_RECORD_CHARS) throw new UserError(`${this.label}: the record starting on line ${this.line} is longer than ${MAX_RECORD_CHARS / (1024 * 1024)} MiB (an unclosed quote?).`);
  }

  end(): void {
    if (this.stopped) return;
    if (this.carry) this.parse(this.carry, true);
    this.carry = '';
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Parses whole records from `text`; returns how many characters were consumed. */
  private parse(text: string, final: boolean): number {
    const n = text.length;
    const fields = this.fields;
    let i = 0;
    while (i < n) {
      const start = i;
      let line = this.line;
      fields.length = 0;
      let complete = false;
      for (;;) {
        // One field starts at i.
        if (i < n && text.charCodeAt(i) === QUOTE) {
          let value = '';
          let j = i + 1;
          for (;;) {
            const k = text.indexOf('"', j);
            if (k < 0 || (k === n - 1 && !final)) {
              if (!final) return start;
              throw new UserError(`${this.label}: the quoted field starting on line ${line} is never closed (a missing closing quote).`);
            }
            if (k + 1 < n && text.charCodeAt(k + 1) === QUOTE) {
              value += text.slice(j, k + 1);
              j = k + 2;
              continue;
            }
            value += text.slice(j, k);
            i = k + 1;
            break;
          }
          for (let p = value.indexOf('\n'); p >= 0; p = value.indexOf('\n', p + 1)) line++;
          fields.push(value);
          const c = i < n ? text.charCodeAt(i) : -1;
          if (c !== -1 && c !== COMMA && c !== LF && c !== CR) {
            throw new UserError(`${this.label}: line ${line} has text after a closing quote (${JSON.stringify(text.slice(i, i + 20))}); a quoted field must end at a comma or the end of the line.`);
          }
        } else {
          let k = i;
          while (k < n) {
            const c = text.charCodeAt(k);
            if (c === COMMA || c === LF || c === CR) break;
            k++;
          }
          fields.push(text.slice(i, k));
          i = k;
        }
        if (i >= n) {
          if (!final) return start;
          complete = true;
          break;
        }
        const c = text.charCodeAt(i);
        if (c === COMMA) {
          i++;
          continue;
        }
        if (c === CR) {
          if (i + 1 >= n && !final) return start;
          i += i + 1 < n && text.charCodeAt(i + 1) === LF ? 2 : 1;
        } else {
          i++;
        }
        line++;
        complete = true;
        break;
      }
      if (!complete) return start;
      const recordLine = this.line;
      this.line = line;
      // A blank line is one empty, unquoted field spanning no characters.
      const blank = fields.length === 1 && fields[0] === '' && text.charCodeAt(start) !== QUOTE;
      if (!blank) {
        this.records++;
        if (this.sink(fields, recordLine) === 'stop') {
          this.stopped = true;
          return n;
        }
      }
    }
    return n;
  }
}

function notFound(error: unknown, label: string): never {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') throw new UserError(`${label} does not exist under the data root.`, 'not_found');
  if (code === 'ENAMETOOLONG') throw new UserError(`${label} is too long a path for this file system; use a shorter path under the data root.`);
  if (code === 'ELOOP') throw new UserError(`${label} goes through a symbolic link loop; name the CSV file itself, under the data root.`);
  if (code === 'EISDIR') throw new UserError(`${label} is a folder, not a CSV file.`);
  if (code === 'EACCES' || code === 'EPERM') throw new UserError(`${label} cannot be read (permission denied).`, 'forbidden');
  throw error;
}

/** Streams a CSV file through a parser. `path` must already be checked to be under the data root. */
export async function readCsvFile(path: string, label: string, sink: RecordSink, signal?: AbortSignal, chunkBytes = CHUNK_BYTES): Promise<{ records: number }> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    notFound(error, label);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new UserError(`${label} is not a regular file.`);
    if (stat.size > MAX_CSV_BYTES) throw new UserError(`${label} is ${(stat.size / 2 ** 20).toFixed(0)} MiB; CSV files may be at most ${MAX_CSV_BYTES / 2 ** 20} MiB (sample the data first).`);
    if (stat.size === 0) throw new UserError(`${label} is empty; it needs a header row and data rows.`);
    const parser = new CsvParser(sink, label);
    const buffer = Buffer.allocUnsafe(chunkBytes);
    // Bytes after the last line break read so far. Decoding whole lines only keeps multi-byte characters in one
    // piece and lets the parser see complete records without re-scanning carried text (except quoted line breaks).
    let pending: Buffer = Buffer.alloc(0);
    let start = 0;
    let offset = 0;
    for (;;) {
      signal?.throwIfAborted();
      const { bytesRead } = await handle.read(buffer, 0, chunkBytes, offset);
      const eof = bytesRead === 0;
      const data = pending.length ? Buffer.concat([pending, buffer.subarray(0, bytesRead)]) : buffer.subarray(0, bytesRead);
      const cut = eof ? data.length : data.lastIndexOf(LF) + 1;
      if (cut > 0) {
        let piece = data.subarray(0, cut);
        if (start === 0 && piece[0] === 0xef && piece[1] === 0xbb && piece[2] === 0xbf) piece = piece.subarray(3);
        if (!isUtf8(piece)) throw new UserError(`${label} is not valid UTF-8 (an invalid byte between offsets ${start} and ${start + cut}); save it as UTF-8.`);
        parser.feed(piece.toString('utf8'));
        if (parser.isStopped) break;
      }
      start += cut;
      offset += bytesRead;
      if (eof) {
        parser.end();
        break;
      }
      pending = Buffer.from(data.subarray(cut));
      if (pending.length > MAX_RECORD_CHARS) throw new UserError(`${label}: the line starting at byte ${start} is longer than ${MAX_RECORD_CHARS / (1024 * 1024)} MiB.`);
    }
    return { records: parser.records };
  } finally {
    await handle.close();
  }
}

function checkHeader(fields: readonly string[], label: string): string[] {
  const names = fields.map((f) => f.trim());
  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (name === '') throw new UserError(`${label}: column ${i + 1} of the header row has no name; every column needs a name.`);
    if (seen.has(name)) throw new UserError(`${label}: the header names column ${JSON.stringify(name)} twice; column names must be unique.`);
    seen.add(name);
  });
  return names;
}

/** The column names of a CSV file (its first record). */
export async function readCsvHeader(path: string, label: string, signal?: AbortSignal): Promise<string[]> {
  let header: string[] | undefined;
  await readCsvFile(
    path,
    label,
    (fields) => {
      header = checkHeader(fields, label);
      return 'stop';
    },
    signal,
  );
  if (!header) throw new UserError(`${label} is empty (only blank lines); it needs a header row and data rows.`);
  return header;
}

/**
 * Reads the named columns of a CSV file into column builders (numbers kept as Float64 while a column stays
 * numeric). Ragged records are an error naming the line.
 */
export async function readCsvColumns(path: string, source: SetSource, names: readonly string[], declared: Declared, signal?: AbortSignal): Promise<{ columns: Map<string, BuiltColumn>; rows: number }> {
  const label = describeSource(source);
  let header: string[] | undefined;
  let width = 0;
  let index: Int32Array = new Int32Array(0);
  let builders: ColumnBuilder[] = [];
  let rows = 0;
  await readCsvFile(
    path,
    label,
    (fields, line) => {
      if (!header) {
        header = checkHeader(fields, label);
        width = header.length;
        const position = new Map(header.map((h, i) => [h, i]));
        const missing = names.filter((n) => !position.has(n));
        if (missing.length) throw new UserError(`${label} has no column ${missing.map((m) => JSON.stringify(m)).join(', ')}.`);
        index = Int32Array.from(names, (n) => position.get(n)!);
        builders = names.map((n) => new ColumnBuilder(n, declared.get(n), source, 'line'));
        return;
      }
      if (fields.length !== width) {
        throw new UserError(`${label}: line ${line} has ${fields.length} field${fields.length === 1 ? '' : 's'} but the header has ${width}; every row needs one field per column (quote fields that contain commas).`);
      }
      rows++;
      for (let c = 0; c < builders.length; c++) builders[c]!.push(fields[index[c]!], line);
    },
    signal,
  );
  if (!header) throw new UserError(`${label} is empty (only blank lines); it needs a header row and data rows.`);
  if (rows === 0) throw new UserError(`${label} has a header row but no data rows.`);
  return { columns: new Map(builders.map((b) => [b.name, b.finish()])), rows };
}
