/** Central differences (f(x+h) − f(x−h))/2h of a scalar float64 function for every entry of `x` (perturbed in place, then restored). */
export function centralDifferences(f: () => number, x: Float64Array, h = 1e-6): Float64Array {
  const fd = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    x[i] = v + h;
    const up = f();
    x[i] = v - h;
    const down = f();
    x[i] = v;
    fd[i] = (up - down) / (2 * h);
  }
  return fd;
}
