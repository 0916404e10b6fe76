/**
 * JSON with exact 64-bit integers.
 *
 * Events files carry u64 values (skb addresses, `orig_head`, timestamps) as
 * plain JSON numbers; `JSON.parse` rounds anything above 2^53. Parsing here
 * keeps `JSON.parse` doing the work and only rewrites the long digit runs
 * first, so the common cost stays close to the native parser's:
 *
 * 1. One regex pass (a fixed 16-digit prefix, which V8 scans fast) quotes
 *    every run of 16+ digits as the string `"\u0000<digits>"`.
 * 2. `JSON.parse` the result. A run that sat inside a string now breaks the
 *    JSON (the inserted quote closes the string and a backslash follows
 *    outside it), and so does a long mantissa of a float (`"..."` then `.5`);
 *    either makes the parse throw and the line goes through the exact
 *    parser below instead. Valid JSON can therefore never be misread by
 *    the fast path.
 * 3. Walk the parsed value in source order and turn the marked strings back
 *    into numbers: `bigint` above 2^53 - 1, `number` otherwise. The walk
 *    stops as soon as every marked value was seen (they are usually in the
 *    first sections of an event).
 *
 * A line that already contains a `\u0000` escape could hold a string that
 * looks like a marker; it always takes the exact path, as does invalid
 * JSON (for its error message).
 */

const MARK = 0; // char code that starts a marked digit string
const MARK_LEN = 8; // added per rewritten run: `"` + `\u0000` + `"`
const MAX_SAFE = 9007199254740991n;

// Sixteen explicit \d: `\d{16,}` defeats V8's fast literal scan and costs 3x.
const LONG_DIGITS = /-?\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d+/g;

/** A JSON value as read by parseJson: numbers that need it are bigint. */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [key: string]: JsonValue };

/** Thrown for text that is not valid JSON. */
export class JsonSyntaxError extends SyntaxError {
  constructor(message: string) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

let pendingMarks = 0;

/**
 * Parse JSON text; integers that a double cannot hold exactly become bigint.
 * Throws JsonSyntaxError on invalid JSON.
 */
export function parseJson(text: string): JsonValue {
  const marked = text.replace(LONG_DIGITS, '"\\u0000$&"');
  if (marked.length === text.length) return parseNative(text);
  if (text.indexOf('\\u0000') === -1) {
    let value: JsonValue;
    try {
      value = JSON.parse(marked) as JsonValue;
    } catch {
      return parseJsonExact(text);
    }
    pendingMarks = (marked.length - text.length) / MARK_LEN;
    return unmark(value);
  }
  return parseJsonExact(text);
}

function parseNative(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (e) {
    throw new JsonSyntaxError((e as Error).message);
  }
}

/**
 * The slow, exact path: a small recursive-descent parser producing bigints
 * directly (exported as a reference for tests and odd inputs). Only lines the fast path cannot take come here (a `\u0000`
 * escape, a long float mantissa, a digit run inside a string, invalid JSON).
 */
export function parseJsonExact(text: string): JsonValue {
  const p = new ExactParser(text);
  p.ws();
  const value = p.value();
  p.ws();
  if (p.pos !== text.length) p.fail('Unexpected data after the JSON value');
  return value;
}

class ExactParser {
  pos = 0;

  constructor(private readonly text: string) {}

  fail(msg: string): never {
    throw new JsonSyntaxError(`${msg} at position ${this.pos}`);
  }

  ws(): void {
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return;
      this.pos++;
    }
  }

  value(): JsonValue {
    const t = this.text;
    const c = t.charCodeAt(this.pos);
    if (c === 0x7b) return this.object();
    if (c === 0x5b) return this.array();
    if (c === 0x22) return this.string();
    if (c === 0x2d || isDigit(c)) return this.number();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (t.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    return this.fail(this.pos >= t.length ? 'Unexpected end of JSON input' : 'Unexpected character');
  }

  private object(): JsonValue {
    const obj: Record<string, JsonValue> = {};
    this.pos++;
    this.ws();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return obj;
    }
    for (;;) {
      this.ws();
      if (this.text.charCodeAt(this.pos) !== 0x22) this.fail('Expected a property name');
      const key = this.string();
      this.ws();
      if (this.text.charCodeAt(this.pos) !== 0x3a) this.fail("Expected ':'");
      this.pos++;
      this.ws();
      obj[key] = this.value();
      this.ws();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 0x7d) return obj;
      if (c !== 0x2c) {
        this.pos--;
        this.fail("Expected ',' or '}'");
      }
    }
  }

  private array(): JsonValue {
    const arr: JsonValue[] = [];
    this.pos++;
    this.ws();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return arr;
    }
    for (;;) {
      this.ws();
      arr.push(this.value());
      this.ws();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 0x5d) return arr;
      if (c !== 0x2c) {
        this.pos--;
        this.fail("Expected ',' or ']'");
      }
    }
  }

  private string(): string {
    const start = this.pos;
    const end = skipString(this.text, start + 1);
    if (end > this.text.length) {
      this.fail('Unterminated string');
    }
    this.pos = end;
    // The native parser unescapes and validates the token.
    try {
      return JSON.parse(this.text.slice(start, end)) as string;
    } catch (e) {
      this.pos = start;
      return this.fail((e as Error).message);
    }
  }

  private number(): number | bigint {
    const t = this.text;
    const start = this.pos;
    if (t.charCodeAt(this.pos) === 0x2d) this.pos++;
    const digits = this.pos;
    while (isDigit(t.charCodeAt(this.pos))) this.pos++;
    const intLen = this.pos - digits;
    if (intLen === 0 || (intLen > 1 && t.charCodeAt(digits) === 0x30)) this.fail('Invalid number');
    let integer = true;
    if (t.charCodeAt(this.pos) === 0x2e) {
      integer = false;
      this.pos++;
      const f = this.pos;
      while (isDigit(t.charCodeAt(this.pos))) this.pos++;
      if (this.pos === f) this.fail('Invalid number');
    }
    const e = t.charCodeAt(this.pos);
    if (e === 0x65 || e === 0x45) {
      integer = false;
      this.pos++;
      const sign = t.charCodeAt(this.pos);
      if (sign === 0x2b || sign === 0x2d) this.pos++;
      const x = this.pos;
      while (isDigit(t.charCodeAt(this.pos))) this.pos++;
      if (this.pos === x) this.fail('Invalid number');
    }
    const token = t.slice(start, this.pos);
    if (integer && intLen >= 16) {
      const big = BigInt(token);
      if (big > MAX_SAFE || big < -MAX_SAFE) return big;
    }
    return Number(token);
  }
}

/** Index just past the closing quote of a string whose body starts at i (length + 1 if unterminated). */
function skipString(text: string, i: number): number {
  for (;;) {
    const q = text.indexOf('"', i);
    if (q === -1) return text.length + 1;
    let backslashes = 0;
    for (let b = q - 1; text.charCodeAt(b) === 0x5c; b--) backslashes++;
    if ((backslashes & 1) === 0) return q + 1;
    i = q + 1;
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function unmark(value: JsonValue): JsonValue {
  if (typeof value === 'string') return value.charCodeAt(0) === MARK ? markedNumber(value) : value;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && pendingMarks > 0; i++) {
      const v = value[i];
      if (typeof v === 'string' || (typeof v === 'object' && v !== null)) value[i] = unmark(v);
    }
    return value;
  }
  for (const key in value) {
    const v = value[key];
    if (typeof v === 'string' || (typeof v === 'object' && v !== null)) value[key] = unmark(v);
    if (pendingMarks === 0) break;
  }
  return value;
}

function markedNumber(marked: string): number | bigint {
  pendingMarks--;
  const digits = marked.slice(1);
  // The fast path quotes any 16+ digit run; leading zeros were invalid JSON.
  const first = digits.charCodeAt(0) === 0x2d ? 1 : 0;
  if (digits.charCodeAt(first) === 0x30) throw new JsonSyntaxError(`Invalid number ${digits}`);
  const big = BigInt(digits);
  return big > MAX_SAFE || big < -MAX_SAFE ? big : Number(big);
}

// Control characters, quote, backslash and lone surrogates need escaping.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * A copy of `s` in one piece. Strings built by concatenation are trees of
 * their pieces, copied piece by piece each time they are written; a string
 * kept for reuse (a cached JSON fragment) is worth flattening once. Slicing
 * flattens the tree and returns a view of the flat copy.
 */
export function flatString(s: string): string {
  return (' ' + s).slice(1);
}

/*
 * Literals of the short strings events repeat (symbols, probe types, task
 * and device names), kept flat: one piece to copy when the event's line is
 * flattened for writing, instead of three, and no escape test.
 */
const LITERALS = new Map<string, string>();
const LITERALS_MAX = 4096;
const LITERAL_LEN_MAX = 64;

/** A JSON string literal; the common case (nothing to escape) is a concat. */
export function jsonString(s: string): string {
  if (s.length > LITERAL_LEN_MAX) return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : '"' + s + '"';
  let lit = LITERALS.get(s);
  if (lit === undefined) {
    if (LITERALS.size >= LITERALS_MAX) LITERALS.clear();
    lit = JSON.stringify(s);
    LITERALS.set(s, lit);
  }
  return lit;
}

/**
 * Generic writer for values read by parseJson (unknown sections): bigint
 * and number both print as plain JSON numbers, keys keep their order,
 * `undefined` members are skipped as JSON.stringify does.
 */
export function writeJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return jsonString(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`Cannot write ${value} as JSON`);
      return String(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          const v: unknown = value[i];
          out += v === undefined ? 'null' : writeJson(v);
        }
        return out + ']';
      }
      let out = '{';
      let first = true;
      const obj = value as Record<string, unknown>;
      for (const key in obj) {
        const v = obj[key];
        if (v === undefined) continue;
        out += (first ? '' : ',') + jsonString(key) + ':' + writeJson(v);
        first = false;
      }
      return out + '}';
    }
    default:
      throw new TypeError(`Cannot write a ${typeof value} as JSON`);
  }
}
