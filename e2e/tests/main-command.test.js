// The README's main command, `./scripts/run-dev-chain.sh`, as a newcomer runs it: it must set
// up, build (a no-op after the test build) and start a dev chain that polkadot-js can use with
// no custom types, and say where the dashboard is. Then `./scripts/dashboard.sh`, the README's
// line for the dashboard: it builds the page if needed, serves it and prints its URL.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  cleanup,
  connectUrl,
  freePorts,
  httpRpc,
  logFile,
  rpcPortFromLog,
  sleep,
  spawnTracked,
  stopProcess,
  tailFile,
  withLock,
} from '../lib/node.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

let child;
let api;
let dashboard;
let nodePort;

// Runs even when the test failed or timed out: the script (and the cargo or node it runs) stops.
after(
  async () => {
    try {
      await cleanup({ apis: [api] });
    } finally {
      if (child) await stopProcess(child, { graceMs: 15_000 });
      if (dashboard) await stopProcess(dashboard, { graceMs: 5_000 });
    }
  },
  { timeout: 60_000 },
);

it('./scripts/run-dev-chain.sh starts a dev chain with the sample service', { timeout: 600_000 }, async () => {
  const [rpcPort, p2pPort] = await freePorts(2);
  const logPath = logFile('run-dev-chain.log');
  const log = fs.openSync(logPath, 'w');
  // Its own process group, so that stopping it also stops cargo or the node it execs.
  child = spawnTracked(
    './scripts/run-dev-chain.sh',
    ['--rpc-port', String(rpcPort), '--port', String(p2pPort), '--no-prometheus', '--no-telemetry'],
    { cwd: ROOT, stdio: ['ignore', log, log], detached: true },
  );
  fs.closeSync(log);
  let exited = null;
  child.once('exit', (code, signal) => (exited = { code, signal }));

  // The node serves RPC on the port it reports (it picks another one if `rpcPort` is taken).
  const deadline = Date.now() + 540_000;
  let port = null;
  for (;;) {
    assert.ok(!child.spawnError, `run-dev-chain.sh could not be started: ${child.spawnError?.message}`);
    assert.equal(exited, null, `run-dev-chain.sh exited: ${JSON.stringify(exited)}\n${tailFile(logPath)}`);
    port ??= rpcPortFromLog(logPath);
    try {
      if (port) {
        await httpRpc(port, 'system_health');
        break;
      }
    } catch {
      // not answering yet
    }
    assert.ok(Date.now() < deadline, `no RPC (asked for port ${rpcPort}) within 540 s:\n${tailFile(logPath)}`);
    await sleep(1_000);
  }
  assert.match(
    fs.readFileSync(logPath, 'utf8'),
    /^Dashboard: run \.\/scripts\/dashboard\.sh in another terminal, then open http:\/\/127\.0\.0\.1:8080\/$/m,
  );
  nodePort = port;
  api = await connectUrl(`ws://127.0.0.1:${port}`);
  assert.equal((await api.rpc.system.chain()).toString(), 'Restaking Development');
  const service = (await api.call.restakingApi.service(0)).unwrap();
  assert.equal(service.name.toHuman(), 'sample-oracle');
  assert.ok(api.tx.restaking.optIn, 'the Restaking calls are in the metadata');
  // Alice authors blocks.
  const until = Date.now() + 60_000;
  while ((await api.rpc.chain.getHeader()).number.toNumber() < 1) {
    assert.ok(Date.now() < until, `no block authored within a minute:\n${tailFile(logPath)}`);
    await sleep(1_000);
  }
});

// Up to 4 minutes waiting for the lock (the dashboard test installing and building), 4 for the script.
it('./scripts/dashboard.sh serves the dashboard for that chain and prints its URL', { timeout: 540_000 }, async () => {
  assert.ok(nodePort, 'the dev chain of the test above runs');
  const ws = `ws://127.0.0.1:${nodePort}`;
  const logPath = logFile('dashboard-script.log');
  let url;
  // npm ci runs only if the dashboard test has not run it yet, the build only if dashboard/dist is
  // missing or older than its sources. The lock keeps the dashboard test (which may run at the
  // same time) from running npm ci in dashboard/ while the script does; it is held until the
  // script serves the page, that is until it is done installing and building.
  await withLock(
    'dashboard-packages',
    async () => {
      const [pagePort] = await freePorts(1);
      url = `http://127.0.0.1:${pagePort}/?ws=${encodeURIComponent(ws)}`;
      const log = fs.openSync(logPath, 'w');
      dashboard = spawnTracked('./scripts/dashboard.sh', ['--port', String(pagePort), '--ws', ws], {
        cwd: ROOT,
        stdio: ['ignore', log, log],
        detached: true,
      });
      fs.closeSync(log);
      const deadline = Date.now() + 240_000;
      while (!fs.readFileSync(logPath, 'utf8').includes(`Dashboard: ${url} (node ${ws})`)) {
        assert.ok(dashboard.exitCode === null, `dashboard.sh exited:\n${tailFile(logPath)}`);
        assert.ok(Date.now() < deadline, `no URL printed within 240 s:\n${tailFile(logPath)}`);
        await sleep(500);
      }
    },
    { timeoutMs: 240_000 },
  );
  const response = await fetch(url);
  assert.equal(response.status, 200);
  assert.match(await response.text(), /<title>Restaking dashboard<\/title>/);
});
