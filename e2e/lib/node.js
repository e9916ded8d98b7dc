// Test harness: start restaking-node processes, talk to them with @polkadot/api, and always
// clean up. Plain JavaScript, no framework beyond node:test in the test files.

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { ApiPromise, WsProvider } from '@polkadot/api';

const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const LOG_DIR = path.join(E2E_DIR, 'logs');

/** One unit of the chain's token (12 decimals). */
export const UNIT = 10n ** 12n;

/** fast-runtime timing: 6 s blocks, 5-block sessions, 2 sessions per era. */
export const BLOCK_MS = 6_000;
export const ERA_MS = 10 * BLOCK_MS;

/** The node binary: $RESTAKING_NODE, else the debug build in the cargo target directory. */
export function nodeBinary() {
  if (process.env.RESTAKING_NODE) return process.env.RESTAKING_NODE;
  const target =
    process.env.CARGO_TARGET_DIR || path.join(os.homedir(), '.cache', 'restaking', 'target');
  return path.join(target, 'debug', 'restaking-node');
}

/** Fail early, with a useful message, if the binary is missing. */
export function requireBinary() {
  const bin = nodeBinary();
  if (!fs.existsSync(bin)) {
    throw new Error(
      `node binary not found at ${bin}; build it with ` +
        '`cargo build -p restaking-node --features fast-runtime` or set RESTAKING_NODE',
    );
  }
  return bin;
}

// ---------------------------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------------------------

// Every node process still running, so that nothing outlives the test process.
const running = new Set();

function killAllNow() {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
}

// 'exit' handlers may only do synchronous work: SIGKILL is sent synchronously.
process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    killAllNow();
    process.exit(128 + (os.constants.signals[signal] ?? 0));
  });
}

/** `count` distinct free loopback ports. Servers stay open until all are picked, so no repeats. */
export async function freePorts(count) {
  const servers = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
      servers.push(server);
    }
    return servers.map((s) => s.address().port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

/** A fresh temporary directory for a node's database and keystore. */
export function tempBasePath(name) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `restaking-e2e-${name}-`));
}

/** The libp2p peer id of a hex ed25519 node key, as the node itself computes it. */
export function peerIdOf(nodeKeyHex) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'restaking-e2e-key-'));
  try {
    const file = path.join(dir, 'node-key');
    fs.writeFileSync(file, nodeKeyHex);
    const out = execFileSync(nodeBinary(), ['key', 'inspect-node-key', '--file', file], {
      encoding: 'utf8',
    });
    return out.trim().split('\n').pop().trim();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The last `lines` lines of a file, or a note that it is missing. */
export function tailFile(file, lines = 80) {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.split('\n').slice(-lines).join('\n');
  } catch (e) {
    return `(no log at ${file}: ${e.message})`;
  }
}

/** A JSON-RPC call over HTTP; the node serves HTTP and WebSocket on the same port. */
export async function httpRpc(port, method, params = []) {
  const response = await fetch(`http://127.0.0.1:${port}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(5_000),
  });
  const body = await response.json();
  if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

/**
 * Start a node and wait until its RPC answers.
 *
 * - `name`: used for the log file `e2e/logs/<name>.log` (appended to on restarts).
 * - `args`: chain and role flags, e.g. `['--dev']` or `['--chain', 'local', '--bob', ...]`.
 * - `basePath`: reused across restarts; a fresh temp dir when omitted.
 * - `rpcPort` / `p2pPort`: fresh free ports when omitted.
 *
 * Returns a handle with `wsUrl`, `rpcPort`, `p2pPort`, `basePath`, `logPath`, `tail()` and
 * `stop()`.
 */
export async function startNode({
  name,
  args,
  basePath,
  rpcPort,
  p2pPort,
  startupTimeoutMs = 180_000,
}) {
  const bin = requireBinary();
  fs.mkdirSync(LOG_DIR, { recursive: true });
  if (!rpcPort || !p2pPort) {
    const [a, b] = await freePorts(2);
    rpcPort ??= a;
    p2pPort ??= b;
  }
  const ownsBasePath = !basePath;
  basePath ??= tempBasePath(name);
  const logPath = path.join(LOG_DIR, `${name}.log`);

  const fullArgs = [
    ...args,
    '--base-path',
    basePath,
    '--rpc-port',
    String(rpcPort),
    // Loopback only: the tests never need the node reachable from outside this machine.
    '--listen-addr',
    `/ip4/127.0.0.1/tcp/${p2pPort}`,
    '--no-prometheus',
    '--no-telemetry',
    '--no-mdns',
    '--rpc-cors',
    'all',
  ];
  fs.appendFileSync(
    logPath,
    `\n===== ${new Date().toISOString()} starting ${bin} ${fullArgs.join(' ')}\n`,
  );
  const logFd = fs.openSync(logPath, 'a');
  const child = spawn(bin, fullArgs, { stdio: ['ignore', logFd, logFd] });
  fs.closeSync(logFd); // the child keeps its own copy
  running.add(child);

  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      running.delete(child);
      resolve(exited);
    });
  });

  const handle = {
    name,
    args,
    basePath,
    rpcPort,
    p2pPort,
    logPath,
    process: child,
    wsUrl: `ws://127.0.0.1:${rpcPort}`,
    get exited() {
      return exited;
    },
    tail(lines = 80) {
      return tailFile(logPath, lines);
    },
    /** SIGTERM, then SIGKILL if the node has not exited after `graceMs`. */
    async stop({ graceMs = 15_000, removeBasePath = ownsBasePath } = {}) {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exitPromise;
        clearTimeout(timer);
      }
      if (removeBasePath) fs.rmSync(basePath, { recursive: true, force: true });
      return exited;
    },
  };

  // Wait for the RPC server, and stop waiting at once if the process dies.
  const deadline = Date.now() + startupTimeoutMs;
  for (;;) {
    if (exited) {
      throw new Error(
        `node ${name} exited during start-up (${JSON.stringify(exited)}); ` +
          `log ${logPath}:\n${handle.tail()}`,
      );
    }
    try {
      await httpRpc(rpcPort, 'system_health');
      return handle;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      await handle.stop();
      throw new Error(
        `node ${name} did not answer RPC on port ${rpcPort} within ${startupTimeoutMs} ms; ` +
          `log ${logPath}:\n${handle.tail()}`,
      );
    }
    await sleep(500);
  }
}

/**
 * Run `fn`; if it throws or takes longer than `timeoutMs`, put the tail of every node's log
 * into the error, so that a failure explains itself.
 */
export async function withLogs(nodes, fn, { timeoutMs } = {}) {
  let timer;
  const work = Promise.resolve().then(fn);
  const limit = timeoutMs
    ? new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      })
    : null;
  try {
    return await (limit ? Promise.race([work, limit]) : work);
  } catch (error) {
    const list = typeof nodes === 'function' ? nodes() : nodes;
    const tails = list
      .filter(Boolean)
      .map((n) => `\n----- last lines of ${n.logPath} -----\n${n.tail(60)}`)
      .join('\n');
    try {
      error.message += tails;
    } catch {
      // frozen error object: print instead
    }
    console.error(tails);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// API
// ---------------------------------------------------------------------------------------------

// The provider of each ApiPromise, for RPC methods polkadot-js does not decorate.
const providers = new WeakMap();

/** An ApiPromise on a node, with no custom types: everything comes from the metadata. */
export async function connect(node) {
  const provider = new WsProvider(node.wsUrl);
  const api = await ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true });
  await api.isReady;
  providers.set(api, provider);
  return api;
}

/** A raw JSON-RPC call on `api`'s connection, e.g. a method polkadot-js does not know. */
export function rpcSend(api, method, params = []) {
  return providers.get(api).send(method, params);
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Poll `check` until it returns a truthy value, or fail after `timeoutMs`. */
export async function waitFor(check, { timeoutMs, intervalMs = 1_000, what = 'condition' }) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await check();
    if (last) return last;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** An error for a failed dispatch, named after the module error (`errorName`). */
export class DispatchFailed extends Error {
  constructor(api, dispatchError, label) {
    let section = null;
    let errorName;
    let docs = '';
    if (dispatchError.isModule) {
      const meta = api.registry.findMetaError(dispatchError.asModule);
      section = meta.section;
      errorName = meta.name;
      docs = meta.docs.join(' ');
    } else {
      // BadOrigin, CannotLookup, Token(..), Arithmetic(..), ...
      errorName = dispatchError.type;
    }
    super(
      `${label} failed: ${section ? `${section}.` : ''}${errorName}${docs ? ` (${docs})` : ''}`,
    );
    this.name = 'DispatchFailed';
    this.section = section;
    this.errorName = errorName;
    this.dispatchError = dispatchError;
  }
}

function labelOf(tx) {
  const { section, method } = tx.method;
  if (section === 'sudo' && tx.method.args[0]?.section) {
    return `sudo(${tx.method.args[0].section}.${tx.method.args[0].method})`;
  }
  return `${section}.${method}`;
}

// The next nonce of each signer, as far as this process knows. Right after a transaction is
// reported in a block, the node's `system_accountNextIndex` can still answer from the previous
// best block; never reusing a nonce avoids a "stale" rejection of the next transaction.
const nextNonce = new Map();

async function nonceFor(api, signer) {
  const fromNode = (await api.rpc.system.accountNextIndex(signer.address)).toNumber();
  return Math.max(fromNode, nextNonce.get(signer.address) ?? 0);
}

/**
 * Sign and submit `tx`; resolve once it is in a block with `{ blockHash, blockNumber, events }`
 * (the extrinsic's own events). Reject with `DispatchFailed` (`err.errorName`) if it failed,
 * including a sudo call whose inner call failed (the `Sudid` event carries that result).
 */
export async function sendAndWait(api, tx, signer, { timeoutMs = 90_000 } = {}) {
  const label = labelOf(tx);
  const nonce = await nonceFor(api, signer);
  return new Promise((resolve, reject) => {
    let unsub = null;
    let done = false;
    const finish = (fn, value) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (unsub) unsub();
      fn(value);
    };
    const timer = setTimeout(
      () => finish(reject, new Error(`${label}: not in a block after ${timeoutMs} ms`)),
      timeoutMs,
    );

    tx.signAndSend(signer, { nonce }, (result) => {
      const { status, events, dispatchError } = result;
      if (status.isInvalid || status.isDropped || status.isUsurped) {
        finish(reject, new Error(`${label}: transaction ${status.type}`));
        return;
      }
      if (!status.isInBlock) return;
      const blockHash = status.asInBlock;
      // In a block, failed or not, the nonce is used.
      nextNonce.set(signer.address, nonce + 1);
      // The error carries the block it was refused in, to compare state around it.
      const failed = (error) => {
        error.blockHash = blockHash;
        finish(reject, error);
      };
      if (dispatchError) {
        failed(new DispatchFailed(api, dispatchError, label));
        return;
      }
      for (const { event } of events) {
        if (api.events.sudo?.Sudid?.is(event) && event.data[0].isErr) {
          failed(new DispatchFailed(api, event.data[0].asErr, label));
          return;
        }
      }
      api.rpc.chain
        .getHeader(blockHash)
        .then((header) =>
          finish(resolve, { blockHash, blockNumber: header.number.toNumber(), events }),
        )
        .catch((e) => finish(reject, e));
    })
      .then((u) => {
        unsub = u;
        if (done) u();
      })
      .catch((e) => finish(reject, new Error(`${label}: ${e.message}`)));
  });
}

/** The event records of `events` that are `pallet.Name`, e.g. `('restaking', 'OptedIn')`. */
export function eventsOf(api, events, pallet, name) {
  return events.filter(({ event }) => api.events[pallet][name].is(event)).map(({ event }) => event);
}

/** The single `pallet.Name` event in `events`, or fail. */
export function theEvent(api, events, pallet, name) {
  const found = eventsOf(api, events, pallet, name);
  if (found.length !== 1) {
    const seen = events.map(({ event }) => `${event.section}.${event.method}`).join(', ');
    throw new Error(`expected one ${pallet}.${name}, found ${found.length} among [${seen}]`);
  }
  return found[0];
}

export async function bestNumber(api) {
  return (await api.rpc.chain.getHeader()).number.toNumber();
}

export async function finalizedNumber(api) {
  const hash = await api.rpc.chain.getFinalizedHead();
  return (await api.rpc.chain.getHeader(hash)).number.toNumber();
}

/** pallet-staking's active era, as a number (0 before the first era starts). */
export async function activeEra(api) {
  const era = await api.query.staking.activeEra();
  return era.isSome ? era.unwrap().index.toNumber() : 0;
}

/** Wait until pallet-staking's active era is at least `era`. */
export function waitForEra(api, era, { timeoutMs = (era + 2) * ERA_MS } = {}) {
  return waitFor(async () => (await activeEra(api)) >= era, {
    timeoutMs,
    what: `active era ${era}`,
  });
}

/** Wait for `count` more blocks on top of the current best block. */
export async function waitForBlocks(api, count, { timeoutMs = (count + 3) * BLOCK_MS } = {}) {
  const target = (await bestNumber(api)) + count;
  await waitFor(async () => (await bestNumber(api)) >= target, {
    timeoutMs,
    what: `best block #${target}`,
  });
  return target;
}

/** Wait until the finalized head is at least block `number`. */
export function waitForFinalized(api, number, { timeoutMs = 120_000 } = {}) {
  return waitFor(async () => (await finalizedNumber(api)) >= number, {
    timeoutMs,
    what: `finalized block #${number}`,
  });
}

/** The events of block `number`, with its hash. */
export async function blockEvents(api, number) {
  const blockHash = await api.rpc.chain.getBlockHash(number);
  const apiAt = await api.at(blockHash);
  const events = await apiAt.query.system.events();
  return { blockHash, events };
}

/**
 * Scan blocks from `fromBlock` on, as they are produced, for the first event that `match`es.
 * Returns `{ event, blockNumber, blockHash }`.
 */
export async function waitForEvent(api, match, { fromBlock, timeoutMs, what = 'event' }) {
  let next = fromBlock;
  return waitFor(
    async () => {
      const best = await bestNumber(api);
      for (; next <= best; next++) {
        const { blockHash, events } = await blockEvents(api, next);
        const record = events.find(({ event }) => match(event));
        if (record) return { event: record.event, blockNumber: next, blockHash };
      }
      return null;
    },
    { timeoutMs, intervalMs: 2_000, what },
  );
}
