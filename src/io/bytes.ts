import { WgslNNError } from '../errors.js';

/** Running under Node, not in a browser (bundlers may shim `process`, never `process.versions.node`). */
export const IS_NODE = Boolean((globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node);

/**
 * The bytes of a file (Node) or URL (browser, or an http(s) URL in Node). `node:fs/promises` is imported
 * dynamically through a variable so browser bundles never try to resolve it.
 */
export async function readBytes(pathOrUrl: string | URL): Promise<Uint8Array> {
  const s = String(pathOrUrl);
  if (IS_NODE && !/^https?:/i.test(s)) {
    const specifier = 'node:fs/promises';
    const fs = (await import(/* @vite-ignore */ specifier)) as typeof import('node:fs/promises');
    const path = s.startsWith('file:') ? new URL(s) : s;
    try {
      return new Uint8Array(await fs.readFile(path));
    } catch (e) {
      throw new WgslNNError(`cannot read ${s}: ${(e as Error).message}`, { cause: e });
    }
  }
  let res: Response;
  try {
    res = await fetch(s);
  } catch (e) {
    throw new WgslNNError(`cannot fetch ${s}: ${(e as Error).message}`, { cause: e });
  }
  if (!res.ok) throw new WgslNNError(`cannot fetch ${s}: HTTP ${res.status} ${res.statusText}`);
  return new Uint8Array(await res.arrayBuffer());
}
