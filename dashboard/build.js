// Bundles the page into dist/: src/main.js and its imports (with @polkadot/api) as dist/app.js,
// plus src/index.html and src/style.css. `node build.js` or `npm run build`; the e2e test
// imports `build()`.

import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import * as esbuild from 'esbuild';

const ROOT = path.dirname(fileURLToPath(import.meta.url));
export const DIST = path.join(ROOT, 'dist');

/** Build dist/ from src/; resolves when it is written. */
export async function build() {
  await fs.rm(DIST, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'src', 'main.js')],
    outfile: path.join(DIST, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  for (const file of ['index.html', 'style.css']) {
    await fs.copyFile(path.join(ROOT, 'src', file), path.join(DIST, file));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await build();
  console.log(`built ${path.relative(process.cwd(), DIST) || '.'}`);
}
