/**
 * Tokens of the meta filter language. Spaces and tabs separate tokens, as
 * the reference grammar's WHITESPACE; anything else unexpected is an error
 * naming its column (1-based).
 */
import { MetaFilterError } from './errors';

export type TokenKind =
  | 'ident' // member and type names, sk_buff, and the words `and` / `or`
  | 'number' // 0x.., 0b.., decimal, -decimal: checked by the parser, which knows where signs are allowed
  | 'string' // "..." or '...', no escapes
  | 'op' // == != >= <= > <
  | 'bool' // && ||
  | '.'
  | ':'
  | '~'
  | '('
  | ')'
  | 'end';

export interface Token {
  kind: TokenKind;
  /** The source text (for strings: the contents, without quotes). */
  text: string;
  column: number;
}

const IDENT_START = /[A-Za-z_]/;
/** The reference allows no digits in names (a Q in its grammar); kernel members such as `l4_hash` need them. */
const IDENT_REST = /[A-Za-z0-9_]/;
const NUMBER_CHAR = /[0-9A-Za-z_]/;
const OPERATORS = ['==', '!=', '>=', '<=', '&&', '||', '>', '<'];
const PUNCT = new Set(['.', ':', '~', '(', ')']);

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  const take = (ok: RegExp): string => {
    const start = at;
    while (at < text.length && ok.test(text[at])) at++;
    return text.slice(start, at);
  };

  while (at < text.length) {
    const c = text[at];
    const column = at + 1;
    if (c === ' ' || c === '\t') {
      at++;
    } else if (IDENT_START.test(c)) {
      at++;
      tokens.push({ kind: 'ident', text: c + take(IDENT_REST), column });
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(text[at + 1] ?? ''))) {
      at++;
      tokens.push({ kind: 'number', text: c + take(NUMBER_CHAR), column });
    } else if (c === '"' || c === "'") {
      const end = text.indexOf(c, at + 1);
      if (end < 0) throw new MetaFilterError(`unterminated string starting at column ${column}`);
      if (end === at + 1) throw new MetaFilterError(`empty string at column ${column}`);
      tokens.push({ kind: 'string', text: text.slice(at + 1, end), column });
      at = end + 1;
    } else if (PUNCT.has(c)) {
      at++;
      tokens.push({ kind: c as TokenKind, text: c, column });
    } else {
      const op = OPERATORS.find((o) => text.startsWith(o, at));
      if (op === undefined) throw new MetaFilterError(`unexpected character '${c}' at column ${column}`);
      at += op.length;
      tokens.push({ kind: op === '&&' || op === '||' ? 'bool' : 'op', text: op, column });
    }
  }
  tokens.push({ kind: 'end', text: '', column: text.length + 1 });
  return tokens;
}
