// The header every app page shows: the product name and links to the pages, the current one marked.
export const APP_PAGES = [
  { path: 'studio/', title: 'Studio' },
  { path: 'optimizers/', title: 'Optimizer playground' },
  { path: 'classify/', title: 'Classification playground' },
] as const;

/** Prepends the navigation header to `document.body`. `current` is the page's folder ('studio/' …), or '' for the index. */
export function mountNav(current: string): HTMLElement {
  const header = document.createElement('header');
  header.className = 'app-nav';
  const up = current === '' ? './' : '../';
  const brand = document.createElement('a');
  brand.className = 'brand';
  brand.href = up;
  brand.textContent = 'wgsl-nn';
  header.append(brand);
  for (const p of APP_PAGES) {
    const a = document.createElement('a');
    a.href = up + p.path;
    a.textContent = p.title;
    if (p.path === current) a.setAttribute('aria-current', 'page');
    header.append(a);
  }
  document.body.prepend(header);
  return header;
}
