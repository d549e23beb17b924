// A surface f(x, y) the user types, parsed without eval or Function into a small tree that is evaluated three
// ways: in float64 on the CPU (contour map, reference), with its float64 gradient (forward-mode dual numbers,
// the oracle of the tests), and as the library's differentiable ops on the GPU (autodiff gives the gradient).
// Grammar: sum := product (('+' | '-') product)* ; product := unary (('*' | '/') unary)* ;
// unary := '-' unary | power ; power := atom ('^' unary)? ; atom := number | x | y | name '(' sum ')' | '(' sum ')'.
// '^' is right-associative and binds tighter than unary minus (−x^2 = −(x²)), as in mathematics.
import { ArgumentError } from '../../src/errors.js';

export type Expr =
  | { kind: 'num'; value: number }
  | { kind: 'var'; name: 'x' | 'y' }
  | { kind: 'neg'; arg: Expr }
  | { kind: 'bin'; op: '+' | '-' | '*' | '/'; a: Expr; b: Expr }
  | { kind: 'pow'; base: Expr; exponent: number }
  | { kind: 'call'; fn: FunctionName; arg: Expr };

/** Functions with a differentiable op in the library. */
export const FUNCTIONS = ['exp', 'log', 'sqrt', 'tanh', 'sigmoid', 'relu'] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

/** A malformed expression; `position` is the 1-based character where the problem is. */
export class ExpressionError extends ArgumentError {
  constructor(readonly position: number, detail: string) {
    super('expression', `${detail} at position ${position}`);
  }
}

const MAX_LENGTH = 500;

/** Parses `source` into a tree, constant sub-expressions folded. Throws ExpressionError naming the position. */
export function parseExpression(source: string): Expr {
  if (source.length > MAX_LENGTH) throw new ExpressionError(MAX_LENGTH + 1, `the expression is longer than ${MAX_LENGTH} characters`);
  let i = 0;
  const at = () => i + 1;
  const skip = () => { while (i < source.length && /\s/.test(source[i]!)) i++; };
  const peek = () => { skip(); return source[i]; };
  const expect = (ch: string) => {
    if (peek() !== ch) throw new ExpressionError(at(), i >= source.length ? `expected '${ch}' but the expression ended` : `expected '${ch}', found '${source[i]}'`);
    i++;
  };

  const sum = (): Expr => {
    let e = product();
    for (let c = peek(); c === '+' || c === '-'; c = peek()) { i++; e = binary(c, e, product()); }
    return e;
  };
  const product = (): Expr => {
    let e = unary();
    for (let c = peek(); c === '*' || c === '/'; c = peek()) { i++; e = binary(c, e, unary()); }
    return e;
  };
  const unary = (): Expr => {
    if (peek() === '-') { i++; const arg = unary(); return arg.kind === 'num' ? num(-arg.value) : { kind: 'neg', arg }; }
    if (peek() === '+') { i++; return unary(); }
    return power();
  };
  const power = (): Expr => {
    const base = atom();
    if (peek() !== '^') return base;
    i++;
    skip();
    const start = at();
    const e = unary();
    if (e.kind !== 'num') throw new ExpressionError(start, 'the exponent must be a constant (x^2, y^0.5, x^(1/3))');
    if (base.kind === 'num') return num(base.value ** e.value);
    return { kind: 'pow', base, exponent: e.value };
  };
  const atom = (): Expr => {
    const c = peek();
    const start = at();
    if (c === undefined) throw new ExpressionError(start, source.trim() === '' ? 'the expression is empty' : 'the expression ended where a number, x, y or ( was expected');
    if (c === '(') { i++; const e = sum(); expect(')'); return e; }
    const number = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(source.slice(i));
    if (number) { i += number[0].length; return num(Number(number[0])); }
    const word = /^[A-Za-z_]\w*/.exec(source.slice(i));
    if (!word) throw new ExpressionError(start, `unexpected '${c}'`);
    const name = word[0];
    i += name.length;
    if (name === 'x' || name === 'y') return { kind: 'var', name };
    if (name === 'pi') return num(Math.PI);
    if (name === 'e') return num(Math.E);
    if (!(FUNCTIONS as readonly string[]).includes(name)) {
      throw new ExpressionError(start, `unknown name '${name}' (variables x, y; constants pi, e; functions ${FUNCTIONS.join(', ')})`);
    }
    expect('(');
    const arg = sum();
    expect(')');
    const fn = name as FunctionName;
    return arg.kind === 'num' ? num(applyFunction(fn, arg.value)) : { kind: 'call', fn, arg };
  };

  const e = sum();
  if (peek() !== undefined) throw new ExpressionError(at(), `unexpected '${source[i]}' after a complete expression`);
  if (!usesVariable(e)) throw new ExpressionError(1, 'the expression must depend on x or y');
  return e;
}

function num(value: number): Expr {
  return { kind: 'num', value };
}

function binary(op: '+' | '-' | '*' | '/', a: Expr, b: Expr): Expr {
  if (a.kind === 'num' && b.kind === 'num') return num(arith(op, a.value, b.value));
  return { kind: 'bin', op, a, b };
}

function usesVariable(e: Expr): boolean {
  switch (e.kind) {
    case 'num': return false;
    case 'var': return true;
    case 'neg': case 'call': return usesVariable(e.arg);
    case 'pow': return usesVariable(e.base);
    case 'bin': return usesVariable(e.a) || usesVariable(e.b);
  }
}

export function arith(op: '+' | '-' | '*' | '/', a: number, b: number): number {
  return op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : a / b;
}

function applyFunction(fn: FunctionName, v: number): number {
  switch (fn) {
    case 'exp': return Math.exp(v);
    case 'log': return Math.log(v);
    case 'sqrt': return Math.sqrt(v);
    case 'tanh': return Math.tanh(v);
    case 'sigmoid': return 1 / (1 + Math.exp(-v));
    case 'relu': return Math.max(v, 0);
  }
}

/** f(x, y) in float64. */
export function evaluate(e: Expr, x: number, y: number): number {
  return evaluateWithGradient(e, x, y)[0];
}

/** [f, ∂f/∂x, ∂f/∂y] in float64 (forward-mode dual numbers). */
export function evaluateWithGradient(e: Expr, x: number, y: number): [number, number, number] {
  switch (e.kind) {
    case 'num': return [e.value, 0, 0];
    case 'var': return e.name === 'x' ? [x, 1, 0] : [y, 0, 1];
    case 'neg': { const [v, dx, dy] = evaluateWithGradient(e.arg, x, y); return [-v, -dx, -dy]; }
    case 'bin': {
      const [a, ax, ay] = evaluateWithGradient(e.a, x, y);
      const [b, bx, by] = evaluateWithGradient(e.b, x, y);
      switch (e.op) {
        case '+': return [a + b, ax + bx, ay + by];
        case '-': return [a - b, ax - bx, ay - by];
        case '*': return [a * b, ax * b + a * bx, ay * b + a * by];
        case '/': return [a / b, (ax * b - a * bx) / (b * b), (ay * b - a * by) / (b * b)];
      }
    }
    case 'pow': {
      const [v, dx, dy] = evaluateWithGradient(e.base, x, y);
      const d = e.exponent * v ** (e.exponent - 1);
      return [v ** e.exponent, d * dx, d * dy];
    }
    case 'call': {
      const [v, dx, dy] = evaluateWithGradient(e.arg, x, y);
      const f = applyFunction(e.fn, v);
      const d = e.fn === 'exp' ? f : e.fn === 'log' ? 1 / v : e.fn === 'sqrt' ? 0.5 / f : e.fn === 'tanh' ? 1 - f * f : e.fn === 'sigmoid' ? f * (1 - f) : v > 0 ? 1 : 0;
      return [f, d * dx, d * dy];
    }
  }
}
