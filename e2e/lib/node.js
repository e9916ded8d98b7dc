// Test harness: start restaking-node processes, talk to them with @polkadot/api, and always
// clean up. Plain JavaScript, no framework beyond node:test in the test files.
//
// It fails, it never hangs: every child process is registered and killed when this process
// ends, however it ends; ports are checked and a node start retried when one was taken; every
// wait has a deadline and names what it waited for; connections do not retry forever.

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

/** Grace between SIGTERM and SIGKILL when the test process itself exits. */
const EXIT_GRACE_MS = 5_000;

// Every child process still running (node, script, example), so that nothing outlives the test
// process: child -> { group } (`group`: signal its whole process group, for detached children).
const children = new Map();

/** Register `child`: it is killed when this process exits. Returns `child`. */
export function track(child, { group = false } = {}) {
  children.set(child, { group });
  // A process that could not be started (ENOENT, EACCES) emits 'error' and never 'exit'; keep the
  // error for the caller (`child.spawnError`) instead of letting it crash the test process.
  child.on('error', (error) => {
    if (child.pid === undefined) {
      child.spawnError = error;
      children.delete(child);
    }
  });
  child.once('exit', () => {
    children.delete(child);
    // A detached group outlives its leader only by mistake (e.g. a build left running).
    if (group) signalChild(child, 'SIGTERM', true);
  });
  return child;
}

/** `child_process.spawn`, registered; `detached: true` makes it (and its group) one unit. */
export function spawnTracked(command, args, options = {}) {
  const child = spawn(command, args, options);
  return track(child, { group: Boolean(options.detached) });
}

/** The number of registered children still running (for the harness self-test). */
export function trackedCount() {
  return children.size;
}

function signalChild(child, signal, group) {
  if (!child.pid) return;
  try {
    if (group) process.kill(-child.pid, signal);
    else process.kill(child.pid, signal);
  } catch {
    // already gone
  }
}

function hasExited(child) {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * SIGTERM `child` (its group if it was spawned detached), SIGKILL after `graceMs`; resolves with
 * `{ code, signal }` once it has exited. Never waits more than `graceMs` + 10 s.
 */
export async function stopProcess(child, { graceMs = 15_000 } = {}) {
  const group = children.get(child)?.group ?? false;
  if (child.pid === undefined) return { code: null, signal: null }; // never started
  if (!hasExited(child)) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    signalChild(child, 'SIGTERM', group);
    let timer;
    const graceOver = new Promise((resolve) => {
      timer = setTimeout(() => resolve('grace over'), graceMs);
    });
    if ((await Promise.race([exited, graceOver])) === 'grace over') {
      signalChild(child, 'SIGKILL', group);
      await withTimeout(exited, 10_000, `pid ${child.pid} to exit after SIGKILL`);
    }
    clearTimeout(timer);
  }
  if (group) signalChild(child, 'SIGKILL', true); // anything left in its process group
  return { code: child.exitCode, signal: child.signalCode };
}

// Whether a pid still runs. In an 'exit' handler the event loop no longer reaps children, so a
// child that has exited stays a zombie: on Linux, /proc tells it apart.
function pidAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc: assume it runs
  }
}

function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// Synchronous, because 'exit' handlers cannot wait for anything asynchronous: SIGTERM to every
// registered child, up to `graceMs` for them to go, then SIGKILL to whatever is left.
function killAllSync(graceMs) {
  const list = [...children];
  children.clear();
  if (list.length === 0) return;
  for (const [child, { group }] of list) signalChild(child, 'SIGTERM', group);
  const deadline = Date.now() + graceMs;
  let left = list;
  while (left.length > 0 && Date.now() < deadline) {
    sleepSync(50);
    left = left.filter(([child]) => pidAlive(child.pid));
  }
  for (const [child, { group }] of list) {
    if (group || left.some(([c]) => c === child)) signalChild(child, 'SIGKILL', group);
  }
}

// The test process ends: normally, by `--test-force-exit`, by an uncaught exception or an
// unhandled rejection (Node exits with code 1 and emits 'exit'), or by a signal (handled below:
// the test runner sends SIGTERM to a file that runs out of time, `timeout` in scripts/test.sh
// sends SIGTERM to the whole process group, Ctrl-C sends SIGINT). In every case the children
// go too. Under node:test an uncaught exception fails the current test instead (the runner owns
// 'uncaughtException'); the `after` hooks and this 'exit' handler still clean up.
process.on('exit', () => {
  killAllSync(EXIT_GRACE_MS);
  releaseAllClaimsSync();
  // The temporary base paths of nodes whose start or stop never finished (a hook timed out).
  for (const dir of ownedBasePaths) fs.rmSync(dir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    console.error(`received ${signal}: stopping ${children.size} child process(es)`);
    process.exit(128 + (os.constants.signals[signal] ?? 0));
  });
}

// ---------------------------------------------------------------------------------------------
// Logs and locks shared between test files
// ---------------------------------------------------------------------------------------------

// `npm test` runs several test files at once, each in its own process (`--test-concurrency` in
// package.json). Whatever two files could both write is claimed first: a claim is a file holding
// the owner's pid, created exclusively ('wx'). A claim whose owner is gone (a run killed with
// SIGKILL) is taken over; this process's claims are removed when it exits.

const CLAIM_DIR = path.join(LOG_DIR, '.claims');

// The claim files this process holds.
const held = new Set();

/**
 * Claim `file` for this process; false if another running process holds it, or, unless
 * `reentrant`, if this process does.
 */
function tryClaim(file, { reentrant = false } = {}) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      held.add(file);
      return true;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    let owner = NaN;
    try {
      owner = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
    } catch {
      continue; // released meanwhile
    }
    if (owner === process.pid) {
      if (!reentrant && held.has(file)) return false;
      held.add(file);
      return true;
    }
    // Empty: its owner is between creating and writing it.
    if (!Number.isInteger(owner) || pidAlive(owner)) return false;
    fs.rmSync(file, { force: true }); // stale: its owner is gone
  }
  return false;
}

function release(file) {
  held.delete(file);
  fs.rmSync(file, { force: true });
}

function releaseAllClaimsSync() {
  for (const file of held) fs.rmSync(file, { force: true });
  held.clear();
}

/**
 * The path of the log file `e2e/logs/<name>`, for this process only: when a test file running at
 * the same time already writes a log of that name, this fails instead of mixing two runs' lines in
 * one file (give the node another name). Asking again for a name this process holds is fine: a
 * restarted node appends to its log.
 */
export function logFile(name) {
  if (path.basename(name) !== name) throw new Error(`log name ${name}: no directories`);
  const claim = path.join(CLAIM_DIR, `${name}.owner`);
  if (!tryClaim(claim, { reentrant: true })) {
    let owner = '?';
    try {
      owner = fs.readFileSync(claim, 'utf8').trim();
    } catch {
      // gone meanwhile
    }
    throw new Error(
      `log ${name} is being written by another test process (pid ${owner}): two test files ` +
        'running at the same time use one log name; give one of them another name',
    );
  }
  fs.mkdirSync(LOG_DIR, { recursive: true });
  return path.join(LOG_DIR, name);
}

/**
 * Run `fn` holding the lock `name`, shared by every test process (e.g. `dashboard-packages`:
 * `npm ci` and the build in dashboard/). Waits for a lock another process holds, up to
 * `timeoutMs`; a lock whose holder is gone is taken over.
 */
export async function withLock(name, fn, { timeoutMs = 10 * 60_000 } = {}) {
  const file = path.join(CLAIM_DIR, `${name}.lock`);
  const deadline = Date.now() + timeoutMs;
  while (!tryClaim(file)) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for the lock ${file}`);
    }
    await sleep(500);
  }
  try {
    return await fn();
  } finally {
    release(file);
  }
}

/**
 * How many nodes may start at the same time, across all test processes. A node's start (the
 * genesis state built through the runtime) keeps one core busy for 15-40 s; when several test
 * files start their nodes at once, more starts than cores only slow each other down, and starve
 * the nodes already running, whose tests must often finish within an era or two. As many as the
 * cores; `E2E_NODE_STARTS` overrides it.
 */
const NODE_STARTS = Math.max(
  1,
  Number.parseInt(process.env.E2E_NODE_STARTS ?? '', 10) || os.availableParallelism(),
);
const START_QUEUE = path.join(CLAIM_DIR, 'node-starts');
let ticketCount = 0;

/** A start waits this long before it takes a slot: the order of starts asked together counts. */
const START_GRACE_MS = 2_000;

/**
 * Run `fn` (a node's start) holding one of `NODE_STARTS` slots shared by every test process, by
 * `order` (0-9, lower first), then in the order the starts asked: each start waiting is a ticket
 * file named by both, and it takes a slot (a claim, so never more than `NODE_STARTS` at once)
 * only when it is among the first `NODE_STARTS` tickets. Tickets of processes that are gone are
 * dropped. Waits at most `timeoutMs`.
 */
async function withStartSlot(what, fn, { order = 2, timeoutMs = 10 * 60_000 } = {}) {
  if (!(Number.isInteger(order) && order >= 0 && order <= 9)) {
    throw new Error(`start order ${order}: an integer from 0 to 9`);
  }
  fs.mkdirSync(START_QUEUE, { recursive: true });
  const asked = Date.now();
  const ticket = `${order}-${String(asked).padStart(15, '0')}-${process.pid}-${ticketCount++}`;
  const file = path.join(START_QUEUE, ticket);
  fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
  held.add(file);
  let slot = null;
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const waiting = fs
        .readdirSync(START_QUEUE)
        .sort()
        .filter((name) => {
          const pid = Number.parseInt(name.split('-')[2], 10);
          if (pid === process.pid || pidAlive(pid)) return true;
          fs.rmSync(path.join(START_QUEUE, name), { force: true }); // its process is gone
          return false;
        });
      if (Date.now() - asked >= START_GRACE_MS && waiting.indexOf(ticket) < NODE_STARTS) {
        for (let k = 0; k < NODE_STARTS && !slot; k++) {
          const candidate = path.join(CLAIM_DIR, `node-start-slot-${k}.lock`);
          if (tryClaim(candidate)) slot = candidate;
        }
        if (slot) break;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `timed out after ${timeoutMs} ms waiting for a turn to start ${what} ` +
            `(${waiting.length} node starts waiting or running, ${NODE_STARTS} at a time)`,
        );
      }
      await sleep(250);
    }
    return await fn();
  } finally {
    if (slot) release(slot);
    release(file);
  }
}

// ---------------------------------------------------------------------------------------------
// Ports
// ---------------------------------------------------------------------------------------------

// Ports this process already handed out, so that nodes started in parallel never share one.
const handedOut = new Set();

/** Whether nothing listens on `port` on loopback (binding it succeeds). */
export function isPortFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * `count` distinct free loopback ports, none handed out before by this process. Servers stay
 * open until all are picked, so no repeats. A port is only free when picked: `startNode` checks
 * that the node really bound it and retries with fresh ports when it did not.
 */
export async function freePorts(count) {
  const servers = [];
  const ports = [];
  try {
    for (let tries = 0; ports.length < count; tries++) {
      if (tries > count + 50) throw new Error(`could not find ${count} free loopback ports`);
      const server = net.createServer();
      await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
      servers.push(server);
      const { port } = server.address();
      if (!handedOut.has(port)) ports.push(port);
    }
    for (const port of ports) handedOut.add(port);
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

// The temporary base paths `startNode` made (removed with their node, or when this process exits).
const ownedBasePaths = new Set();

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
      timeout: 60_000,
      killSignal: 'SIGKILL',
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

/** The text of `file` from byte `offset` on, without terminal colours ('' if missing). */
function readFrom(file, offset = 0) {
  let fd;
  try {
    fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    if (size <= offset) return '';
    const buffer = Buffer.alloc(size - offset);
    fs.readSync(fd, buffer, 0, buffer.length, offset);
    // eslint-disable-next-line no-control-regex
    return buffer.toString('utf8').replace(/\x1b\[[0-9;]*m/g, '');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * The loopback port of the node's RPC server, from its log line
 * `Running JSON-RPC server: addr=127.0.0.1:9944,[::1]:9944` (in `file` after byte `offset`),
 * or null before the line is written. The node falls back to a random port when the one it was
 * given is taken, so the port it was given is not necessarily the one it serves.
 */
export function rpcPortFromLog(file, offset = 0) {
  const match = readFrom(file, offset).match(/Running JSON-RPC server: addr=(\S+)/);
  if (!match) return null;
  const addrs = match[1].split(',').filter(Boolean);
  const addr = addrs.find((a) => a.startsWith('127.0.0.1:')) ?? addrs[0];
  const port = Number(addr?.slice(addr.lastIndexOf(':') + 1));
  return Number.isInteger(port) && port > 0 ? port : null;
}

/** Whether the log (after byte `offset`) says a port could not be bound. */
function addressInUse(file, offset) {
  return /address already in use|EADDRINUSE|os error 98/i.test(readFrom(file, offset));
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

/** Attempts at starting a node when a port turns out to be taken. */
const START_ATTEMPTS = 3;

class PortInUse extends Error {}

/**
 * Start a node and wait until its RPC answers.
 *
 * - `name`: used for the log file `e2e/logs/<name>.log` (appended to on restarts); no other test
 *   file running at the same time may use it (see `logFile`).
 * - `args`: chain and role flags, e.g. `['--dev']` or `['--chain', 'local', '--bob', ...]`.
 * - `basePath`: reused across restarts; a fresh temp dir when omitted.
 * - `rpcPort` / `p2pPort`: fresh free ports when omitted. A start that finds its p2p port taken
 *   is retried with fresh ports (up to 3 attempts) unless `p2pPort` was given. The RPC port is
 *   the one the node reports in its log (it picks a random one itself when the port is taken).
 * - `startupTimeoutMs`: bound for each attempt, once it is this node's turn to start: at most
 *   `NODE_STARTS` nodes start at a time over all test processes (see `withStartSlot`).
 * - `startOrder`: 0-9, default 2; a start with a lower one goes before the others waiting (for
 *   the files that take longest: dev-chain 0, the docs 1).
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
  startOrder = 2,
}) {
  const bin = requireBinary();
  fs.mkdirSync(LOG_DIR, { recursive: true });
  const ownsBasePath = !basePath;
  basePath ??= tempBasePath(name);
  if (ownsBasePath) ownedBasePaths.add(basePath);
  for (let attempt = 1; ; attempt++) {
    try {
      return await withStartSlot(
        `node ${name}`,
        () =>
          startOnce({
            bin,
            name,
            args,
            basePath,
            ownsBasePath,
            rpcPort,
            p2pPort,
            startupTimeoutMs,
          }),
        { order: startOrder },
      );
    } catch (error) {
      if (!(error instanceof PortInUse) || attempt >= START_ATTEMPTS) {
        if (ownsBasePath) fs.rmSync(basePath, { recursive: true, force: true });
        throw error;
      }
      console.error(`${error.message}\nretrying with fresh ports (attempt ${attempt + 1})`);
      if (ownsBasePath) {
        fs.rmSync(basePath, { recursive: true, force: true });
        fs.mkdirSync(basePath);
      }
    }
  }
}

async function startOnce(options) {
  const { bin, name, args, basePath, ownsBasePath, startupTimeoutMs } = options;
  let { rpcPort, p2pPort } = options;
  const p2pFixed = Boolean(p2pPort);
  if (!rpcPort || !p2pPort) {
    const [a, b] = await freePorts(2);
    rpcPort ??= a;
    p2pPort ??= b;
  }
  const logPath = logFile(`${name}.log`);

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
  ];
  fs.appendFileSync(
    logPath,
    `\n===== ${new Date().toISOString()} starting ${bin} ${fullArgs.join(' ')}\n`,
  );
  const logStart = fs.statSync(logPath).size; // this start's lines come after this byte
  const logFd = fs.openSync(logPath, 'a');
  const child = spawnTracked(bin, fullArgs, { stdio: ['ignore', logFd, logFd] });
  fs.closeSync(logFd); // the child keeps its own copy

  let exited = null;
  child.once('exit', (code, signal) => {
    exited = { code, signal };
  });

  const handle = {
    name,
    args,
    basePath,
    rpcPort, // the port asked for until the node reports the one it serves
    p2pPort,
    logPath,
    process: child,
    get wsUrl() {
      return `ws://127.0.0.1:${this.rpcPort}`;
    },
    get exited() {
      return exited;
    },
    tail(lines = 80) {
      return tailFile(logPath, lines);
    },
    /** SIGTERM, then SIGKILL if the node has not exited after `graceMs`. */
    async stop({ graceMs = 15_000, removeBasePath = ownsBasePath } = {}) {
      await stopProcess(child, { graceMs });
      if (removeBasePath) fs.rmSync(basePath, { recursive: true, force: true });
      return exited;
    },
  };

  const fail = async (message, ErrorType = Error) => {
    await handle.stop({ graceMs: 5_000, removeBasePath: false });
    return new ErrorType(`node ${name}: ${message}; log ${logPath}:\n${handle.tail()}`);
  };

  // Wait for the RPC server, and stop waiting at once if the process dies.
  const deadline = Date.now() + startupTimeoutMs;
  let served = null;
  for (;;) {
    if (child.spawnError) throw await fail(`could not be started: ${child.spawnError.message}`);
    if (exited) {
      throw await fail(
        `exited during start-up (${JSON.stringify(exited)})`,
        addressInUse(logPath, logStart) && !p2pFixed ? PortInUse : Error,
      );
    }
    served ??= rpcPortFromLog(logPath, logStart);
    if (served) {
      handle.rpcPort = served;
      try {
        await httpRpc(served, 'system_health');
        break;
      } catch {
        // not answering yet
      }
    }
    if (Date.now() > deadline) {
      throw await fail(
        served
          ? `no answer on RPC port ${served} within ${startupTimeoutMs} ms`
          : `no "Running JSON-RPC server" line in the log within ${startupTimeoutMs} ms`,
      );
    }
    await sleep(500);
  }

  // The p2p port: litep2p drops a listen address it cannot bind without failing, so ask the node
  // which addresses it listens on.
  const wanted = `/ip4/127.0.0.1/tcp/${p2pPort}/`;
  let reported = [];
  const listening = await waitFor(
    async () => {
      reported = await httpRpc(handle.rpcPort, 'system_localListenAddresses');
      return reported.some((a) => `${a}/`.startsWith(wanted));
    },
    { timeoutMs: 15_000, intervalMs: 500, what: `node ${name} listening on ${wanted}` },
  ).catch(() => false);
  if (!listening) {
    throw await fail(
      `not listening on p2p port ${p2pPort} (taken?); system_localListenAddresses: ` +
        JSON.stringify(reported),
      p2pFixed ? Error : PortInUse,
    );
  }
  return handle;
}

/**
 * Stop everything a test file started, however far it got: disconnect every api, then stop every
 * node (in parallel). Each step is bounded and attempted even if another fails; the first error
 * is thrown at the end.
 */
export async function cleanup({ apis = [], nodes = [], removeBasePath } = {}) {
  const errors = [];
  for (const api of apis.filter(Boolean)) {
    await withTimeout(api.disconnect(), 10_000, 'api.disconnect()').catch((e) => errors.push(e));
  }
  const stopOptions = removeBasePath === undefined ? {} : { removeBasePath };
  await Promise.all(
    nodes.filter(Boolean).map((node) => node.stop(stopOptions).catch((e) => errors.push(e))),
  );
  if (errors.length > 0) throw errors[0];
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

/** Bound of every single JSON-RPC request on a connection made by `connect`. */
const RPC_TIMEOUT_MS = 60_000;

/** An ApiPromise on a node, with no custom types: everything comes from the metadata. */
export function connect(node, options) {
  return connectUrl(node.wsUrl, options);
}

/**
 * An ApiPromise on `url`. It fails instead of waiting: `throwOnConnect` rejects when the first
 * connection fails, the whole set-up is bounded by `timeoutMs`, every request by 60 s, and the
 * provider never reconnects on its own (a node that went away fails the test; a client retrying
 * forever would keep the process alive).
 */
export async function connectUrl(url, { timeoutMs = 120_000 } = {}) {
  const provider = new WsProvider(url, false, {}, RPC_TIMEOUT_MS);
  const creating = ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true });
  creating.catch(() => {}); // awaited below; a rejection after a timeout is not unhandled
  try {
    await provider.connect();
    const api = await withTimeout(creating, timeoutMs, `@polkadot/api to connect to ${url}`);
    providers.set(api, provider);
    return api;
  } catch (error) {
    await provider.disconnect().catch(() => {});
    throw new Error(`cannot connect to ${url}: ${error?.message ?? error}`);
  }
}

/** A raw JSON-RPC call on `api`'s connection, e.g. a method polkadot-js does not know. */
export function rpcSend(api, method, params = []) {
  return providers.get(api).send(method, params);
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `promise`, or a rejection naming `what` after `ms`. */
export async function withTimeout(promise, ms, what) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Poll `check` until it returns a truthy value, or fail after `timeoutMs` with an error naming
 * `what`. A single `check` that does not return is cut off at the deadline too.
 */
export async function waitFor(check, { timeoutMs, intervalMs = 1_000, what = 'condition' }) {
  if (!(timeoutMs > 0)) throw new Error(`waitFor(${what}): a timeoutMs is required`);
  const deadline = Date.now() + timeoutMs;
  const timedOut = (cause) =>
    new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, cause ? { cause } : undefined);
  for (;;) {
    const left = Math.max(deadline - Date.now(), 1_000);
    const last = await withTimeout(Promise.resolve().then(check), left, what).catch((e) => {
      throw Date.now() >= deadline ? timedOut(e) : e;
    });
    if (last) return last;
    if (Date.now() >= deadline) throw timedOut();
    await sleep(Math.min(intervalMs, deadline - Date.now()));
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

// The next nonce of each signer on each connection, as far as this process knows. Right after a
// transaction is reported in a block, the node's `system_accountNextIndex` can still answer from
// the previous best block; never reusing a nonce avoids a "stale" rejection of the next
// transaction. Kept per connection: a file may run two `--dev` chains, where //Alice's nonces
// are unrelated (a nonce of the first chain would be a "future" one on the second).
const nextNonces = new WeakMap();

function nextNonce(api) {
  if (!nextNonces.has(api)) nextNonces.set(api, new Map());
  return nextNonces.get(api);
}

async function nonceFor(api, signer) {
  const fromNode = (await api.rpc.system.accountNextIndex(signer.address)).toNumber();
  return Math.max(fromNode, nextNonce(api).get(signer.address) ?? 0);
}

/**
 * Sign and submit `tx`; resolve once it is in a block with `{ blockHash, blockNumber, events }`
 * (the extrinsic's own events). Reject with `DispatchFailed` (`err.errorName`) if it failed,
 * including a call that sudo, a proxy or a multisig dispatched and that failed (their `Sudid`,
 * `ProxyExecuted` and `MultisigExecuted` events carry that result). `sign`: more signer options
 * for polkadot-js (`{ mode: 1, metadataHash }`).
 */
export async function sendAndWait(api, tx, signer, { timeoutMs = 90_000, sign = {} } = {}) {
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

    tx.signAndSend(signer, { ...sign, nonce }, (result) => {
      const { status, events, dispatchError } = result;
      if (status.isInvalid || status.isDropped || status.isUsurped) {
        finish(reject, new Error(`${label}: transaction ${status.type}`));
        return;
      }
      if (!status.isInBlock) return;
      const blockHash = status.asInBlock;
      // In a block, failed or not, the nonce is used.
      nextNonce(api).set(signer.address, nonce + 1);
      // The error carries the block it was refused in, to compare state around it.
      const failed = (error) => {
        error.blockHash = blockHash;
        finish(reject, error);
      };
      if (dispatchError) {
        failed(new DispatchFailed(api, dispatchError, label));
        return;
      }
      // A call dispatched by sudo, a proxy or a multisig: its event carries the inner result.
      const wrappers = [
        api.events.sudo?.Sudid,
        api.events.proxy?.ProxyExecuted,
        api.events.multisig?.MultisigExecuted,
      ].filter(Boolean);
      for (const { event } of events) {
        const result = wrappers.some((w) => w.is(event)) ? event.data.at(-1) : null;
        if (result?.isErr) {
          failed(new DispatchFailed(api, result.asErr, label));
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
