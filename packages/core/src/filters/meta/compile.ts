/**
 * `-m <meta filter>`: text to the block for filter_meta's placeholder.
 * Every term is resolved before any code is generated, so the first error
 * the user sees is the leftmost one.
 */
import type { Btf } from '@retis/bpf-native';
import { FilterSizeError } from '../assembler';
import { encode } from '../insn';
import type { MetaExpr, Term } from './ast';
import { generateMetaFilter } from './codegen';
import { MetaFilterError } from './errors';
import { parseMetaFilter } from './parser';
import { resolveTerm, type ResolvedTerm } from './resolver';

function* terms(expr: MetaExpr): Generator<Term> {
  if (expr.kind === 'term') {
    yield expr;
  } else {
    yield* terms(expr.left);
    yield* terms(expr.right);
  }
}

export function compileMetaFilter(text: string, btf: Btf): Buffer {
  const expr = parseMetaFilter(text);
  const resolved = new Map<Term, ResolvedTerm>();
  for (const term of terms(expr)) resolved.set(term, resolveTerm(btf, term));
  try {
    return encode(generateMetaFilter(expr, resolved));
  } catch (e) {
    if (e instanceof FilterSizeError) throw new MetaFilterError(e.message);
    throw e;
  }
}
