import { jsonString, JsonSyntaxError, parseJson, parseJsonExact, writeJson } from './json';

describe('parseJson', () => {
  it('keeps u64 values above 2^53 exact as bigint', () => {
    const v = parseJson('{"orig_head":18446619372617628672,"timestamp":30419169061793,"skb":18446744073709551615}') as Record<
      string,
      unknown
    >;
    expect(v.orig_head).toBe(18446619372617628672n);
    expect(v.skb).toBe(2n ** 64n - 1n);
    // Small integers stay numbers.
    expect(v.timestamp).toBe(30419169061793);
  });

  it('keeps 16-digit integers that a double holds exactly as numbers', () => {
    expect(parseJson('[9007199254740991,1234567890123456]')).toEqual([9007199254740991, 1234567890123456]);
    expect(parseJson('[9007199254740992]')).toEqual([9007199254740992n]);
  });

  it('handles negative, nested and array positions', () => {
    expect(parseJson('{"a":[-18446744073709551615,{"b":12345678901234567890}]}')).toEqual({
      a: [-18446744073709551615n, { b: 12345678901234567890n }],
    });
    expect(parseJson('123456789012345678901')).toBe(123456789012345678901n);
  });

  it('leaves digit runs inside strings alone', () => {
    const text = '{"s":"x:12345678901234567890,","k":1,"t":"-99999999999999999999"}';
    expect(parseJson(text)).toEqual({ s: 'x:12345678901234567890,', k: 1, t: '-99999999999999999999' });
  });

  it('leaves floats with long mantissas to JSON.parse', () => {
    expect(parseJson('[12345678901234567.5,1e12345678901234567,0.12345678901234567]')).toEqual([
      12345678901234567.5,
      Infinity,
      0.12345678901234567,
    ]);
  });

  it('does not mistake a string holding a NUL escape for a marker', () => {
    expect(parseJson('{"s":"\\u000012345678901234567890","n":12345678901234567890}')).toEqual({
      s: '\u000012345678901234567890',
      n: 12345678901234567890n,
    });
  });

  it('handles strings with escaped quotes before a big number', () => {
    expect(parseJson('{"s":"a\\"b\\\\","n":18446744073709551615}')).toEqual({ s: 'a"b\\', n: 18446744073709551615n });
  });

  it('rejects invalid JSON, including long integers with leading zeros', () => {
    expect(() => parseJson('{"a":')).toThrow(JsonSyntaxError);
    expect(() => parseJson('{"a":012345678901234567}')).toThrow(JsonSyntaxError);
    expect(() => parseJson('{"a":12345678901234567890 1}')).toThrow(JsonSyntaxError);
    expect(() => parseJson('{"a":"x" 12345678901234567890}')).toThrow(JsonSyntaxError);
  });
});

describe('jsonString', () => {
  it.each(['ping', 'a"b', 'back\\slash', 'tab\there', 'nl\n', '\u0001', 'é ü 中', '\ud800 lone', ''])(
    'matches JSON.stringify for %j',
    (s) => {
      expect(jsonString(s)).toBe(JSON.stringify(s));
    },
  );
});

describe('writeJson', () => {
  it('writes bigints and numbers as plain JSON numbers, keeping key order', () => {
    const value = { z: 1, a: [true, null, 'x'], big: 18446744073709551615n, neg: -5n, nested: { u: undefined, v: 2.5 } };
    expect(writeJson(value)).toBe('{"z":1,"a":[true,null,"x"],"big":18446744073709551615,"neg":-5,"nested":{"v":2.5}}');
  });

  it('round-trips what parseJson reads', () => {
    const text = '{"ct":{"state":"new","orig":{"ip":{"src":"192.168.125.10"}},"labels":{"hi":18446744073709551615,"lo":0},"mark":0}}';
    expect(writeJson(parseJson(text))).toBe(text);
  });

  it('refuses values JSON cannot hold', () => {
    expect(() => writeJson(NaN)).toThrow(TypeError);
    expect(() => writeJson(() => 1)).toThrow(TypeError);
  });
});

describe('parseJson against the exact parser', () => {
  // Deterministic pseudo-random generator, so a failure reproduces.
  let seed = 42;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const pieces = ['12345678901234567890', '-', ':', ',', '"', '\\', 'x', '9007199254740993', '\u0000', 'é'];
  const randomString = (): string => {
    let s = '';
    for (let i = rand(6); i > 0; i--) s += pieces[rand(pieces.length)];
    return s;
  };
  const randomValue = (depth: number): unknown => {
    switch (rand(depth > 2 ? 5 : 7)) {
      case 0:
        return BigInt.asUintN(64, BigInt(rand(1 << 30)) * 0x1_0000_0001n * BigInt(rand(1 << 30) + 1));
      case 1:
        return rand(1 << 30) - (1 << 29);
      case 2:
        return randomString();
      case 3:
        return rand(2) === 0;
      case 4:
        return rand(1000) / 7;
      case 5:
        return Array.from({ length: rand(4) }, () => randomValue(depth + 1));
      default: {
        const o: Record<string, unknown> = {};
        for (let i = rand(4); i > 0; i--) o[randomString() + i] = randomValue(depth + 1);
        return o;
      }
    }
  };
  // bigints a double holds exactly read back as numbers.
  const normalise = (v: unknown): unknown => {
    if (typeof v === 'bigint') return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    if (Array.isArray(v)) return v.map(normalise);
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalise(x)]));
    return v;
  };

  it('reads back every generated document exactly, on both paths', () => {
    for (let i = 0; i < 2000; i++) {
      const value = randomValue(0);
      const text = writeJson(value);
      const expected = normalise(value);
      expect(parseJson(text)).toEqual(expected);
      expect(parseJsonExact(text)).toEqual(expected);
    }
  });
});
