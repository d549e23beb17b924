/** Float64 reference of nearestNeighbors: cosine similarity (PyTorch's eps 1e-8) and a stable top-k. */
export function refCosineTopK(queries: Float64Array, gallery: Float64Array, d: number, k: number): { indices: Int32Array; scores: Float64Array; sims: Float64Array[] } {
  const q = queries.length / d, g = gallery.length / d;
  const norm = (a: Float64Array, r: number) => {
    let s = 0;
    for (let i = 0; i < d; i++) s += a[r * d + i]! ** 2;
    return s;
  };
  const gn = Array.from({ length: g }, (_, j) => norm(gallery, j));
  const indices = new Int32Array(q * k), scores = new Float64Array(q * k), sims: Float64Array[] = [];
  for (let r = 0; r < q; r++) {
    const qn = norm(queries, r);
    const sim = new Float64Array(g);
    for (let j = 0; j < g; j++) {
      let dot = 0;
      for (let i = 0; i < d; i++) dot += queries[r * d + i]! * gallery[j * d + i]!;
      sim[j] = dot / Math.sqrt(Math.max(qn * gn[j]!, 1e-16));
    }
    sims.push(sim);
    const order = Array.from({ length: g }, (_, j) => j).sort((a, b) => sim[b]! - sim[a]! || a - b);
    for (let t = 0; t < k; t++) {
      indices[r * k + t] = order[t]!;
      scores[r * k + t] = sim[order[t]!]!;
    }
  }
  return { indices, scores, sims };
}
