// Serves the four Fashion-MNIST files at /data/fashion-mnist/, still gzipped (the page's IDX reader gunzips them),
// for the `npm run train` page and the Studio's dev server alike.
import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'vite';
import { FASHION_MNIST_FILES } from '../src/data/fashion-mnist.js';

export function fashionMnistFiles(dir: string): Plugin {
  return {
    name: 'wgsl-nn:fashion-mnist',
    configureServer(server) {
      server.middlewares.use('/data/fashion-mnist', (req, res, next) => {
        const name = (req.url ?? '').replace(/^\//, '').split('?')[0]!;
        if (!FASHION_MNIST_FILES.includes(name)) return next();
        const file = path.join(dir, name);
        if (!existsSync(file)) {
          res.statusCode = 404;
          res.end(`${file} not found: apt-get install -y dataset-fashion-mnist`);
          return;
        }
        // No Content-Encoding header: the browser must hand the gzip bytes to the page as they are.
        res.setHeader('Content-Type', 'application/octet-stream');
        createReadStream(file).pipe(res);
      });
    },
  };
}
