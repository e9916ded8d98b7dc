// A four-validator `--chain local` network on loopback: Alice, Bob, Charlie and Dave, each with
// its own node, base path and ports, Alice's node as the bootnode.
//
// Blocks are produced and finalized; with Dave's node down, GRANDPA still finalizes (3 of 4
// voters is a supermajority); restarted on the same base path, Dave catches up with the others.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';

import {
  BLOCK_MS,
  bestNumber,
  cleanup,
  connect,
  finalizedNumber,
  httpRpc,
  peerIdOf,
  requireBinary,
  startNode,
  tempBasePath,
  waitFor,
  waitForFinalized,
  withLogs,
} from '../lib/node.js';

// Fixed node keys, so that the bootnode's peer id is known before it starts. The peer id is
// computed by the node binary itself (`key inspect-node-key`), not hard-coded.
const NODE_KEYS = {
  alice: '0000000000000000000000000000000000000000000000000000000000000001',
  bob: '0000000000000000000000000000000000000000000000000000000000000002',
  charlie: '0000000000000000000000000000000000000000000000000000000000000003',
  dave: '0000000000000000000000000000000000000000000000000000000000000004',
};
const NAMES = Object.keys(NODE_KEYS);

// The test body's own bound; the node:test timeout below is only a backstop.
const TEST_TIMEOUT_MS = 6 * 60_000;

const nodes = {}; // name -> node handle
const apis = {}; // name -> ApiPromise
const basePaths = {}; // name -> base path, kept across Dave's restart
let bootnode;

function nodeArgs(name) {
  const args = ['--chain', 'local', `--${name}`, '--node-key', NODE_KEYS[name]];
  if (name !== 'alice') args.push('--bootnodes', bootnode);
  return args;
}

/**
 * Start (or restart) a validator's node on its base path. Ports are picked by `startNode` (and
 * retried if taken); the other nodes find Alice's node through its actual p2p port.
 */
async function startValidator(name) {
  nodes[name] = await startNode({
    name: `local-${name}`,
    args: nodeArgs(name),
    basePath: basePaths[name],
  });
  apis[name] = await connect(nodes[name]);
}

async function stopValidator(name) {
  const api = apis[name];
  delete apis[name];
  await cleanup({ apis: [api], nodes: [nodes[name]], removeBasePath: false });
}

const allNodes = () => Object.values(nodes);

describe('local network of four validators', () => {
  before(
    async () => {
      requireBinary();
      for (const name of NAMES) basePaths[name] = tempBasePath(`local-${name}`);
      const alicePeerId = peerIdOf(NODE_KEYS.alice);

      await withLogs(allNodes, async () => {
        await startValidator('alice');
        // The harness computed the same peer id the node uses.
        assert.equal(await httpRpc(nodes.alice.rpcPort, 'system_localPeerId'), alicePeerId);
        bootnode = `/ip4/127.0.0.1/tcp/${nodes.alice.p2pPort}/p2p/${alicePeerId}`;
        await Promise.all(['bob', 'charlie', 'dave'].map((name) => startValidator(name)));
      });
    },
    { timeout: 5 * 60_000 },
  );

  after(
    async () => {
      try {
        await cleanup({
          apis: Object.values(apis),
          nodes: Object.values(nodes),
          removeBasePath: false,
        });
      } finally {
        for (const dir of Object.values(basePaths)) fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    { timeout: 2 * 60_000 },
  );

  it(
    'produces and finalizes blocks, survives losing Dave, and Dave catches up after a restart',
    { timeout: TEST_TIMEOUT_MS + 30_000 },
    () =>
      withLogs(
        allNodes,
        async () => {
          // Everyone is connected to everyone (three peers each).
          for (const name of NAMES) {
            await waitFor(
              async () => (await httpRpc(nodes[name].rpcPort, 'system_health')).peers >= 3,
              { timeoutMs: 60_000, what: `${name} to have 3 peers` },
            );
          }

          // Blocks are produced and finalized, and every node sees them.
          await waitForFinalized(apis.alice, 3, { timeoutMs: 120_000 });
          const finalizedHash = await apis.alice.rpc.chain.getFinalizedHead();
          const finalized = (await apis.alice.rpc.chain.getHeader(finalizedHash)).number.toNumber();
          for (const name of NAMES) {
            await waitForFinalized(apis[name], finalized, { timeoutMs: 60_000 });
            const hash = await apis[name].rpc.chain.getBlockHash(finalized);
            assert.equal(hash.toHex(), finalizedHash.toHex(), `${name} finalized the same block`);
          }

          // Dave's node goes down.
          await stopValidator('dave');
          const finalizedWithoutDave = await finalizedNumber(apis.alice);
          const bestWithoutDave = await bestNumber(apis.alice);

          // Finality keeps advancing with three of four voters, on every remaining node.
          await waitForFinalized(apis.alice, finalizedWithoutDave + 3, { timeoutMs: 120_000 });
          await waitForFinalized(apis.bob, finalizedWithoutDave + 3, { timeoutMs: 60_000 });
          assert.ok((await bestNumber(apis.alice)) > bestWithoutDave, 'blocks still produced');

          // Dave comes back on the same base path (database, keystore) and catches up.
          const target = await bestNumber(apis.alice);
          const finalTarget = await finalizedNumber(apis.alice);
          await startValidator('dave');
          await waitFor(async () => (await bestNumber(apis.dave)) >= target, {
            timeoutMs: 120_000,
            intervalMs: 2_000,
            what: `dave to reach block #${target}`,
          });
          await waitForFinalized(apis.dave, finalTarget, { timeoutMs: 60_000 });
          const daveHash = await apis.dave.rpc.chain.getBlockHash(target);
          const aliceHash = await apis.alice.rpc.chain.getBlockHash(target);
          assert.equal(daveHash.toHex(), aliceHash.toHex(), 'Dave is on the same chain');

          // And the network goes on with Dave in it.
          const finalizedNow = await finalizedNumber(apis.alice);
          await waitForFinalized(apis.dave, finalizedNow + 2, { timeoutMs: 20 * BLOCK_MS });
        },
        { timeoutMs: TEST_TIMEOUT_MS },
      ),
  );
});
