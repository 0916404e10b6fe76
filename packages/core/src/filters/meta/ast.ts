/**
 * Syntax tree of a meta filter (reference §6.2):
 *
 *   expr  = primary (("and" | "&&" | "or" | "||") primary)*   left to right, no precedence
 *   primary = term | "(" expr ")"
 *   term  = "sk_buff" ("." member?)+ (op rhs)?                 no op/rhs means "!= 0"
 *   member = ident (":" mask (":" type)?)?
 */

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** One `.member` of a path, with its optional `:mask` and `:mask:type` cast. */
export interface PathElement {
  name: string;
  mask?: bigint;
  /** The mask as written (`~0x7`). */
  maskText?: string;
  /** struct, union or typedef name the masked value points to. */
  cast?: string;
  /** Column (1-based) of the name in the filter text. */
  column: number;
}

export type Rhs =
  | { kind: 'number'; value: bigint; text: string; column: number }
  | { kind: 'string'; value: string; column: number };

export interface Term {
  kind: 'term';
  /** The members after `sk_buff`. */
  path: PathElement[];
  op: CompareOp;
  rhs: Rhs;
  /** The term was a bare path, meaning `!= 0`. */
  implicit: boolean;
  column: number;
}

export interface BooleanExpr {
  kind: 'and' | 'or';
  left: MetaExpr;
  right: MetaExpr;
}

export type MetaExpr = Term | BooleanExpr;

/** `sk_buff.a.b:0xff:t.c` as the user wrote it (without spaces), for messages. */
export function pathText(path: readonly PathElement[], upTo = path.length): string {
  const parts = path.slice(0, upTo).map((e) => {
    if (e.mask === undefined) return e.name;
    const mask = e.maskText ?? `0x${e.mask.toString(16)}`;
    return e.cast === undefined ? `${e.name}:${mask}` : `${e.name}:${mask}:${e.cast}`;
  });
  return ['sk_buff', ...parts].join('.');
}
