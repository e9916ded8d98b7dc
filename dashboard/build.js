// Bundles the page into dist/: src/main.js and its imports (with @polkadot/api) as dist/app.js,
// plus src/index.html and src/style.css, then writes dist/.built, last: its time is when the
// build finished (scripts/dashboard.sh rebuilds when a source is newer). `node build.js` or
// `npm run build`; the e2e test imports `build()`.

import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import * as esbuild from 'esbuild';

const ROOT = path.dirname(fileURLToPath(import.meta.url));
export const DIST = path.join(ROOT, 'dist');
/** Written when a build is complete; a build that failed half-way leaves none. */
export const STAMP = path.join(DIST, '.built');

/**
 * Build dist/ (or `dist`: the e2e test builds into a directory of its own, so that it never
 * replaces the dist/ that scripts/dashboard.sh serves) from src/; resolves when it is written.
 */
export async function build(dist = DIST) {
  await fs.rm(dist, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'src', 'main.js')],
    outfile: path.join(dist, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  // Read and written, not copied: a copy may keep the source's modification time.
  for (const file of ['index.html', 'style.css']) {
    await fs.writeFile(path.join(dist, file), await fs.readFile(path.join(ROOT, 'src', file)));
  }
  await fs.writeFile(path.join(dist, path.basename(STAMP)), `${new Date().toISOString()}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await build();
  console.log(`built ${path.relative(process.cwd(), DIST) || '.'}`);
}
