/**
 * A reader of protobuf text format, independent of our serializer, so that checking a generated config.pbtxt is
 * a real check: tokens, nesting, `field: value`, `field { … }`, `field: { … }`, lists `[ … ]`, repeated fields,
 * double- or single-quoted strings with C escapes, `#` comments. Returns plain data: messages as objects whose
 * repeated fields are arrays, enum symbols as strings, numbers as numbers.
 */
export type PbData = string | number | boolean | PbObject | PbData[];
export interface PbObject {
  [field: string]: PbData;
}

type Token = { type: 'ident' | 'number' | 'string' | 'punct'; value: string; line: number };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c)) i++;
    else if (c === '#') while (i < src.length && src[i] !== '\n') i++;
    else if ('{}[]:,;<>'.includes(c)) {
      tokens.push({ type: 'punct', value: c, line });
      i++;
    }
    else if (c === '"' || c === "'") {
      let j = i + 1;
      let out = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\n') throw new Error(`line ${line}: unterminated string`);
        if (src[j] === '\\') {
          const e = src[j + 1];
          const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', "'": "'", '\\': '\\' };
          if (e !== undefined && e in simple) {
            out += simple[e];
            j += 2;
          }
          else if (e !== undefined && /[0-7]/.test(e)) {
            const oct = /^[0-7]{1,3}/.exec(src.slice(j + 1))![0];
            out += String.fromCharCode(parseInt(oct, 8));
            j += 1 + oct.length;
          } else throw new Error(`line ${line}: unknown escape \\${e ?? ''}`);
        } else out += src[j++];
      }
      if (j >= src.length) throw new Error(`line ${line}: unterminated string`);
      tokens.push({ type: 'string', value: Buffer.from(out, 'latin1').toString('utf8'), line });
      i = j + 1;
    } else {
      const m = /^(-?(?:0x[0-9a-fA-F]+|\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+)[fF]?|[A-Za-z_][A-Za-z0-9_.]*)/.exec(src.slice(i));
      if (!m) throw new Error(`line ${line}: unexpected character ${JSON.stringify(c)}`);
      tokens.push({ type: /^[A-Za-z_]/.test(m[0]) ? 'ident' : 'number', value: m[0], line });
      i += m[0].length;
    }
  }
  return tokens;
}

export function parsePbtxt(src: string): PbObject {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = () => tokens[pos];
  const next = (): Token => {
    const t = tokens[pos++];
    if (!t) throw new Error('unexpected end of input');
    return t;
  };
  const scalar = (): PbData => {
    const t = next();
    if (t.type === 'string') {
      let s = t.value;
      while (peek()?.type === 'string') s += next().value; // adjacent literals concatenate
      return s;
    }
    if (t.type === 'number') return Number(t.value.replace(/[fF]$/, ''));
    if (t.type === 'ident') return t.value === 'true' || t.value === 'True' ? true : t.value === 'false' || t.value === 'False' ? false : t.value;
    throw new Error(`line ${t.line}: expected a value, found "${t.value}"`);
  };
  const message = (close: string | null): PbObject => {
    const obj: PbObject = {};
    for (;;) {
      const t = peek();
      if (!t) {
        if (close) throw new Error(`unexpected end of input: missing "${close}"`);
        return obj;
      }
      if (close && t.value === close) {
        pos++;
        return obj;
      }
      const field = next();
      if (field.type !== 'ident') throw new Error(`line ${field.line}: expected a field name, found "${field.value}"`);
      let colon = false;
      if (peek()?.value === ':') {
        pos++;
        colon = true;
      }
      let values: PbData[];
      const open = peek()?.value;
      if (open === '[') {
        pos++;
        values = [];
        while (peek()?.value !== ']') {
          const opener = peek()?.value;
          let v: PbData;
          if (opener === '{' || opener === '<') {
            pos++;
            v = message(opener === '{' ? '}' : '>');
          } else v = scalar();
          values.push(v);
          if (peek()?.value === ',') pos++;
          else if (peek()?.value !== ']') throw new Error(`line ${peek()?.line ?? '?'}: expected "," or "]" in the list of ${field.value}`);
        }
        pos++;
      } else if (open === '{' || open === '<') {
        pos++;
        values = [message(open === '{' ? '}' : '>')];
      } else {
        if (!colon) throw new Error(`line ${field.line}: expected ":" after ${field.value}`);
        values = [scalar()];
      }
      const existing = obj[field.value];
      const isList = open === '[';
      if (existing === undefined) obj[field.value] = isList ? values : values[0]!;
      else obj[field.value] = [...(Array.isArray(existing) ? existing : [existing]), ...values];
      if (peek()?.value === ',' || peek()?.value === ';') pos++;
    }
  };
  return message(null);
}
