// The parsed surface as the library's differentiable ops (the worker's half of expression.ts: the page parses and
// evaluates in float64 without loading the library).
import { add, div, exp, log, mul, neg, pow, relu, sigmoid, sqrt, sub, tanh, type Tensor } from '../../src/index.js';
import { arith, type Expr } from './expression.js';

/**
 * f as the library's differentiable ops on tensors `x` and `y` of the same shape (autodiff records the
 * backward). Small integer powers are products (exact, like the float64 reference); other exponents use pow.
 */
export function buildTensor(e: Expr, x: Tensor, y: Tensor): Tensor | number {
  switch (e.kind) {
    case 'num': return e.value;
    case 'var': return e.name === 'x' ? x : y;
    case 'neg': return negate(buildTensor(e.arg, x, y));
    case 'bin': {
      const a = buildTensor(e.a, x, y), b = buildTensor(e.b, x, y);
      if (typeof a === 'number' && typeof b === 'number') return arith(e.op, a, b);
      return e.op === '+' ? add(a, b) : e.op === '-' ? sub(a, b) : e.op === '*' ? mul(a, b) : div(a, b);
    }
    case 'pow': {
      const base = buildTensor(e.base, x, y) as Tensor;
      const n = e.exponent;
      if (n === 1) return base;
      if (n === 2) return mul(base, base);
      if (n === 3) return mul(mul(base, base), base);
      if (n === 4) { const s = mul(base, base); return mul(s, s); }
      return pow(base, n);
    }
    case 'call': {
      const a = buildTensor(e.arg, x, y) as Tensor;
      const fns = { exp, log, sqrt, tanh, sigmoid, relu } as const;
      return fns[e.fn](a);
    }
  }
}

function negate(v: Tensor | number): Tensor | number {
  return typeof v === 'number' ? -v : neg(v);
}
