// The optimizer playground's expression parser (demo/optimizers/expression.ts): what it accepts, its float64 value and
// gradient, and bad input refused with the position named.
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../src/index.js';
import { evaluate, evaluateWithGradient, ExpressionError, parseExpression } from '../../demo/optimizers/expression.js';
import { SURFACES } from '../../demo/optimizers/surfaces.js';
import { Rng } from '../helpers/random.js';

describe('expression parser', () => {
  it('follows the usual precedence: ^ right-associative and above unary minus, * above +', () => {
    const at = (s: string, x: number, y: number) => evaluate(parseExpression(s), x, y);
    expect(at('-x^2', 3, 0)).toBe(-9);
    expect(at('2^3^2 * x', 1, 0)).toBe(512);
    expect(at('x - y - 1', 5, 2)).toBe(2);
    expect(at('x / y / 2', 8, 2)).toBe(2);
    expect(at('1 + 2*x^2', 2, 0)).toBe(9);
    expect(at('(1 - x)^2 + 100*(y - x^2)^2', 1, 1)).toBe(0);
    expect(at('sigmoid(0*x) + relu(-x) + exp(log(y)) + sqrt(x*x) + tanh(0*y)', 2, 3)).toBe(0.5 + 0 + 3 + 2 + 0);
    expect(at('pi*x + e*y + 1.5e1 + .5', 1, 1)).toBeCloseTo(Math.PI + Math.E + 15.5, 12);
  });

  it('its float64 gradient matches central differences on every surface and a mixed expression', () => {
    const rng = new Rng();
    for (const text of [...SURFACES.map((s) => s.expression), 'exp(-x^2 - y^2) * tanh(x*y) + log(1 + sigmoid(x)) / sqrt(2 + y^2) + relu(x - y)^3']) {
      const e = parseExpression(text);
      for (let k = 0; k < 5; k++) {
        const x = 2 * rng.next() - 1, y = 2 * rng.next() - 1, h = 1e-6;
        const [, dx, dy] = evaluateWithGradient(e, x, y);
        const fx = (evaluate(e, x + h, y) - evaluate(e, x - h, y)) / (2 * h);
        const fy = (evaluate(e, x, y + h) - evaluate(e, x, y - h)) / (2 * h);
        expect(Math.abs(dx - fx), `${text} ∂x at (${x}, ${y})`).toBeLessThan(1e-5 * (1 + Math.abs(fx)));
        expect(Math.abs(dy - fy), `${text} ∂y at (${x}, ${y})`).toBeLessThan(1e-5 * (1 + Math.abs(fy)));
      }
    }
  });

  it.each([
    ['x +', 4, 'ended where a number'],
    ['x + * y', 5, "unexpected '*'"],
    ['(x + y', 7, "expected ')' but the expression ended"],
    ['x + y)', 6, "unexpected ')' after a complete expression"],
    ['sin(x)', 1, "unknown name 'sin'"],
    ['x + z', 5, "unknown name 'z'"],
    ['x ^ y', 5, 'the exponent must be a constant'],
    ['exp x', 5, "expected '(', found 'x'"],
    ['x $ y', 3, "unexpected '$'"],
    ['', 1, 'the expression is empty'],
    ['2 + 3', 1, 'must depend on x or y'],
    ['alert(1)', 1, "unknown name 'alert'"],
  ])('refuses %j naming position %i', (text, position, message) => {
    let error: unknown;
    try { parseExpression(text); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(ExpressionError);
    expect(error).toBeInstanceOf(ArgumentError);
    expect((error as ExpressionError).position).toBe(position);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).toContain(`at position ${position}`);
  });

  it('refuses an expression longer than 500 characters', () => {
    expect(() => parseExpression('x+'.repeat(300) + 'x')).toThrow(/longer than 500 characters at position 501/);
  });
});
