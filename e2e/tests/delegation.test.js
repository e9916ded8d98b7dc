// Operators and delegators, end to end on one `--dev` node (fast-runtime: 6 s blocks, an era a
// minute), through @polkadot/api with no custom types.
//
// The dev chain: Alice validates with 100,000 UNIT bonded, 50,000 of it in the sample service
// (id 0, slasher Bob, rule 0 `downtime` 10%, 2-era dispute window), and operates at 10% from
// genesis, with one delegator: the genesis pool 0 (10,000 in the sample service, not following
// her into a new service before its notice). The test registers a second service (slasher Bob,
// 10%, exit delay 1), Alice joins it with 10,000 and sets her commission to 10% again (no
// change); Ferdie, with 5,000 bonded, delegates 2,000 to Alice (the sample service's
// `min_stake` is 1,000) and excludes the second service. Once the exclusion is released, Bob
// reports Alice in both services for the same era (one report per service: an operator's
// reports land at most one per service and era on fast-runtime): when the sample service's
// slash lands, Ferdie's own ledger falls by 10% of 2,000 = 200 (and the pool's by 1,000), and
// the excluded service's report does not reach it. Then Ferdie moves to Dave, an operator in no
// service, without unbonding.
//
// About 4 minutes: set-up in era 0 (and 1), the reports once the exclusion is released, the
// landing two eras later.

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

let node;
let api;
let alice, bob, dave, ferdie;
let bridge; // the second service

const logged = (fn) => () => withLogs([node], fn);

async function bonded(who) {
  const ledger = await api.query.staking.ledger(who.address);
  return ledger.unwrap().total.toBigInt();
}

async function servicesOf(who) {
  const view = await api.call.restakingApi.exposures(who.address);
  if (view.isNone) return [];
  return view
    .unwrap()
    .positions.filter((p) => p.allocation.toBigInt() > 0n)
    .map((p) => p.service.toNumber())
    .sort();
}

describe('operators and delegators', () => {
  before(
    async () => {
      await cryptoWaitReady();
      const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
      [alice, bob, dave, ferdie] = ['Alice', 'Bob', 'Dave', 'Ferdie'].map((n) =>
        keyring.addFromUri(`//${n}`),
      );
      node = await startNode({ name: 'delegation', args: ['--dev'] });
      api = await connect(node);
      assert.equal(api.consts.staking.sessionsPerEra.toNumber(), 2, 'a fast-runtime node');
      await waitForBlocks(api, 1);
    },
    { timeout: 240_000 },
  );

  after(() => cleanup({ apis: [api], nodes: [node] }), { timeout: 60_000 });

  it(
    'a nominator delegates to Alice and excludes one of her services',
    { timeout: 3 * 60_000 },
    logged(async () => {
      const registered = await sendAndWait(
        api,
        api.tx.sudo.sudo(
          api.tx.restaking.registerService({
            name: 'e2e-bridge',
            slasher: bob.address,
            rules: [{ name: 'downtime', fraction: 10 * PERCENT, eject: false }],
            minStake: 100n * UNIT,
            validatorsOnly: false,
            exitDelay: 1,
            disputeWindow: 2,
            maxShare: null,
          }),
        ),
        alice,
      );
      bridge = theEvent(api, registered.events, 'restaking', 'ServiceRegistered').data.service;
      await sendAndWait(api, api.tx.restaking.optIn(bridge, 10_000n * UNIT), alice);
      // Alice operates at 10% from genesis: the same commission again changes nothing, and
      // still says so.
      const set = await sendAndWait(api, api.tx.restaking.setOperator(10 * PERCENT), alice);
      assert.equal(
        theEvent(api, set.events, 'restaking', 'OperatorSet').data.commission.toNumber(),
        10 * PERCENT,
      );
      await sendAndWait(api, api.tx.staking.bond(5_000n * UNIT, 'Staked'), ferdie);

      const delegated = await sendAndWait(
        api,
        api.tx.restaking.delegate(alice.address, 2_000n * UNIT),
        ferdie,
      );
      const { operator, amount } = theEvent(api, delegated.events, 'restaking', 'Delegated').data;
      assert.equal(operator.toString(), alice.address);
      assert.equal(amount.toBigInt(), 2_000n * UNIT);
      // One position per service of the operator, 2,000 each, on Ferdie's own ledger.
      assert.deepEqual(await servicesOf(ferdie), [SAMPLE, bridge.toNumber()].sort());
      const op = (await api.call.restakingApi.operator(alice.address)).unwrap();
      assert.equal(op.commission.toNumber(), 10 * PERCENT);
      assert.ok(op.pendingCommission.isNone);
      // Ferdie, and the genesis pool's account (in storage order: compared sorted).
      const poolAccount = (await api.call.restakingApi.pool(0)).unwrap().account.toString();
      assert.deepEqual(
        op.delegators.map((d) => d.toString()).sort(),
        [ferdie.address, poolAccount].sort(),
      );

      const excluded = await sendAndWait(api, api.tx.restaking.excludeService(bridge), ferdie);
      theEvent(api, excluded.events, 'restaking', 'ServiceExcluded');
      const delegation = (await api.call.restakingApi.delegation(ferdie.address)).unwrap();
      assert.deepEqual(
        delegation.excluded.map((s) => s.toNumber()),
        [bridge.toNumber()],
      );
    }),
  );

  it(
    "a slash of Alice in the other service takes 10% of Ferdie's 2,000 from Ferdie's own ledger",
    { timeout: 6 * 60_000 },
    logged(async () => {
      // The exclusion is released after the bridge's exit delay (one era).
      await waitFor(async () => !(await servicesOf(ferdie)).includes(bridge.toNumber()), {
        timeoutMs: 3 * 60_000,
        what: "Ferdie's exclusion of the bridge released",
      });
      const era = await activeEra(api);
      const before = await bonded(ferdie);
      assert.equal(before, 5_000n * UNIT);
      // Both services report Alice for this era; only the sample service reaches Ferdie.
      for (const service of [SAMPLE, bridge]) {
        await sendAndWait(
          api,
          api.tx.restaking.reportOffence(service, alice.address, 0, era),
          bob,
        );
      }
      await waitForEra(api, era + 2);
      await waitFor(async () => (await bonded(ferdie)) < before, {
        timeoutMs: 2 * 60_000,
        what: "Ferdie's part of Alice's slash landed",
      });
      await waitForBlocks(api, 2);
      assert.equal(before - (await bonded(ferdie)), 200n * UNIT);
    }),
  );

  it(
    'Ferdie moves to another operator without unbonding',
    { timeout: 2 * 60_000 },
    logged(async () => {
      await sendAndWait(api, api.tx.staking.bond(10_000n * UNIT, 'Staked'), dave);
      await sendAndWait(api, api.tx.restaking.setOperator(5 * PERCENT), dave);
      const moved = await sendAndWait(api, api.tx.restaking.redelegate(dave.address), ferdie);
      const { from, to } = theEvent(api, moved.events, 'restaking', 'Redelegated').data;
      assert.equal(from.toString(), alice.address);
      assert.equal(to.toString(), dave.address);
      const delegation = (await api.call.restakingApi.delegation(ferdie.address)).unwrap();
      assert.equal(delegation.operator.toString(), dave.address);
      assert.equal(delegation.previous.unwrap()[0].toString(), alice.address);
      // Alice's service keeps Ferdie's stake until its exit delay passes.
      const sample = (await api.call.restakingApi.exposures(ferdie.address))
        .unwrap()
        .positions.find((p) => p.service.toNumber() === SAMPLE);
      assert.ok(sample.exit.isSome, 'leaving the sample service');
    }),
  );
});
