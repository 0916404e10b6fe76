/**
 * Recursive-descent parser for the meta filter grammar (reference §6.2,
 * Retis's meta.pest). `and` and `or` have the same precedence and group from
 * the left, as in the reference: `a or b and c` is `(a or b) and c`.
 */
import type { CompareOp, MetaExpr, PathElement, Rhs, Term } from './ast';
import { MetaFilterError } from './errors';
import { tokenize, type Token } from './lexer';

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);

function describe(t: Token): string {
  switch (t.kind) {
    case 'end':
      return 'end of the filter';
    case 'string':
      return `string '${t.text}' at column ${t.column}`;
    default:
      return `'${t.text}' at column ${t.column}`;
  }
}

/** Parses an unsigned literal (hex, binary or decimal), or says why it is not one. */
function parseUnsigned(t: Token, what: string): bigint {
  const text = t.text;
  if (!/^(0x[0-9a-fA-F]+|0b[01]+|[0-9]+)$/.test(text)) {
    throw new MetaFilterError(`invalid ${what} '${text}' at column ${t.column}`);
  }
  const value = BigInt(text);
  if (value > U64_MAX) throw new MetaFilterError(`${what} '${text}' at column ${t.column} does not fit in 64 bits`);
  return value;
}

class Parser {
  private readonly tokens: Token[];
  private at = 0;

  constructor(text: string) {
    this.tokens = tokenize(text);
  }

  /** The next token (a method, so that TypeScript does not narrow it across advance()). */
  private peek(): Token {
    return this.tokens[this.at];
  }

  private advance(): Token {
    const t = this.tokens[this.at];
    if (t.kind !== 'end') this.at++;
    return t;
  }

  private isBooleanOp(t: Token): boolean {
    return t.kind === 'bool' || (t.kind === 'ident' && (t.text === 'and' || t.text === 'or'));
  }

  program(): MetaExpr {
    if (this.peek().kind === 'end') throw new MetaFilterError('the filter is empty');
    const expr = this.expr();
    if (this.peek().kind !== 'end') {
      throw new MetaFilterError(`unexpected ${describe(this.peek())}, expected 'and', 'or' or the end of the filter`);
    }
    return expr;
  }

  private expr(): MetaExpr {
    let left = this.primary();
    while (this.isBooleanOp(this.peek())) {
      const op = this.advance().text;
      const right = this.primary();
      left = { kind: op === 'and' || op === '&&' ? 'and' : 'or', left, right };
    }
    return left;
  }

  private primary(): MetaExpr {
    if (this.peek().kind !== '(') return this.term();
    const open = this.advance();
    const inner = this.expr();
    if (this.peek().kind !== ')') {
      throw new MetaFilterError(
        `unexpected ${describe(this.peek())}, expected ')' to close the '(' at column ${open.column}`,
      );
    }
    this.advance();
    return inner;
  }

  private term(): Term {
    const root = this.peek();
    if (root.kind !== 'ident' || root.text !== 'sk_buff') {
      throw new MetaFilterError(`unexpected ${describe(root)}, expected a term starting with 'sk_buff' or '('`);
    }
    this.advance();
    if (this.peek().kind !== '.') {
      throw new MetaFilterError(`expected '.' and a member after 'sk_buff' at column ${root.column}`);
    }
    const path: PathElement[] = [];
    while (this.peek().kind === '.') {
      this.advance();
      // The reference grammar allows empty elements (`sk_buff..mark`): they name nothing.
      if (this.peek().kind === 'ident') path.push(this.member());
    }
    if (path.length === 0) {
      throw new MetaFilterError(`'sk_buff' at column ${root.column} must be followed by a member, e.g. sk_buff.mark`);
    }

    if (this.peek().kind !== 'op') {
      const follows = this.peek();
      if (!this.isBooleanOp(follows) && follows.kind !== ')' && follows.kind !== 'end') {
        throw new MetaFilterError(
          `unexpected ${describe(follows)}, expected a comparison (==, !=, <, <=, >, >=), 'and', 'or' or the end of the filter`,
        );
      }
      const zero: Rhs = { kind: 'number', value: 0n, text: '0', column: root.column };
      return { kind: 'term', path, op: '!=', rhs: zero, implicit: true, column: root.column };
    }
    const op = this.advance();
    return { kind: 'term', path, op: op.text as CompareOp, rhs: this.rhs(op), implicit: false, column: root.column };
  }

  private member(): PathElement {
    const name = this.advance();
    const element: PathElement = { name: name.text, column: name.column };
    if (this.peek().kind !== ':') return element;

    this.advance();
    const not = this.peek().kind === '~';
    if (not) this.advance();
    const literal = this.peek();
    if (literal.kind !== 'number') {
      throw new MetaFilterError(`expected a mask after '${name.text}:', got ${describe(literal)}`);
    }
    this.advance();
    let mask = parseUnsigned(literal, 'mask');
    if (not) mask = ~mask & U64_MAX;
    if (mask === 0n) {
      throw new MetaFilterError(`mask of '${name.text}' at column ${literal.column} must be greater than 0`);
    }
    element.mask = mask;
    element.maskText = `${not ? '~' : ''}${literal.text}`;

    if (this.peek().kind === ':') {
      this.advance();
      const type = this.peek();
      if (type.kind !== 'ident') {
        throw new MetaFilterError(`expected a type name after the mask of '${name.text}', got ${describe(type)}`);
      }
      this.advance();
      element.cast = type.text;
    }
    return element;
  }

  private rhs(op: Token): Rhs {
    const t = this.advance();
    if (t.kind === 'string') return { kind: 'string', value: t.text, column: t.column };
    if (t.kind !== 'number') {
      throw new MetaFilterError(`expected a number or a quoted string after '${op.text}', got ${describe(t)}`);
    }
    if (!t.text.startsWith('-')) {
      return { kind: 'number', value: parseUnsigned(t, 'number'), text: t.text, column: t.column };
    }
    if (!/^-[0-9]+$/.test(t.text)) throw new MetaFilterError(`invalid number '${t.text}' at column ${t.column}`);
    const value = BigInt(t.text);
    if (value < I64_MIN) throw new MetaFilterError(`number '${t.text}' at column ${t.column} does not fit in 64 bits`);
    return { kind: 'number', value, text: t.text, column: t.column };
  }
}

export function parseMetaFilter(text: string): MetaExpr {
  return new Parser(text).program();
}
