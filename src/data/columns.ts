import { UserError } from '../errors.js';
import { sharedFloat64Array, type ColumnData } from '../stats/drift.js';

/**
 * Turning cells (inline JSON values or CSV text) into the typed columns the drift statistics take.
 *
 * The rules, stated once (check_drift's description repeats them):
 * - Missing: null, and text that is empty or (after trimming spaces) one of MISSING_TOKENS. Missing cells are
 *   counted, never compared.
 * - A number: a JSON number, or text that is a plain decimal number after trimming spaces ("12", "-0.5", "1e3",
 *   ".5"); "0x10", "1_000", "1,5" are not numbers. Infinity (a JSON overflow, "inf", "Infinity", "1e999") is an
 *   error, never a value.
 * - Type: a column declared in `features` has that type; otherwise it is numeric when every non-missing cell of
 *   both sets is a number, else categorical. Categorical values are the cells' text (booleans as "true"/"false",
 *   JSON numbers as JavaScript prints them).
 * - A declared-numeric column with any other cell is an error naming the set, column, position and value.
 */

export type DeclaredType = 'numeric' | 'categorical';
export type InlineCell = number | string | boolean | null;
export type SetName = 'reference' | 'current';

/** Text read as missing (compared after trimming surrounding spaces). */
export const MISSING_TOKENS: readonly string[] = ['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', 'None'];
const MISSING = new Set(MISSING_TOKENS);
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY = /^[+-]?(?:inf|infinity)$/i;

/** Bounds of the inline form (also stated in the tool's schema and description). */
export const MAX_INLINE_VALUES = 100_000;
export const MAX_COLUMNS = 200;

/** Where a set comes from, for error messages: `reference "ref.csv"` or `reference`. */
export interface SetSource {
  set: SetName;
  /** The CSV path as the user gave it (absent for inline data). */
  file?: string;
}

export function describeSource(source: SetSource): string {
  return source.file === undefined ? `${source.set} data` : `${source.set} file ${JSON.stringify(source.file)}`;
}

/** A cell value for an error message: JSON-quoted, at most 40 characters of it. */
export function showCell(value: unknown): string {
  const s = typeof value === 'string' ? value : String(value);
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 37)}...` : s);
}

type Built =
  | { mode: 'numeric'; values: Float64Array; missing: number }
  /** `exact`: every cell's text is kept; false when the column switched to text after numbers (read it again). */
  | { mode: 'text'; values: string[]; missing: number; exact: boolean };

const isDigit = (c: number) => c >= 48 && c <= 57;
/** "0x", "0b", "0o": radix prefixes Number() accepts but a CSV number never has. */
const isRadixLetter = (c: number) => c === 120 || c === 88 || c === 98 || c === 66 || c === 111 || c === 79;

/**
 * Collects one column of one set cell by cell. An undeclared column stays numeric (values in a growing
 * Float64Array, the fast path for large CSV files) until its first non-numeric cell, then switches to text;
 * the numbers before the switch are dropped (`exact: false`) and the caller reads the set again with the
 * column declared categorical, so categories always keep the cells' exact text ("1.50" stays "1.50").
 */
export class ColumnBuilder {
  private numbers = new Float64Array(0);
  private count = 0;
  private texts: string[] | null;
  private missing = 0;
  private exact = true;

  constructor(
    readonly name: string,
    private readonly declared: DeclaredType | undefined,
    private readonly source: SetSource,
    /** How positions are named in messages: CSV lines or array indices. */
    private readonly position: 'line' | 'index',
  ) {
    this.texts = declared === 'categorical' ? [] : null;
    if (!this.texts) this.numbers = new Float64Array(1024);
  }

  private where(at: number): string {
    return `${describeSource(this.source)}, column ${JSON.stringify(this.name)}, ${this.position} ${at}`;
  }

  private pushNumber(n: number): void {
    if (this.count === this.numbers.length) {
      const grown = new Float64Array(this.numbers.length * 2);
      grown.set(this.numbers);
      this.numbers = grown;
    }
    this.numbers[this.count++] = n;
  }

  private pushText(text: string, at: number): void {
    if (!this.texts) {
      if (this.declared === 'numeric') {
        throw new UserError(`${this.where(at)}: ${showCell(text)} is not a number, and the column is declared numeric. Fix the cell, leave it empty (missing), or declare the column categorical in features.`);
      }
      this.texts = [];
      this.exact = this.count === 0;
      this.numbers = new Float64Array(0);
      this.count = 0;
    }
    this.texts.push(text);
  }

  /** Adds one cell; `at` is its line (CSV, 1-based, the header is line 1) or index (inline, 0-based). */
  push(cell: InlineCell | undefined, at: number): void {
    if (cell === null || cell === undefined) {
      this.missing++;
      return;
    }
    if (typeof cell === 'number') {
      if (!Number.isFinite(cell)) throw new UserError(`${this.where(at)}: ${String(cell)} is not a finite number; use a finite value, or null for missing.`);
      if (this.texts) this.texts.push(String(cell));
      else this.pushNumber(cell);
      return;
    }
    if (typeof cell === 'boolean') {
      this.pushText(cell ? 'true' : 'false', at);
      return;
    }
    if (!this.texts) {
      // Fast path for the common case, a plain number: Number() agrees with DECIMAL on text that starts with a
      // digit, sign or dot, except for radix prefixes ("0x10") and overflow (Infinity), both left to the checks below.
      const c0 = cell.charCodeAt(0);
      if (isDigit(c0) || c0 === 45 || c0 === 46 || c0 === 43) {
        const n = Number(cell);
        if (Number.isFinite(n) && !(c0 === 48 && cell.length > 1 && isRadixLetter(cell.charCodeAt(1)))) {
          this.pushNumber(n);
          return;
        }
      }
    }
    const trimmed = cell.trim();
    if (MISSING.has(trimmed)) {
      this.missing++;
      return;
    }
    if (this.texts && this.declared === 'categorical') {
      this.texts.push(cell);
      return;
    }
    if (DECIMAL.test(trimmed)) {
      const n = Number(trimmed);
      if (!Number.isFinite(n)) throw new UserError(`${this.where(at)}: ${showCell(cell)} is out of the range of a 64-bit float (it reads as Infinity); use a finite value, or an empty cell for missing.`);
      if (this.texts) this.texts.push(cell);
      else this.pushNumber(n);
      return;
    }
    if (INFINITY.test(trimmed)) {
      throw new UserError(`${this.where(at)}: ${showCell(cell)} is infinite; drift statistics need finite numbers (use an empty cell for missing).`);
    }
    this.pushText(cell, at);
  }

  finish(): Built {
    return this.texts ? { mode: 'text', values: this.texts, missing: this.missing, exact: this.exact } : { mode: 'numeric', values: this.sharedNumbers(), missing: this.missing };
  }

  /** The numbers in shared memory: driftAll hands them to worker threads without another copy. */
  private sharedNumbers(): Float64Array {
    const out = sharedFloat64Array(this.count);
    out.set(this.numbers.subarray(0, this.count));
    return out;
  }
}

export type BuiltColumn = ReturnType<ColumnBuilder['finish']>;

/** The declared types of `features`, by name. */
export type Declared = ReadonlyMap<string, DeclaredType>;

export interface FeatureRequest {
  name: string;
  type?: DeclaredType | undefined;
}

/**
 * The columns to compare: `features` when given (each must be in both sets), else every column, which must then
 * be in both sets. Order: `features` order, else the reference's column order.
 */
export function selectColumns(reference: readonly string[], current: readonly string[], features: readonly FeatureRequest[] | undefined, sources: { reference: SetSource; current: SetSource }): { names: string[]; declared: Map<string, DeclaredType> } {
  const declared = new Map<string, DeclaredType>();
  const refSet = new Set(reference);
  const curSet = new Set(current);
  const list = (names: string[]) => names.map((n) => JSON.stringify(n)).join(', ');
  let names: string[];
  if (features && features.length > 0) {
    const seen = new Set<string>();
    for (const f of features) {
      if (seen.has(f.name)) throw new UserError(`features lists ${JSON.stringify(f.name)} twice; list each column once.`);
      seen.add(f.name);
      if (f.type) declared.set(f.name, f.type);
    }
    names = features.map((f) => f.name);
    const notRef = names.filter((n) => !refSet.has(n));
    const notCur = names.filter((n) => !curSet.has(n));
    if (notRef.length || notCur.length) {
      throw new UserError(
        [
          notRef.length ? `${describeSource(sources.reference)} has no column ${list(notRef)}` : '',
          notCur.length ? `${describeSource(sources.current)} has no column ${list(notCur)}` : '',
        ]
          .filter(Boolean)
          .join('; ') + `. features may only name columns present in both sets (reference columns: ${list(reference.slice(0, 20))}${reference.length > 20 ? ', ...' : ''}).`,
      );
    }
  } else {
    const onlyRef = reference.filter((n) => !curSet.has(n));
    const onlyCur = current.filter((n) => !refSet.has(n));
    if (onlyRef.length || onlyCur.length) {
      throw new UserError(
        `The two sets have different columns: ${[onlyRef.length ? `only in the reference: ${list(onlyRef)}` : '', onlyCur.length ? `only in the current set: ${list(onlyCur)}` : ''].filter(Boolean).join('; ')}. Fix the data, or pass features naming the columns to compare.`,
      );
    }
    names = [...reference];
  }
  if (names.length === 0) throw new UserError('There are no columns to compare: give at least one column in both sets.');
  if (names.length > MAX_COLUMNS) throw new UserError(`${names.length} columns to compare; at most ${MAX_COLUMNS} per call. Pass features naming the columns to compare (up to ${MAX_COLUMNS}).`);
  return { names, declared };
}

export interface ColumnPair {
  name: string;
  reference: ColumnData;
  current: ColumnData;
}

/**
 * Decides each column's type from both sets and builds the ColumnData pairs. Returns, per set, the columns
 * that turned categorical after holding numbers: the caller reads them again declared categorical
 * (`rebuild`) so categories keep the cells' exact text.
 */
export function combineColumns(
  names: readonly string[],
  declared: Declared,
  reference: ReadonlyMap<string, BuiltColumn>,
  current: ReadonlyMap<string, BuiltColumn>,
): { pairs: ColumnPair[]; rebuild: { reference: string[]; current: string[] } } {
  const rebuild = { reference: [] as string[], current: [] as string[] };
  const pairs: ColumnPair[] = [];
  for (const name of names) {
    const ref = reference.get(name)!;
    const cur = current.get(name)!;
    const kind = declared.get(name) ?? (ref.mode === 'numeric' && cur.mode === 'numeric' ? 'numeric' : 'categorical');
    if (kind === 'numeric') {
      // Declared numeric columns never hold text (push throws), so both are numeric here.
      pairs.push({ name, reference: numeric(ref), current: numeric(cur) });
      continue;
    }
    const refText = asText(ref);
    const curText = asText(cur);
    if (!refText) rebuild.reference.push(name);
    if (!curText) rebuild.current.push(name);
    if (refText && curText) pairs.push({ name, reference: refText, current: curText });
  }
  return { pairs, rebuild };
}

function numeric(column: BuiltColumn): ColumnData {
  if (column.mode !== 'numeric') throw new Error('a numeric column holds text');
  return { kind: 'numeric', values: column.values, missing: column.missing };
}

/** The column as categorical text, or null when it must be read again as text (it held numbers). */
function asText(column: BuiltColumn): ColumnData | null {
  if (column.mode === 'text') return column.exact ? { kind: 'categorical', values: column.values, missing: column.missing } : null;
  return column.values.length === 0 ? { kind: 'categorical', values: [], missing: column.missing } : null;
}

/** Builds the columns of one inline set (`{ column: cells[] }`), only the `names` given. */
export function buildInline(data: Readonly<Record<string, readonly InlineCell[]>>, names: readonly string[], declared: Declared, source: SetSource): Map<string, BuiltColumn> {
  const out = new Map<string, BuiltColumn>();
  for (const name of names) {
    const cells = data[name]!;
    const builder = new ColumnBuilder(name, declared.get(name), source, 'index');
    for (let i = 0; i < cells.length; i++) builder.push(cells[i], i);
    out.set(name, builder.finish());
  }
  return out;
}

/** Checks the inline bounds and returns the column pairs of two inline sets. */
export function inlineColumns(
  reference: Readonly<Record<string, readonly InlineCell[]>>,
  current: Readonly<Record<string, readonly InlineCell[]>>,
  features: readonly FeatureRequest[] | undefined,
): ColumnPair[] {
  const sources = { reference: { set: 'reference' as const }, current: { set: 'current' as const } };
  for (const [set, data] of [['reference', reference], ['current', current]] as const) {
    const names = Object.keys(data);
    if (names.length > MAX_COLUMNS) throw new UserError(`${set} has ${names.length} columns; inline data takes at most ${MAX_COLUMNS} columns (use CSV files under the data root, with features, for wider data).`);
    for (const name of names) {
      if (data[name]!.length > MAX_INLINE_VALUES) throw new UserError(`${set} column ${JSON.stringify(name)} has ${data[name]!.length} values; inline data takes at most ${MAX_INLINE_VALUES.toLocaleString('en-US')} per column (use CSV files under the data root for more).`);
    }
  }
  const { names, declared } = selectColumns(Object.keys(reference), Object.keys(current), features, sources);
  const first = combineColumns(names, declared, buildInline(reference, names, declared, sources.reference), buildInline(current, names, declared, sources.current));
  if (first.rebuild.reference.length === 0 && first.rebuild.current.length === 0) return first.pairs;
  // Some categorical columns held numbers: read them again as text.
  const categorical = new Map(declared);
  for (const name of [...first.rebuild.reference, ...first.rebuild.current]) categorical.set(name, 'categorical');
  return combineColumns(names, categorical, buildInline(reference, names, categorical, sources.reference), buildInline(current, names, categorical, sources.current)).pairs;
}
