// A page's whole setup lives in its URL, so a teacher shares a link: values that differ from the page's defaults are
// written to the query string, read back on load, and `hide=a,b` hides the controls named a and b
// (elements with data-control="a"). Types follow the defaults: number, boolean, string, or number[] (comma-separated).
export type UrlValue = number | boolean | string | number[];
export type UrlState = Record<string, UrlValue>;

/** The defaults, overridden by the query's well-formed values; a malformed value is reported and ignored. */
export function readUrlState<T extends UrlState>(defaults: T, search = location.search, warn: (msg: string) => void = console.warn): T {
  const q = new URLSearchParams(search);
  const state: UrlState = { ...defaults };
  for (const [key, def] of Object.entries(defaults)) {
    const raw = q.get(key);
    if (raw === null) continue;
    const value = parseUrlValue(raw, def);
    if (value === undefined) warn(`URL parameter ${key}=${raw} is not a valid ${describe(def)}; using ${formatUrlValue(def)}`);
    else state[key] = value;
  }
  return state as T;
}

/** The query string (without '?') for `state`: only values that differ from `defaults`, plus `hide` if any. */
export function urlQuery<T extends UrlState>(state: T, defaults: T, hidden: Iterable<string> = []): string {
  const q = new URLSearchParams();
  for (const [key, def] of Object.entries(defaults)) {
    const v = state[key]!;
    if (formatUrlValue(v) !== formatUrlValue(def)) q.set(key, formatUrlValue(v));
  }
  const hide = [...hidden];
  if (hide.length > 0) q.set('hide', hide.join(','));
  return q.toString().replaceAll('%2C', ',');
}

/** Replaces the page's URL (no history entry) so it reproduces `state`. */
export function writeUrlState<T extends UrlState>(state: T, defaults: T, hidden: Iterable<string> = hiddenControls()): void {
  const query = urlQuery(state, defaults, hidden);
  history.replaceState(null, '', query ? `?${query}` : location.pathname);
}

/** The control names listed in `hide=`. */
export function hiddenControls(search = location.search): Set<string> {
  const raw = new URLSearchParams(search).get('hide');
  return new Set(raw ? raw.split(',').map((s) => s.trim()).filter(Boolean) : []);
}

/** Hides every element under `root` whose data-control is listed in `hide=`. */
export function applyHiddenControls(root: ParentNode = document, hidden = hiddenControls()): void {
  for (const el of root.querySelectorAll<HTMLElement>('[data-control]')) {
    if (hidden.has(el.dataset.control!)) el.hidden = true;
  }
}

export function parseUrlValue(raw: string, like: UrlValue): UrlValue | undefined {
  if (typeof like === 'number') {
    const n = Number(raw);
    return raw.trim() !== '' && Number.isFinite(n) ? n : undefined;
  }
  if (typeof like === 'boolean') return raw === '1' || raw === 'true' ? true : raw === '0' || raw === 'false' ? false : undefined;
  if (Array.isArray(like)) {
    if (raw.trim() === '') return [];
    const xs = raw.split(',').map(Number);
    return xs.every(Number.isFinite) ? xs : undefined;
  }
  return raw;
}

export function formatUrlValue(v: UrlValue): string {
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (Array.isArray(v)) return v.join(',');
  return String(v);
}

function describe(v: UrlValue): string {
  return typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean (1/0)' : Array.isArray(v) ? 'comma-separated list of numbers' : 'string';
}
