// Liquid restaking end to end on one `--dev` node (fast-runtime: 6 s blocks, an era a minute),
// through @polkadot/api with no custom types.
//
// The dev chain: Alice validates with 100,000 UNIT bonded, 50,000 of it in the sample service
// (id 0, slasher Bob, rule 0 `downtime` 10%, 2-era dispute window). She operates at 10%, and the
// genesis sample pool (id 0, managed by `//Two`) delegates its 10,000 UNIT deposit to her: the
// pool backs the sample service with it from genesis. Ferdie joins with 5,000 at rate 1 (5,000 shares) and sends
// 2,000 shares to Eve with `assets.transfer`. Bob reports Alice's downtime in an era the pool
// backs the sample service with all 15,000: the pool's part, 1,500, is pending at once (rate
// 0.9), lands two eras later on the pool's ledger (13,500 bonded), and Eve's 2,000 shares redeem
// for 1,800.
//
// About 4 minutes.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import {
  UNIT,
  activeEra,
  cleanup,
  connect,
  sendAndWait,
  startNode,
  theEvent,
  waitFor,
  waitForBlocks,
  waitForEra,
  withLogs,
} from '../lib/node.js';

const SAMPLE = 0;
const PERCENT = 10_000_000; // 1% as a Perbill
const RATE_ONE = 1_000_000_000n; // a rate of 1 in parts per billion
/** The runtime's `RestakingPoolAsset`: a pool's asset id is its id with the top bit set. */
const poolAsset = (pool) => 0x8000_0000 + pool;

let node;
let api;
let alice, bob, eve, ferdie, two;
const pool = 0; // the dev chain's sample pool

const logged = (fn) => () => withLogs([node], fn);

async function view() {
  return (await api.call.restakingApi.pool(pool)).unwrap();
}

async function shares(who) {
  const account = await api.query.assets.account(poolAsset(pool), who.address);
  return account.isSome ? account.unwrap().balance.toBigInt() : 0n;
}

describe('liquid restaking pools', () => {
  before(
    async () => {
      await cryptoWaitReady();
      const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
      [alice, bob, eve, ferdie, two] = ['Alice', 'Bob', 'Eve', 'Ferdie', 'Two'].map((n) =>
        keyring.addFromUri(`//${n}`),
      );
      node = await startNode({ name: 'pools', args: ['--dev'] });
      api = await connect(node);
      assert.equal(api.consts.staking.sessionsPerEra.toNumber(), 2, 'a fast-runtime node');
      await waitForBlocks(api, 1);
    },
    { timeout: 240_000 },
  );

  after(() => cleanup({ apis: [api], nodes: [node] }), { timeout: 60_000 });

  it(
    "the dev chain's pool delegating to Alice mints shares at rate 1 that move with assets.transfer",
    { timeout: 3 * 60_000 },
    logged(async () => {
      // The genesis pool: its deposit's 10,000 shares, at rate 1.
      let v = await view();
      assert.equal(v.manager.toString(), two.address);
      assert.equal(v.operator.toString(), alice.address);
      assert.equal(v.supply.toBigInt(), 10_000n * UNIT);
      assert.equal(v.ratePpb.toBigInt(), RATE_ONE);
      const op = (await api.call.restakingApi.operator(alice.address)).unwrap();
      assert.equal(op.commission.toNumber(), 10 * PERCENT);

      const joined = await sendAndWait(api, api.tx.restaking.join(pool, 5_000n * UNIT), ferdie);
      const { amount, shares: minted } = theEvent(
        api,
        joined.events,
        'restaking',
        'PoolJoined',
      ).data;
      assert.equal(amount.toBigInt(), 5_000n * UNIT);
      assert.equal(minted.toBigInt(), 5_000n * UNIT);
      v = await view();
      assert.equal(v.supply.toBigInt(), 15_000n * UNIT);
      assert.equal(v.active.toBigInt(), 15_000n * UNIT);
      assert.equal(v.ratePpb.toBigInt(), RATE_ONE);
      assert.equal(v.operator.toString(), alice.address);
      assert.deepEqual(
        v.services.map(([service]) => service.toNumber()),
        [SAMPLE],
      );

      // Shares are an ordinary asset.
      await sendAndWait(
        api,
        api.tx.assets.transfer(poolAsset(pool), eve.address, 2_000n * UNIT),
        ferdie,
      );
      assert.equal(await shares(ferdie), 3_000n * UNIT);
      assert.equal(await shares(eve), 2_000n * UNIT);
      v = await view();
      assert.equal(v.ratePpb.toBigInt(), RATE_ONE);
    }),
  );

  it(
    "a slash of Alice lowers the rate by the pool's part and the receiver redeems at it",
    { timeout: 7 * 60_000 },
    logged(async () => {
      // The join counts from the next era: then the pool backs the sample service with 15,000.
      const era = (await activeEra(api)) + 1;
      await waitForEra(api, era);
      const account = (await view()).account.toString();
      const exposure = (await api.call.restakingApi.exposures(account))
        .unwrap()
        .positions.find((p) => p.service.toNumber() === SAMPLE).exposure;
      assert.equal(exposure.toBigInt(), 15_000n * UNIT);

      const simulated = await api.call.restakingApi.simulateSlash(SAMPLE, alice.address, 0);
      assert.ok(simulated.isOk, 'the runtime would take the report');
      const sim = simulated.asOk;
      assert.deepEqual(
        sim.pools.map((p) => [
          p.pool.toNumber(),
          p.rateBeforePpb.toBigInt(),
          p.rateAfterPpb.toBigInt(),
        ]),
        [[pool, RATE_ONE, 900_000_000n]],
      );

      await sendAndWait(api, api.tx.restaking.reportOffence(SAMPLE, alice.address, 0, era), bob);
      // Pending at once: 10% of 15,000; joins wait for it.
      let v = await view();
      assert.equal(v.pendingSlash.toBigInt(), 1_500n * UNIT);
      assert.equal(v.ratePpb.toBigInt(), 900_000_000n);

      await waitForEra(api, era + 2);
      await waitFor(async () => (await view()).active.toBigInt() < 15_000n * UNIT, {
        timeoutMs: 2 * 60_000,
        what: "the pool's part of Alice's slash landed",
      });
      v = await view();
      assert.equal(v.active.toBigInt(), 13_500n * UNIT);
      assert.equal(v.pendingSlash.toBigInt(), 0n);
      assert.equal(v.ratePpb.toBigInt(), 900_000_000n);

      // Eve's 2,000 shares are worth 2,000 x 13,500 / 15,000 = 1,800.
      const redeemed = await sendAndWait(
        api,
        api.tx.restaking.redeem(pool, 2_000n * UNIT),
        eve,
      );
      const r = theEvent(api, redeemed.events, 'restaking', 'PoolRedeemed').data;
      assert.equal(r.shares.toBigInt(), 2_000n * UNIT);
      assert.equal(r.amount.toBigInt(), 1_800n * UNIT);
      assert.equal(await shares(eve), 0n);
      v = await view();
      assert.deepEqual(
        v.redemptions.map(([unlock, amount]) => [unlock.toNumber(), amount.toBigInt()]),
        [[r.era.toNumber(), 1_800n * UNIT]],
      );
    }),
  );
});
