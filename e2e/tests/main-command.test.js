// The README's main command, `./scripts/run-dev-chain.sh`, as a newcomer runs it: it must set
// up, build (a no-op after the test build) and start a dev chain that polkadot-js can use with
// no custom types.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { ApiPromise, WsProvider } from '@polkadot/api';

import { LOG_DIR, freePorts, httpRpc, sleep, tailFile } from '../lib/node.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

it('./scripts/run-dev-chain.sh starts a dev chain with the sample service', { timeout: 600_000 }, async () => {
  const [rpcPort, p2pPort] = await freePorts(2);
  fs.mkdirSync(LOG_DIR, { recursive: true });
  const logPath = path.join(LOG_DIR, 'run-dev-chain.log');
  const log = fs.openSync(logPath, 'w');
  // Its own process group, so that stopping it also stops cargo or the node it execs.
  const child = spawn(
    './scripts/run-dev-chain.sh',
    ['--rpc-port', String(rpcPort), '--port', String(p2pPort), '--no-prometheus', '--no-telemetry'],
    { cwd: ROOT, stdio: ['ignore', log, log], detached: true },
  );
  fs.closeSync(log);
  let exited = null;
  child.once('exit', (code, signal) => (exited = { code, signal }));
  let api;
  try {
    const deadline = Date.now() + 540_000;
    for (;;) {
      assert.equal(exited, null, `run-dev-chain.sh exited: ${JSON.stringify(exited)}\n${tailFile(logPath)}`);
      try {
        await httpRpc(rpcPort, 'system_health');
        break;
      } catch {
        assert.ok(Date.now() < deadline, `no RPC on port ${rpcPort}:\n${tailFile(logPath)}`);
        await sleep(1_000);
      }
    }
    api = await ApiPromise.create({ provider: new WsProvider(`ws://127.0.0.1:${rpcPort}`), noInitWarn: true });
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
  } finally {
    await api?.disconnect();
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    for (let i = 0; i < 30 && !exited; i++) await sleep(500);
    if (!exited) process.kill(-child.pid, 'SIGKILL');
  }
});
