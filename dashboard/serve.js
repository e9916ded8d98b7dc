// A tiny static server for the built page (dist/), on loopback only. No dependencies.
//
//   node serve.js [--port N] [--ws URL]     (port also from DASHBOARD_PORT; default 8080)
//
// `serve({ port, root })` is the same server for the e2e test: port 0 picks a free one.

import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { DEFAULT_WS } from './src/defaults.js';

const HOST = '127.0.0.1';
const DIST = path.join(path.dirname(fileURLToPath(import.meta.url)), 'dist');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** The file under `root` a request path names, or null if it would leave `root`. */
function fileFor(root, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  const file = path.join(
    root,
    path.normalize(decoded.endsWith('/') ? `${decoded}index.html` : decoded),
  );
  return file.startsWith(root + path.sep) ? file : null;
}

/**
 * Serve `root` (default: dist/) on 127.0.0.1:`port`. Resolves once listening with
 * `{ server, url, close() }`; `url` is `http://127.0.0.1:<port>/`.
 */
export async function serve({ port = 8080, root = DIST } = {}) {
  const base = path.resolve(root);
  const server = http.createServer(async (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    // Parsed here, not outside: an unparsable target (`GET //`) throwing from this async
    // handler would be an unhandled rejection, which ends the process.
    let file;
    try {
      file = fileFor(base, new URL(request.url, 'http://localhost').pathname);
    } catch {
      response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('bad request\n');
      return;
    }
    try {
      if (!file) throw new Error('outside the root');
      const body = await fs.readFile(file);
      response.writeHead(200, {
        'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-cache',
      });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, resolve);
  });
  const url = `http://${HOST}:${server.address().port}/`;
  return {
    server,
    url,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { port: { type: 'string' }, ws: { type: 'string', default: DEFAULT_WS } },
  });
  const port = Number(values.port ?? process.env.DASHBOARD_PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve.js: not a port: ${values.port ?? process.env.DASHBOARD_PORT}`);
    process.exit(2);
  }
  try {
    await fs.access(path.join(DIST, 'index.html'));
  } catch {
    console.error('serve.js: dist/ is not built; run `npm run build` first');
    process.exit(1);
  }
  const { url } = await serve({ port }).catch((error) => {
    console.error(`serve.js: cannot listen on ${HOST}:${port}: ${error.message}`);
    process.exit(1);
  });
  const page = values.ws === DEFAULT_WS ? url : `${url}?ws=${encodeURIComponent(values.ws)}`;
  console.log(`Dashboard: ${page} (node ${values.ws})`);
}
